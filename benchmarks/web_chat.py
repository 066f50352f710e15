"""The web chat under a shop's evening crowd (DESIGN.md section 13): 1,000 visitors
connected to ``/customer`` at once, each writing every 30 s (staggered), while one probe
customer and their agent (alice, on ``/agent``) time the round trip:

- customer -> agent: the probe emits ``message`` on ``/customer``; until alice's console
  gets the ``message`` push (stored, routed, suggestions made, pushed);
- agent -> customer: alice emits ``reply`` on ``/agent``; until the probe's page gets it.

The same run without the 1,000 visitors is the baseline; runs alternate (a fresh gateway
and SQLite file each) and the figures are medians over rounds. 50 agents are online in
both (``max_concurrency`` 25: room for every visitor's chat). The visitors run in a
separate process, so the probe's clock is not slowed by their clients. Server RSS is
the gateway process's (psutil), median and peak during the measured window.

    .venv/bin/python benchmarks/web_chat.py [--visitors 1000 --seconds 90 --rounds 1]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
import psutil
import socketio
from common import free_port, percentile, wait_ready

ROOT = Path(__file__).resolve().parent.parent
AGENTS = 50
TEXTS = ["请问几天能发货", "这个有优惠吗", "能开发票吗", "尺码偏大还是偏小", "退货地址是哪里"]
CONFIG = re.compile(r'<script type="application/json" id="rw-config">(.*?)</script>', re.S)
SIO_PATH = "socket.io"


def start(workdir: Path, port: int) -> subprocess.Popen[bytes]:
    """A gateway with the web chat on and 50 agent tokens (``a0`` is alice)."""
    tokens = "".join(
        f'[[auth.tokens]]\ntoken = "bench-agent-{n:02d}"\nrole = "agent"\nagent_id = "a{n}"\n'
        for n in range(AGENTS)
    )
    config = workdir / "gateway.toml"
    config.write_text(
        f'[storage]\nurl = "sqlite+aiosqlite:///{workdir / "chat.db"}"\n'
        '[routing]\nmode = "least_loaded"\nmax_concurrency = 25\n'
        "[widget]\nmax_messages_per_minute = 600\n"
        f'[logging]\nlevel = "WARNING"\n{tokens}',
        encoding="utf-8",
    )
    command = [sys.executable, "-m", "bot", "serve", "--config", str(config), "--port", str(port)]
    return subprocess.Popen(command, cwd=ROOT, stderr=subprocess.DEVNULL)


async def tokens(url: str, count: int) -> list[str]:
    """``count`` visitor tokens, as ``GET /chat`` gives new browsers."""
    async with aiohttp.ClientSession() as http:

        async def one() -> str:
            async with http.get(f"{url}/chat") as resp:
                found = CONFIG.search(await resp.text())
            assert found is not None, "no config in /chat"
            return str(json.loads(found.group(1))["visitor"])

        out: list[str] = []
        while len(out) < count:
            out += await asyncio.gather(*(one() for _ in range(min(50, count - len(out)))))
        return out


async def connect(namespace: str, url: str, auth: dict[str, str]) -> socketio.AsyncClient:
    """A python-socketio client connected to ``namespace`` over WebSocket."""
    client = socketio.AsyncClient(reconnection=False)
    await client.connect(
        url,
        namespaces=[namespace],
        auth=auth,
        transports=["websocket"],
        socketio_path=SIO_PATH,
        wait_timeout=30,
    )
    return client


async def visitors(url: str, count: int, seconds: float) -> None:
    """The crowd (run in its own process): connect ``count`` visitors, say "ready" on
    stdout, then each writes every 30 s from a random phase for ``seconds``."""
    given = await tokens(url, count)
    clients: list[socketio.AsyncClient] = []
    for start_at in range(0, count, 50):
        batch = given[start_at : start_at + 50]
        clients += await asyncio.gather(*(connect("/customer", url, {"token": t}) for t in batch))
    print("ready", flush=True)
    acks: dict[str, int] = {"ok": 0, "error": 0}

    async def write(n: int, client: socketio.AsyncClient) -> None:
        await asyncio.sleep(random.uniform(0, 30))
        end, turn = time.monotonic() + seconds, 0
        while time.monotonic() < end:
            payload = {"id": f"load{n:05d}x{turn:04d}", "text": TEXTS[(n + turn) % len(TEXTS)]}
            ack = await client.call("message", payload, namespace="/customer", timeout=60)
            acks["error" if "error" in ack else "ok"] += 1
            turn += 1
            await asyncio.sleep(30)

    await asyncio.gather(*(write(n, c) for n, c in enumerate(clients)))
    print(json.dumps(acks), flush=True)
    await asyncio.gather(*(c.disconnect() for c in clients))


def start_crowd(url: str, count: int, seconds: float) -> subprocess.Popen[str]:
    """The crowd's own process (this script with ``--crowd-of``)."""
    command = [sys.executable, __file__, "--crowd-of", url, str(count), str(seconds)]
    return subprocess.Popen(command, stdout=subprocess.PIPE, text=True)


