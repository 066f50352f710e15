"""With matching in worker processes, customers still get their suggestions, a library
edit reaches the workers with the next message, and a worker that dies is replaced
without losing a suggestion."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from urllib.parse import quote

import psutil

from bot.keys import LIBRARY
from bot.matcher_pool import WORKER_NICENESS
from tests.support.events import customer_says
from tests.support.gateway import Gateway, StartGateway
from tests.support.settings import make_settings
from tests.support.tokens import SUPERVISOR

NEW_SCRIPT = {
    "id": "zh-store",
    "category": "pre-sale",
    "title": "线下实体店",
    "questions": ["你们有线下实体店吗"],
    "keywords": ["实体店"],
    "reply": "亲，我们暂时没有线下实体店，欢迎在线选购～",
}


async def best(gateway: Gateway, text: str) -> str | None:
    status, found = await gateway.call("GET", f"/api/v1/suggest?q={quote(text)}", SUPERVISOR)
    assert status == 200
    return found["items"][0]["script_id"] if found["items"] else None


async def test_workers_suggest_follow_library_edits_and_survive_a_crash(
    start_gateway: StartGateway, sqlite_url: str
) -> None:
    gateway = await start_gateway(make_settings(sqlite_url, matcher={"workers": 1}))
    assert gateway.app is not None
    library = gateway.app[LIBRARY]
    assert await best(gateway, "親，幾號能發貨呀？？") == "zh-ship-time"
    assert await best(gateway, "你们有没有线下实体店？") is None
    status, _ = await gateway.call("POST", "/api/v1/scripts", SUPERVISOR, NEW_SCRIPT)
    assert status == 201
    assert await best(gateway, "你们有没有线下实体店？") == "zh-store"  # the new version
    pool = library._pool
    assert pool is not None
    [pid] = list(pool.executor._processes)
    assert pid != os.getpid()
    # The worker yields the cores to the gateway when both want them.
    assert psutil.Process(pid).nice() == min(19, os.nice(0) + WORKER_NICENESS)
    os.kill(pid, signal.SIGKILL)
    status, _ = await gateway.post_events(customer_says("m1", text="能开发票吗"))
    assert status == 202
    await gateway.suggested()
    transcript = await gateway.transcript("c1")
    assert transcript["suggestions"]["items"][0]["script_id"] == "zh-invoice"
    assert await best(gateway, "能开发票吗") == "zh-invoice"  # the new workers answer


def test_the_gateway_keeps_numpy_to_one_blas_thread() -> None:
    """Multi-threaded BLAS burned CPU spinning beside the event loop for no gain: the
    serving process and the matcher workers limit it to one thread."""
    script = (
        "import json, numpy\n"
        "from threadpoolctl import threadpool_info\n"
        "from bot.matcher_pool import one_blas_thread\n"
        "before = [i['num_threads'] for i in threadpool_info() if i['user_api'] == 'blas']\n"
        "one_blas_thread()\n"
        "after = [i['num_threads'] for i in threadpool_info() if i['user_api'] == 'blas']\n"
        "print(json.dumps([before, after]))\n"
    )
    env = os.environ | {"OPENBLAS_NUM_THREADS": "2", "OMP_NUM_THREADS": "2"}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True
    )
    before, after = json.loads(done.stdout)
    assert before, "numpy has a BLAS"
    assert max(before) == 2
    assert after == [1] * len(before)
