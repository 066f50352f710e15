"""A soak run: a steady load for ``--minutes`` with consoles connected, reporting every
minute the request latency (p50/p99), the gateway's RSS and what the consoles got.

A real gateway process (SQLite, default settings but ``matcher.semantic = "off"``)
serves ``--agents`` agents, each with a console on a Socket.IO websocket, and two
supervisors' walls. Customers write ``--rate`` messages per second in conversations
spread over the agents; each agent answers about half of them after a few seconds
(the rest go overdue and unanswered, so alerts keep flowing); conversations close and
reopen. Flat means: the last minute's RSS and p99 against the second minute's (the
first warms up), printed as ratios.

    .venv/bin/python benchmarks/soak.py [--minutes 20] [--rate 40] [--agents 50]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import aiohttp
import psutil
import socketio
from common import free_port, percentile, wait_ready

ROOT = Path(__file__).resolve().parent.parent
INTEGRATION, SUPERVISOR = "soak-integration-token", "soak-supervisor-token"
TEXTS = [
    line.split("\t", 1)[1]
    for line in (Path(__file__).parent / "data" / "matching_eval.tsv")
    .read_text(encoding="utf-8")
    .splitlines()
    if line.strip() and not line.startswith("#")
]


def agent(n: int) -> str:
    return f"agent{n:03d}"


def start(workdir: Path, port: int, agents: int) -> subprocess.Popen[bytes]:
    lines = [
        f'[storage]\nurl = "sqlite+aiosqlite:///{workdir / "soak.db"}"\n',
        '[matcher]\nsemantic = "off"\n[logging]\nlevel = "WARNING"\n',
        f'[[auth.tokens]]\ntoken = "{INTEGRATION}"\nrole = "integration"\n',
        f'[[auth.tokens]]\ntoken = "{SUPERVISOR}"\nrole = "supervisor"\n',
    ]
    for n in range(agents):
        lines.append(
            f'[[auth.tokens]]\ntoken = "soak-{agent(n)}"\nrole = "agent"\nagent_id = "{agent(n)}"\n'
        )
    config = workdir / "soak.toml"
    config.write_text("\n".join(lines), encoding="utf-8")
    command = [sys.executable, "-m", "bot", "serve", "--config", str(config), "--port", str(port)]
    return subprocess.Popen(command, cwd=ROOT, stderr=subprocess.DEVNULL)


class Load:
    """The load generator's state and what it saw this minute."""

    def __init__(self, url: str, http: aiohttp.ClientSession, agents: int) -> None:
        self.url, self.http, self.agents = url, http, agents
        self.latencies: list[float] = []
        self.errors = 0
        self.pushes: Counter[str] = Counter()
        self.sequence = 0
        self.tasks: set[asyncio.Task[None]] = set()

    async def post(self, *events: dict[str, object]) -> None:
        started = time.perf_counter()
        headers = {"Authorization": f"Bearer {INTEGRATION}"}
        try:
            async with self.http.post(
                f"{self.url}/api/v1/events", json={"events": list(events)}, headers=headers
            ) as resp:
                await resp.read()
                if resp.status != 202:
                    self.errors += 1
        except aiohttp.ClientError:
            self.errors += 1
        self.latencies.append(time.perf_counter() - started)

    async def customer(self) -> None:
        self.sequence += 1
        n = self.sequence
        conv, who = f"c{n % 2000}", agent(n % self.agents)
        await self.post(
            {"id": f"as{n}", "type": "conversation.assigned", "conversation_id": conv}
            | {"agent_id": who},
            {"id": f"m{n}", "conversation_id": conv, "text": random.choice(TEXTS)}
            | {"sender": {"role": "customer", "id": f"u{conv}", "name": "顾客"}},
        )
        if random.random() < 0.5:
            await asyncio.sleep(random.uniform(1, 15))
            await self.post(
                {"id": f"r{n}", "conversation_id": conv, "text": "好的亲，马上为您处理"}
                | {"sender": {"role": "agent", "id": who}}
            )
        if random.random() < 0.1:
            await self.post({"id": f"x{n}", "type": "conversation.closed", "conversation_id": conv})

    def spawn(self) -> None:
        task = asyncio.create_task(self.customer())
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)


async def consoles(url: str, load: Load, agents: int) -> list[socketio.AsyncClient]:
    clients = []
    for token, namespace in [(f"soak-{agent(n)}", "/agent") for n in range(agents)] + [
        (SUPERVISOR, "/supervisor")
    ] * 2:
        client = socketio.AsyncClient(reconnection=False)

        async def any_event(event: str, *args: object) -> None:
            load.pushes[event] += 1

        client.on("*", any_event, namespace=namespace)
        await client.connect(url, namespaces=[namespace], auth={"token": token},
                             transports=["websocket"])  # fmt: skip
        clients.append(client)
    return clients


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=20)
    parser.add_argument("--rate", type=float, default=40, help="customer messages per second")
    parser.add_argument("--agents", type=int, default=50)
    args = parser.parse_args()
    random.seed(7)
    rows: list[tuple[int, float, float, float, int, int]] = []
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        gateway = start(Path(tmp), port, args.agents)
        url = f"http://127.0.0.1:{port}"
        try:
            await wait_ready(url)
            process = psutil.Process(gateway.pid)
            async with aiohttp.ClientSession() as http:
                load = Load(url, http, args.agents)
                clients = await consoles(url, load, args.agents)
                print(" min  requests   p50 ms   p99 ms   RSS MB  errors  pushes", flush=True)
                for minute in range(1, int(args.minutes) + 1):
                    ends = time.monotonic() + 60
                    while time.monotonic() < ends:
                        load.spawn()
                        await asyncio.sleep(1 / args.rate)
                    took = sorted(load.latencies)
                    rss = process.memory_info().rss / 2**20
                    pushes = sum(load.pushes.values())
                    rows.append(
                        (minute, percentile(took, 0.5) * 1e3, percentile(took, 0.99) * 1e3,
                         rss, load.errors, pushes)
                    )  # fmt: skip
                    print(f"{minute:>4}{len(took):>10}{rows[-1][1]:>9.1f}{rows[-1][2]:>9.1f}"
                          f"{rss:>9.0f}{load.errors:>8}{pushes:>8}", flush=True)  # fmt: skip
                    load.latencies, load.errors, load.pushes = [], 0, Counter()
                await asyncio.gather(*load.tasks, return_exceptions=True)
                for client in clients:
                    await client.disconnect()
        finally:
            gateway.terminate()
            gateway.wait(20)
    if len(rows) >= 3:
        second, last = rows[1], rows[-1]
        print(f"last minute / second minute: RSS {last[3] / second[3]:.2f}, "
              f"p99 {last[2] / second[2]:.2f}, p50 {last[1] / second[1]:.2f}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
