"""People: what routing costs on the ingest path, how fast routing decides and drains
the queue, and what signing in costs (DESIGN.md section 11).

A. Ingest CPU with routing on vs off: 300 online agents and 10,000 open conversations
   in a SQLite file; groups of 32 events (customers writing in open chats, one in ten a
   new chat that routing must place), stored through the writers' transaction
   (``storage.queue.ingest``). Rounds alternate on and off; medians of CPU per event.
B. Routing decision latency (a new chat's transaction, routing on minus off, p50/p99)
   and the drain when 100 agents come online at once with 500 chats queued.
C. Sign-in: argon2id's parameters and time per hash, and the event loop's lag while 50
   sign-ins are checked at once (against the same ticker with nothing else running).

    .venv/bin/python benchmarks/people.py
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import Engine, func, select

from benchmarks.common import percentile
from bot.accounts import HASHER, hash_password, password_matches
from bot.settings import Settings
from monitors.events import ChatEvent, EventType, SenderRole
from monitors.routing import RoutingRules
from monitors.rules import Thresholds
from storage import loadbook
from storage.engine import WRITE_OPTION, make_engine, make_sync_sqlite_engine, upgrade
from storage.queue import ingest
from storage.tables import CONVERSATIONS

BASE = Settings().rules()
ON = dataclasses.replace(BASE, routing=RoutingRules("least_loaded", 1000, True))
OFF = dataclasses.replace(BASE, routing=RoutingRules("off", 1000, True))
GROUP = 32


def _status(agent: str, status: str, ts: float) -> ChatEvent:
    return ChatEvent(
        id=f"st-{agent}-{status}-{ts}",
        channel="api",
        type=EventType.AGENT_STATUS,
        ts=ts,
        received_at=ts,
        agent_id=agent,
        status=status,
    )


def _customer(mid: str, conv: str, ts: float) -> ChatEvent:
    return ChatEvent(
        id=mid,
        channel="api",
        type=EventType.MESSAGE,
        ts=ts,
        received_at=ts,
        conversation_id=conv,
        sender_role=SenderRole.CUSTOMER,
        sender_id=f"u-{conv}",
        text="在吗",
    )


def _assigned(eid: str, conv: str, agent: str) -> ChatEvent:
    now = time.time()
    return ChatEvent(
        id=eid,
        channel="api",
        type=EventType.ASSIGNED,
        ts=now,
        received_at=now,
        conversation_id=conv,
        agent_id=agent,
    )


def _engine(path: Path) -> Engine:
    async def make() -> Engine:
        engine = make_engine(f"sqlite+aiosqlite:///{path}")
        await upgrade(engine)
        sync = make_sync_sqlite_engine(engine)
        loadbook.keep_on(sync)  # as the group writer does
        await engine.dispose()
        return sync

    return asyncio.run(make())


def _run(sync: Engine, events: list[ChatEvent], rules: Thresholds) -> None:
    with sync.execution_options(**{WRITE_OPTION: True}).begin() as conn:
        ingest(conn, events, None, rules)


def ingest_cost(rounds: int, agents: int, conversations: int) -> None:
    """A: CPU per event, routing on vs off."""
    with tempfile.TemporaryDirectory() as tmp:
        sync = _engine(Path(tmp) / "people.db")
        now = time.time()
        _run(sync, [_status(f"a{i}", "online", now) for i in range(agents)], OFF)
        for start in range(0, conversations, 1000):  # routed to the online agents
            chats = [_customer(f"o{n}", f"c{n}", now) for n in range(start, start + 1000)]
            _run(sync, chats, ON)
        costs: dict[str, list[float]] = {"off": [], "assigns": [], "on": []}
        serial = 0
        for _ in range(rounds):
            for name in ("off", "assigns", "on"):
                started = time.process_time()
                messages = 0
                for _ in range(40):
                    group = []
                    for k in range(GROUP):
                        serial += 1
                        new = k % 10 == 0
                        conv = f"n{serial}" if new else f"c{serial % conversations}"
                        if new and name == "assigns":  # the integration assigns it itself
                            group.append(_assigned(f"as{serial}", conv, f"a{serial % agents}"))
                        group.append(_customer(f"e{serial}", conv, time.time()))
                    _run(sync, group, ON if name == "on" else OFF)
                    messages += GROUP
                costs[name].append((time.process_time() - started) / messages * 1e6)
        off, assigns, on = (statistics.median(costs[n]) for n in ("off", "assigns", "on"))
        print(
            f"A. ingest with {agents} online agents, {conversations} open chats, groups of "
            f"{GROUP} customer messages (1 in 10 a new chat): CPU per customer message, median "
            f"of {rounds} rounds"
        )
        print(
            f"   routing off, new chats left unassigned {off:6.0f} µs; routing off, the "
            f"integration assigns them {assigns:6.0f} µs; routing on {on:6.0f} µs"
        )
        print(
            f"   on/off {on / off:.2f}, on/off-with-assignments {on / assigns:.2f} of the "
            "storage transaction alone (the 10 % budget is per event on the gateway: "
            "benchmarks/routing_gateway.py)"
        )


def decision_and_drain(samples: int, agents: int, queued: int) -> None:
    """B: a new chat's routing decision; the queue drained by agents coming online."""
    with tempfile.TemporaryDirectory() as tmp:
        sync = _engine(Path(tmp) / "route.db")
        now = time.time()
        _run(sync, [_status(f"a{i}", "online", now) for i in range(300)], OFF)
        timings: dict[str, list[float]] = {"off": [], "on": []}
        for n in range(samples):
            for name, rules in (("off", OFF), ("on", ON)):
                started = time.perf_counter()
                _run(sync, [_customer(f"d{name}{n}", f"d{name}{n}", time.time())], rules)
                timings[name].append((time.perf_counter() - started) * 1e3)
        extra = [on - off for on, off in zip(timings["on"], timings["off"], strict=True)]
        off, on = timings["off"], timings["on"]
        print(
            f"B. a new chat's transaction, {samples} samples, 300 online agents: routing off "
            f"p50 {percentile(off, 0.5):.2f} / p99 {percentile(off, 0.99):.2f} ms, on p50 "
            f"{percentile(on, 0.5):.2f} / p99 {percentile(on, 0.99):.2f} ms (the decision: p50 "
            f"{percentile(extra, 0.5):.2f} ms)"
        )
    with tempfile.TemporaryDirectory() as tmp:
        sync = _engine(Path(tmp) / "drain.db")
        now = time.time()
        for start in range(0, queued, 500):  # nobody online: every chat waits
            _run(sync, [_customer(f"q{n}", f"q{n}", now) for n in range(start, start + 500)], ON)
        started = time.perf_counter()
        _run(sync, [_status(f"b{i}", "online", time.time()) for i in range(agents)], ON)
        took = (time.perf_counter() - started) * 1e3
        with sync.connect() as conn:
            left = conn.execute(
                select(func.count()).where(CONVERSATIONS.c.queued_at.is_not(None))
            ).scalar_one()
        print(
            f"   {agents} agents come online at once with {queued} chats queued: drained in "
            f"{took:.0f} ms in one transaction ({queued - left} assigned, {left} left)"
        )


