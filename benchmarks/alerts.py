"""Alert latency and sweep cost.

A. Latency: a real gateway process (SQLite) gets 10,000 customer messages in
   10,000 conversations (posted in batches, each with its own ``ts``); a
   supervisor's python-socketio client records when each ``reply.overdue``
   arrives. Latency = arrival - the turn's deadline (``ts + reply_seconds``).
   Reported: p50 / p99 / max, how many arrived, duplicates, and the sweep's own
   time per run from the gateway's ``/metrics``.
B. Sweep cost against open turns that are not due: the same sweep over a
   database holding 0, 10,000 and 50,000 open turns whose deadlines are far
   away, in-process; flat cost means the index does the work, not a scan.

``--background 100000`` stores that many other open turns (deadlines a day away)
before the gateway starts, so part A runs with 100,000 open turns.

    .venv/bin/python benchmarks/alerts.py
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
import socketio
from common import free_port, metrics, percentile, wait_ready

from bot.settings import Settings
from monitors.events import ChatEvent, EventType, SenderRole
from storage.engine import make_engine, upgrade, writer
from storage.ingest import apply_batch
from storage.sweep import sweep

ROOT = Path(__file__).resolve().parent.parent
TOKEN, SUPERVISOR = "bench-integration-token", "bench-supervisor-token"


def start_gateway(
    workdir: Path, port: int, deadline: float, sweep_seconds: float
) -> subprocess.Popen[bytes]:
    config = workdir / "alerts.toml"
    config.write_text(
        f'[storage]\nurl = "sqlite+aiosqlite:///{workdir / "alerts.db"}"\n'
        f"[monitor]\nreply_seconds = {deadline}\nunanswered_seconds = 86400\n"
        f"sweep_seconds = {sweep_seconds}\n"
        '[logging]\nlevel = "WARNING"\n'
        f'[[auth.tokens]]\ntoken = "{TOKEN}"\nrole = "integration"\n'
        f'[[auth.tokens]]\ntoken = "{SUPERVISOR}"\nrole = "supervisor"\n',
        encoding="utf-8",
    )
    command = [sys.executable, "-m", "bot", "serve", "--config", str(config), "--port", str(port)]
    return subprocess.Popen(command, cwd=ROOT, stderr=subprocess.DEVNULL)


FAR = dataclasses.replace(
    Settings().rules(), reply_seconds=86_400, busy_reply_seconds=86_400, unanswered_seconds=86_400
)


async def fill_background(database: str, count: int) -> None:
    """``count`` open turns whose deadlines are a day away (customers waiting on other
    agents' chats), stored through the ingest path before the gateway starts."""
    engine = make_engine(database)
    await upgrade(engine)
    for start in range(0, count, 2000):
        batch = _open_turns(min(2000, count - start), 10_000_000 + start)
        async with writer(engine).begin() as conn:
            await conn.run_sync(apply_batch, batch, None, FAR)
    await engine.dispose()


async def latency(
    conversations: int,
    deadline: float,
    sweep_seconds: float,
    background: int,
    batch: int = 500,
    pace: float = 0.0,
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        if background:
            started = time.perf_counter()
            await fill_background(f"sqlite+aiosqlite:///{Path(tmp) / 'alerts.db'}", background)
            print(
                f"   {background:,} other open turns stored"
                f" in {time.perf_counter() - started:.0f} s"
            )
        gateway = start_gateway(Path(tmp), port, deadline, sweep_seconds)
        try:
            await wait_ready(url)
            await _measure(url, conversations, deadline, sweep_seconds, batch, pace)
        finally:
            gateway.terminate()
            gateway.wait(30)


async def _measure(
    url: str, conversations: int, deadline: float, sweep_seconds: float, batch: int, pace: float
) -> None:
    client, arrived = await watch_overdue(url)
    posted = time.perf_counter()
    due = await post_customers([url], conversations, deadline, batch, pace)
    posting = time.perf_counter() - posted
    give_up = max(due.values()) + 10
    while len(arrived) < conversations and time.time() < give_up:  # noqa: ASYNC110
        await asyncio.sleep(0.1)
    await client.disconnect()
    async with aiohttp.ClientSession() as http:
        found = await metrics(http, url)
    sweep_sum = found["replywatch_sweep_seconds_sum"]
    sweep_count = found["replywatch_sweep_seconds_count"]
    print(
        f"A. latency, sweep every {sweep_seconds} s: {conversations} open conversations "
        f"(beside the other open turns, {batch} per POST every {pace:g} s) "
        f"posted in {posting:.1f} s, deadline {deadline} s"
    )
    report_latency(arrived, due)
    print(
        f"   sweep runs {sweep_count:.0f}, mean cost {sweep_sum / max(sweep_count, 1) * 1e3:.2f} ms"
        " (claim + record + deliver)"
    )


async def watch_overdue(url: str) -> tuple[socketio.AsyncClient, dict[str, list[float]]]:
    """A supervisor's console on ``url``; when each ``reply.overdue`` arrives, by message."""
    arrived: dict[str, list[float]] = {}
    client = socketio.AsyncClient(reconnection=False)

    @client.on("alert", namespace="/supervisor")
    async def on_alert(alert: dict[str, object]) -> None:
        if alert["kind"] == "reply.overdue":
            arrived.setdefault(str(alert["message_id"]), []).append(time.time())

    await client.connect(
        url, namespaces=["/supervisor"], auth={"token": SUPERVISOR}, transports=["websocket"]
    )
    return client, arrived


async def post_customers(
    urls: list[str], count: int, deadline: float, batch: int, pace: float
) -> dict[str, float]:
    """``count`` customers write (``batch`` per POST, ``pace`` seconds apart, POSTs taking
    turns among ``urls``); each message's deadline by id."""
    due: dict[str, float] = {}
    async with aiohttp.ClientSession() as http:
        for n, start in enumerate(range(0, count, batch)):
            if pace:
                await asyncio.sleep(pace)
            events = []
            for i in range(start, min(count, start + batch)):
                ts = time.time()
                due[f"m{i}"] = ts + deadline
                events.append(
                    {"id": f"m{i}", "conversation_id": f"c{i}", "ts": ts,
                     "sender": {"role": "customer", "id": f"u{i}"}, "text": "请问什么时候发货"}
                )  # fmt: skip
            async with http.post(
                f"{urls[n % len(urls)]}/api/v1/events",
                json={"events": events},
                headers={"Authorization": f"Bearer {TOKEN}"},
            ) as resp:
                assert resp.status == 202, await resp.text()
    return due


def report_latency(arrived: dict[str, list[float]], due: dict[str, float]) -> None:
    """Print how many alerts arrived, duplicates, and deadline -> arrival percentiles."""
    delays = [arrived[m][0] - due[m] for m in arrived]
    duplicates = sum(len(times) - 1 for times in arrived.values())
    print(f"   reply.overdue received {len(arrived)}/{len(due)}, duplicates {duplicates}")
    if delays:
        print(
            f"   deadline -> alert: p50 {percentile(delays, 0.5) * 1e3:.0f} ms, "
            f"p99 {percentile(delays, 0.99) * 1e3:.0f} ms, max {max(delays) * 1e3:.0f} ms "
            "(target p99 <= 50 ms)"
        )


def _open_turns(count: int, offset: int) -> list[ChatEvent]:
    now = time.time()
    return [
        ChatEvent(
            id=f"m{offset + i}",
            channel="api",
            type=EventType.MESSAGE,
            ts=now,
            received_at=now,
            conversation_id=f"c{offset + i}",
            sender_role=SenderRole.CUSTOMER,
            sender_id="u",
            text="在吗",
        )
        for i in range(count)
    ]


async def sweep_cost(sizes: list[int], runs: int) -> None:
    print("B. sweep cost with nothing due, by open turns in the database (SQLite)")
    baseline = None
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite+aiosqlite:///{tmp}/sweep.db")
        await upgrade(engine)
        stored = 0
        for size in sizes:
            while stored < size:
                batch = _open_turns(min(1000, size - stored), stored)
                async with writer(engine).begin() as conn:
                    await conn.run_sync(apply_batch, batch, None, FAR)
                stored += len(batch)
            timings = []
            for _ in range(runs):
                started = time.perf_counter()
                async with writer(engine).begin() as conn:
                    found = await conn.run_sync(sweep, time.time(), FAR)
                timings.append(time.perf_counter() - started)
                assert found.alerts == []
                assert found.assigned == []
            cost = statistics.median(timings) * 1e3
            baseline = baseline or cost
            print(
                f"   {size:>6} open turns: median {cost:.2f} ms per sweep "
                f"({cost / baseline:.2f}x the empty database)"
            )
        await engine.dispose()


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--conversations", type=int, default=10_000)
    parser.add_argument("--deadline", type=float, default=20.0)
    parser.add_argument("--sweep-seconds", type=float, default=0.5)
    parser.add_argument("--sizes", type=int, nargs="+", default=[0, 10_000, 50_000])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument(
        "--background",
        type=int,
        default=0,
        help="open turns not due (deadline a day away) stored before the gateway starts",
    )
    parser.add_argument("--skip-cost", action="store_true", help="only the latency part")
    parser.add_argument("--batch", type=int, default=500, help="messages per POST (a burst)")
    parser.add_argument("--pace", type=float, default=0.0, help="seconds between POSTs")
    args = parser.parse_args()
    await latency(
        args.conversations,
        args.deadline,
        args.sweep_seconds,
        args.background,
        args.batch,
        args.pace,
    )
    if args.skip_cost:
        return 0
    await sweep_cost(args.sizes, args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