class Probe:
    """One customer and alice timing messages both ways."""

    def __init__(self, customer: socketio.AsyncClient, alice: socketio.AsyncClient) -> None:
        self.customer, self.alice = customer, alice
        self.waiting: dict[str, asyncio.Future[float]] = {}
        customer.on("message", self._arrived, namespace="/customer")
        alice.on("message", self._arrived, namespace="/agent")

    async def _arrived(self, data: dict[str, Any]) -> None:
        future = self.waiting.pop(str(data.get("text")), None)
        if future is not None and not future.done():
            future.set_result(time.perf_counter())

    async def _timed(self, text: str, send: Any) -> float:
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.waiting[text] = future
        began = time.perf_counter()
        await send()
        return (await asyncio.wait_for(future, 30)) - began

    async def to_agent(self, n: int) -> float:
        """Customer -> agent, in seconds."""
        payload = {"id": f"probe{n:06d}", "text": f"probe {n}: 请问几天能发货"}
        send = lambda: self.customer.emit("message", payload, namespace="/customer")  # noqa: E731
        return await self._timed(payload["text"], send)

    async def to_customer(self, n: int, conversation_id: str) -> float:
        """Agent -> customer, in seconds."""
        reply = {"conversation_id": conversation_id, "text": f"answer {n}: 今天下单明天发货"}
        send = lambda: self.alice.emit("reply", reply, namespace="/agent")  # noqa: E731
        return await self._timed(reply["text"], send)


async def measure(url: str, pid: int, crowd: int, seconds: float) -> dict[str, float]:
    """One run: alice and the probe, 49 more agents, ``crowd`` visitors (0 = baseline)."""
    alice = await connect("/agent", url, {"token": "bench-agent-00"})
    (visitor,) = await tokens(url, 1)
    customer = await connect("/customer", url, {"token": visitor})
    probe = Probe(customer, alice)
    await probe.to_agent(0)  # opens the chat: routed to alice, the only agent online
    history = await customer.call("history", None, namespace="/customer", timeout=10)
    conversation_id = history["conversation_id"]
    others = [
        await connect("/agent", url, {"token": f"bench-agent-{n:02d}"}) for n in range(1, AGENTS)
    ]
    load = None
    if crowd:
        load = start_crowd(url, crowd, seconds + 35)
        assert load.stdout is not None
        line = await asyncio.to_thread(load.stdout.readline)
        assert line.strip() == "ready", f"the crowd did not connect: {line!r}"
        await asyncio.sleep(30)  # every visitor has written once: the steady state
    server = psutil.Process(pid)
    rss: list[float] = []
    up, down = [], []
    end, n = time.monotonic() + seconds, 1
    while time.monotonic() < end:
        rss.append(server.memory_info().rss / 2**20)
        up.append(await probe.to_agent(n))
        down.append(await probe.to_customer(n, conversation_id))
        n += 1
        await asyncio.sleep(0.5)
    acks = {}
    if load is not None:
        out, _ = await asyncio.to_thread(load.communicate)
        acks = json.loads(out.strip().splitlines()[-1])
    for client in [alice, customer, *others]:
        await client.disconnect()
    return {
        "rss_median": statistics.median(rss),
        "rss_peak": max(rss),
        "up_p50": percentile(up, 0.5) * 1000,
        "up_p99": percentile(up, 0.99) * 1000,
        "down_p50": percentile(down, 0.5) * 1000,
        "down_p99": percentile(down, 0.99) * 1000,
        "samples": float(len(up)),
        "crowd_ok": float(acks.get("ok", 0)),
        "crowd_errors": float(acks.get("error", 0)),
    }


async def run(crowd: int, seconds: float) -> dict[str, float]:
    """A fresh gateway and database for one run."""
    with tempfile.TemporaryDirectory() as workdir:
        port = free_port()
        gateway = start(Path(workdir), port)
        try:
            url = f"http://127.0.0.1:{port}"
            await wait_ready(url)
            return await measure(url, gateway.pid, crowd, seconds)
        finally:
            gateway.terminate()
            gateway.wait(30)


FIGURES = [
    ("server RSS, median (MiB)", "rss_median"),
    ("server RSS, peak (MiB)", "rss_peak"),
    ("customer -> agent p50 (ms)", "up_p50"),
    ("customer -> agent p99 (ms)", "up_p99"),
    ("agent -> customer p50 (ms)", "down_p50"),
    ("agent -> customer p99 (ms)", "down_p99"),
]


async def main() -> None:
    """Alternate baseline and crowd runs; print medians side by side."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--visitors", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=90.0)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    results: dict[str, list[dict[str, float]]] = {"baseline": [], "crowd": []}
    for _ in range(args.rounds):
        results["baseline"].append(await run(0, args.seconds))
        results["crowd"].append(await run(args.visitors, args.seconds))
    med = {
        kind: {key: statistics.median(run[key] for run in runs) for _, key in FIGURES}
        for kind, runs in results.items()
    }
    print(f"{'':30} {'no visitors':>12} {f'{args.visitors} visitors':>14} {'ratio':>7}")
    for label, key in FIGURES:
        base, crowd = med["baseline"][key], med["crowd"][key]
        print(f"{label:30} {base:12.1f} {crowd:14.1f} {crowd / base:7.2f}")
    last = results["crowd"][-1]
    print(
        f"probe samples per run: {int(last['samples'])}; the crowd's messages acknowledged:"
        f" {int(last['crowd_ok'])}, refused: {int(last['crowd_errors'])}"
    )


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--crowd-of":
        asyncio.run(visitors(sys.argv[2], int(sys.argv[3]), float(sys.argv[4])))
    else:
        asyncio.run(main())
