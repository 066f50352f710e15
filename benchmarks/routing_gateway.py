"""Routing's cost on the real gateway (DESIGN.md section 11): two gateway processes, one
with ``routing.mode = "least_loaded"`` and one with ``"off"``, each on its own SQLite
file holding 300 online agents and 10,000 open conversations (assigned round robin by
the integration). Customers then write, one event per request at concurrency 32: nine in
ten in an open conversation, one in ten a new chat (routed by the first gateway, left
waiting by the second). Rounds alternate between the two; the figure is the median CPU
per event of each gateway process (psutil), matcher suggestions included.

    .venv/bin/python benchmarks/routing_gateway.py [--events 3000 --rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
import psutil
from common import free_port, wait_ready

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "bench-integration-token"
AGENTS, OPEN = 300, 10_000
TEXTS = ["请问几天能发货", "这个有优惠吗", "能开发票吗", "尺码偏大还是偏小", "退货地址是哪里"]


def start(workdir: Path, port: int, mode: str) -> subprocess.Popen[bytes]:
    config = workdir / f"{mode}.toml"
    config.write_text(
        f'[storage]\nurl = "sqlite+aiosqlite:///{workdir / mode}.db"\n'
        f'[routing]\nmode = "{mode}"\nmax_concurrency = 1000\n'
        '[matcher]\nsemantic = "off"\n[logging]\nlevel = "WARNING"\n'
        f'[[auth.tokens]]\ntoken = "{TOKEN}"\nrole = "integration"\n',
        encoding="utf-8",
    )
    command = [sys.executable, "-m", "bot", "serve", "--config", str(config), "--port", str(port)]
    return subprocess.Popen(command, cwd=ROOT, stderr=subprocess.DEVNULL)


async def post(http: aiohttp.ClientSession, url: str, events: list[dict[str, object]]) -> None:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    async with http.post(f"{url}/api/v1/events", json={"events": events}, headers=headers) as r:
        if r.status != 202:
            raise RuntimeError(f"{r.status} {await r.text()}")


def customer(mid: str, conv: str, n: int) -> dict[str, object]:
    sender = {"role": "customer", "id": f"u-{conv}"}
    return {"id": mid, "conversation_id": conv, "sender": sender, "text": TEXTS[n % len(TEXTS)]}


async def prefill(http: aiohttp.ClientSession, url: str) -> None:
    """300 agents online, 10,000 open conversations assigned round robin."""
    status = [
        {"id": f"st{a}", "type": "agent.status", "agent_id": f"a{a}", "status": "online"}
        for a in range(AGENTS)
    ]
    await post(http, url, status)
    for start_at in range(0, OPEN, 250):
        batch: list[dict[str, object]] = []
        for n in range(start_at, start_at + 250):
            assign = {"id": f"as{n}", "type": "conversation.assigned", "conversation_id": f"c{n}"}
            batch += [assign | {"agent_id": f"a{n % AGENTS}"}, customer(f"p{n}", f"c{n}", n)]
        await post(http, url, batch)


async def load(url: str, pid: int, prefix: str, events: int, concurrency: int) -> float:
    """CPU µs per event of the gateway while ``events`` customer messages arrive."""
    next_n = iter(range(events))
    headers = {"Authorization": f"Bearer {TOKEN}"}

    async def worker(http: aiohttp.ClientSession) -> None:
        for n in next_n:
            conv = f"{prefix}-new{n}" if n % 10 == 0 else f"c{(n * 7919) % OPEN}"
            body = customer(f"{prefix}-{n}", conv, n)
            async with http.post(f"{url}/api/v1/events", json=body, headers=headers) as r:
                if r.status != 202:
                    raise RuntimeError(f"{r.status} {await r.text()}")

    server = psutil.Process(pid)
    before = sum(server.cpu_times()[:2])
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as http:
        await asyncio.gather(*(worker(http) for _ in range(concurrency)))
    return (sum(server.cpu_times()[:2]) - before) / events * 1e6


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        ports = {"off": free_port(), "least_loaded": free_port()}
        procs = {mode: start(Path(tmp), port, mode) for mode, port in ports.items()}
        try:
            async with aiohttp.ClientSession() as http:
                for mode, port in ports.items():
                    url = f"http://127.0.0.1:{port}"
                    await wait_ready(url)
                    started = time.perf_counter()
                    await prefill(http, url)
                    print(f"prefilled {mode}: {time.perf_counter() - started:.0f} s", flush=True)
            costs: dict[str, list[float]] = {mode: [] for mode in ports}
            for r in range(args.rounds):
                for mode, port in ports.items():
                    url, pid = f"http://127.0.0.1:{port}", procs[mode].pid
                    cost = await load(url, pid, f"r{r}", args.events, args.concurrency)
                    costs[mode].append(cost)
            off, on = statistics.median(costs["off"]), statistics.median(costs["least_loaded"])
            print(
                f"gateway CPU per event, {AGENTS} online agents, {OPEN} open chats, 1 in 10 a"
                f" new chat, concurrency {args.concurrency}, median of {args.rounds} rounds:"
            )
            print(f"  routing off {off:.0f} µs   routing on {on:.0f} µs   on/off {on / off:.3f}")
            print(f"  {'WITHIN' if on <= off * 1.10 else 'OVER'} the 10 % budget")
        finally:
            for proc in procs.values():
                proc.terminate()
                proc.wait(10)
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