async def sign_in_cost(concurrent: int) -> None:
    """C: time per hash, and the loop's lag while ``concurrent`` sign-ins are checked."""
    hashes = []
    for _ in range(5):
        started = time.perf_counter()
        await hash_password("a long enough password")
        hashes.append((time.perf_counter() - started) * 1e3)
    stored = await hash_password("a long enough password")
    print(
        f"C. argon2id t={HASHER.time_cost} m={HASHER.memory_cost} KiB p={HASHER.parallelism}:"
        f" {statistics.median(hashes):.0f} ms per hash (median of 5)"
    )

    async def lag_during(work: asyncio.Future[object] | None, seconds: float) -> list[float]:
        lags = []
        end = time.perf_counter() + seconds
        while time.perf_counter() < end or (work is not None and not work.done()):
            before = time.perf_counter()
            await asyncio.sleep(0.005)
            lags.append((time.perf_counter() - before - 0.005) * 1e3)
        return lags

    idle = await lag_during(None, 1.0)
    checks = asyncio.gather(
        *(password_matches(stored, "a long enough password") for _ in range(concurrent))
    )
    started = time.perf_counter()
    busy = await lag_during(checks, 0.0)
    took = time.perf_counter() - started
    print(
        f"   loop lag, 5 ms ticker: idle p99 {percentile(idle, 0.99):.1f} / max "
        f"{max(idle):.1f} ms; during {concurrent} sign-ins at once ({took:.1f} s) p99 "
        f"{percentile(busy, 0.99):.1f} / max {max(busy):.1f} ms "
        f"({'UNDER' if max(busy) < 20 else 'OVER'} the 20 ms budget)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--agents", type=int, default=300)
    parser.add_argument("--conversations", type=int, default=10_000)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--sign-ins", type=int, default=50)
    args = parser.parse_args()
    ingest_cost(args.rounds, args.agents, args.conversations)
    decision_and_drain(args.samples, 100, 500)
    asyncio.run(sign_in_cost(args.sign_ins))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
