"""One gateway at scale: memory and the live agents view with many open conversations
and many connected consoles.

A real gateway process (SQLite) is started on a database holding ``--conversations``
open conversations spread over ``--agents`` agents, each with a customer waiting
(stored beforehand with the ingest path itself, ``apply_batch``). Then ``--consoles``
agent consoles connect over Socket.IO (websocket). Reported:

- the gateway's RSS idle on an empty database (baseline, same run), with the
  conversations, and with the consoles connected;
- ``GET /api/v1/agents`` (what the supervisors' wall polls) p50/p99 over
  ``--requests`` calls, beside ``GET /healthz`` on the same server as the floor.

    .venv/bin/python benchmarks/scale.py [--conversations 10000] [--agents 100] [--consoles 300]
        [--semantic auto|on|off]   # auto: the default install's (the encoder on)
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
import psutil
import socketio
from common import free_port, percentile, wait_ready
from sqlalchemy import create_engine

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bot.settings import Settings  # noqa: E402
from monitors.events import ChatEvent, EventType, SenderRole  # noqa: E402
from storage.engine import make_engine, upgrade  # noqa: E402
from storage.ingest import apply_batch  # noqa: E402

RULES = Settings().rules()

SUPERVISOR = "bench-supervisor-token"


def agent_token(n: int) -> str:
    return f"bench-agent-{n:04d}-token"


def config(workdir: Path, db: Path, consoles: int, semantic: str) -> Path:
    lines = [f'[storage]\nurl = "sqlite+aiosqlite:///{db}"\n[logging]\nlevel = "WARNING"\n']
    lines.append(f'[matcher]\nsemantic = "{semantic}"\n')
    lines.append(f'[[auth.tokens]]\ntoken = "{SUPERVISOR}"\nrole = "supervisor"\n')
    for n in range(consoles):
        lines.append(
            f'[[auth.tokens]]\ntoken = "{agent_token(n)}"\nrole = "agent"\nagent_id = "a{n:04d}"\n'
        )
    path = workdir / f"scale-{db.stem}.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def events(conversations: int, agents: int, now: float) -> list[ChatEvent]:
    made = []
    for n in range(conversations):
        conv, agent, ts = f"c{n}", f"a{n % agents:04d}", now - 30 + n * 1e-4
        made.append(ChatEvent(f"as{n}", "api", EventType.ASSIGNED, ts, ts, conv, agent_id=agent))
        made.append(
            ChatEvent(
                f"m{n}",
                "api",
                EventType.MESSAGE,
                ts,
                ts,
                conv,
                SenderRole.CUSTOMER,
                f"cust{n}",
                f"顾客{n}",
                "请问几天能发货？",
            )
        )
    return made


async def fill(db: Path, conversations: int, agents: int) -> None:
    await upgrade(make_engine(f"sqlite+aiosqlite:///{db}"))
    engine = create_engine(f"sqlite:///{db}")
    batch = events(conversations, agents, time.time())
    with engine.begin() as conn:
        for start in range(0, len(batch), 2000):
            apply_batch(conn, batch[start : start + 2000], RULES, time.time())
    engine.dispose()


def serve(path: Path, port: int) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "bot", "serve", "--config", str(path), "--port", str(port)]
    return subprocess.Popen(command, cwd=ROOT, stderr=subprocess.DEVNULL)


def rss_mb(proc: subprocess.Popen[bytes]) -> float:
    return float(psutil.Process(proc.pid).memory_info().rss) / 2**20


async def timed(http: aiohttp.ClientSession, url: str, requests: int) -> tuple[float, float]:
    headers = {"Authorization": f"Bearer {SUPERVISOR}"}
    took = []
    for _ in range(requests):
        started = time.perf_counter()
        async with http.get(url, headers=headers) as resp:
            await resp.read()
            assert resp.status == 200, resp.status
        took.append(time.perf_counter() - started)
    return percentile(took, 0.5) * 1e3, percentile(took, 0.99) * 1e3


async def connect(url: str, consoles: int) -> list[socketio.AsyncClient]:
    clients = []
    for n in range(consoles):
        client = socketio.AsyncClient(reconnection=False)
        await client.connect(
            url, namespaces=["/agent"], auth={"token": agent_token(n)}, transports=["websocket"]
        )
        clients.append(client)
    return clients


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--conversations", type=int, default=10_000)
    parser.add_argument("--agents", type=int, default=100)
    parser.add_argument("--consoles", type=int, default=300)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--settle", type=float, default=15.0, help="seconds before measuring")
    parser.add_argument(
        "--semantic", choices=["auto", "on", "off"], default="auto", help="matcher.semantic"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        empty, full = workdir / "empty.db", workdir / "full.db"
        await fill(empty, 0, 1)
        started = time.perf_counter()
        await fill(full, args.conversations, args.agents)
        took = time.perf_counter() - started
        print(f"stored {args.conversations} open conversations in {took:.1f}s")
        baseline_port, port = free_port(), free_port()
        baseline = serve(config(workdir, empty, args.consoles, args.semantic), baseline_port)
        gateway = serve(config(workdir, full, args.consoles, args.semantic), port)
        try:
            url, baseline_url = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{baseline_port}"
            await wait_ready(url)
            await wait_ready(baseline_url)
            async with aiohttp.ClientSession() as http:
                await timed(http, f"{url}/api/v1/agents", 3)  # warm-up
                # The first sweeps record the overdue alerts of every stored turn: let
                # them finish, so the figures are the steady state's.
                await asyncio.sleep(args.settle)
                idle_empty, idle_full = rss_mb(baseline), rss_mb(gateway)
                agents = await timed(http, f"{url}/api/v1/agents", args.requests)
                floor = await timed(http, f"{url}/healthz", args.requests)
                clients = await connect(url, args.consoles)
                await asyncio.sleep(1)
                with_consoles = rss_mb(gateway)
                agents_connected = await timed(http, f"{url}/api/v1/agents", args.requests)
                for client in clients:
                    await client.disconnect()
        finally:
            for proc in (gateway, baseline):
                proc.terminate()
                proc.wait(10)
    print(
        f"RSS: empty database {idle_empty:.0f} MB; {args.conversations} open conversations "
        f"{idle_full:.0f} MB; + {args.consoles} consoles {with_consoles:.0f} MB"
    )
    print(f"GET /api/v1/agents p50/p99: {agents[0]:.1f}/{agents[1]:.1f} ms "
          f"({agents_connected[0]:.1f}/{agents_connected[1]:.1f} ms with the consoles); "
          f"GET /healthz {floor[0]:.1f}/{floor[1]:.1f} ms")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
