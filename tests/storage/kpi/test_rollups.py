"""The KPI rollups give exactly the raw query's figures: random histories of chats
(bursts, late and next-day replies, unassigned chats answered by whoever, closes,
reopens, customers coming back days later, alerts from the sweep) are stored through
the real ingest in random commit groups, and every period of whole days, for the team
and for each agent, reads the same figures from the rollups as from the raw rows; a
rebuild from scratch gives the same rows the transactions kept. On SQLite and on
PostgreSQL, in a zone with a daylight-saving change inside the history."""

from __future__ import annotations

import dataclasses
import math
import random
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from monitors.kpis import Figures
from storage.engine import writer
from storage.ingest import apply_batch
from storage.kpi import days as kpi_days
from storage.kpi import queries as kpi_queries
from storage.kpi import rollup_reads, rollups
from storage.sweep import sweep
from storage.tables import KPI_ALERT_DAYS, KPI_CUSTOMERS, KPI_RESPONSE_BINS, KPI_TURN_SUMS, TURNS
from tests.support.events import (
    Event,
    agent_replies,
    assigned,
    bot_says,
    closed,
    customer_says,
    typed,
)
from tests.support.rules import thresholds

ZONE = "Europe/Berlin"
#: 2027-03-26 21:00 in Berlin: the history runs over the night summer time begins.
START = datetime(2027, 3, 26, 21, 0, tzinfo=ZoneInfo(ZONE)).timestamp()
AGENTS = ("alice", "bob", "carol")
RULES = thresholds(reply_seconds=20, busy_reply_seconds=60, unanswered_seconds=300)


def history(rng: random.Random, steps: int) -> list[Event]:
    """A random, time-ordered history of six conversations."""
    t, events = START, []
    assignee: dict[str, str | None] = {f"c{i}": None for i in range(6)}
    for step in range(steps):
        t += rng.choice(
            [rng.uniform(1, 30)] * 6 + [rng.uniform(30, 900)] * 3 + [rng.uniform(2, 40) * 3600]
        )
        conv = rng.choice(sorted(assignee))
        roll, mid = rng.random(), f"e{step}"
        if roll < 0.45:
            events.append(customer_says(mid, conv, ts=t))
        elif roll < 0.75:
            current = assignee[conv]
            agent = current if current and rng.random() < 0.8 else rng.choice(AGENTS)
            events.append(agent_replies(mid, agent, conv, ts=t))
        elif roll < 0.87:
            chosen = rng.choice(AGENTS)
            assignee[conv] = chosen
            events.append(assigned(conv, chosen, mid, ts=t))
        elif roll < 0.94:
            events.append(closed(conv, mid, ts=t))
        else:
            events.append(bot_says(mid, conv, ts=t))
    # At the end a customer is waiting, not late yet: "so far" must not count them late.
    events.append(assigned("c-last", "alice", "last-a", ts=t + 0.5))
    return [*events, customer_says("last-m", "c-last", ts=t + 1)]


async def store(engine: AsyncEngine, rng: random.Random, events: list[Event]) -> None:
    """Through the real ingest, in commit groups of random size, sweeping between."""
    while events:
        size = rng.randint(1, 12)
        group, events = events[:size], events[size:]
        last = float(group[-1]["ts"])
        async with writer(engine).begin() as conn:
            await conn.run_sync(apply_batch, typed(*group), RULES, last)
            await conn.run_sync(sweep, last, RULES)


def same(a: Figures, b: Figures) -> bool:
    """Counts equal; averages equal up to float summation order."""
    for field in dataclasses.fields(Figures):
        x, y = getattr(a, field.name), getattr(b, field.name)
        close = isinstance(x, float) and isinstance(y, float) and math.isclose(x, y, rel_tol=1e-9)
        if x != y and not close:
            return False
    return True


async def _snapshot(engine: AsyncEngine) -> dict[str, set[tuple[Any, ...]]]:
    found = {}
    async with engine.connect() as conn:
        for table in (KPI_TURN_SUMS, KPI_RESPONSE_BINS, KPI_CUSTOMERS, KPI_ALERT_DAYS):
            rows = await conn.execute(select(table).where(table.c.n != 0))
            found[table.name] = {
                tuple(round(v, 6) if isinstance(v, float) else v for v in row) for row in rows
            }
    return found


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_rollups_give_the_raw_figures_for_every_whole_day_period(
    engine: AsyncEngine, seed: int
) -> None:
    rng = random.Random(seed)
    async with writer(engine).begin() as conn:
        assert await conn.run_sync(rollups.ensure, ZONE)  # built (empty) before the history
    events = history(rng, 160)
    await store(engine, rng, events)
    days = rollups.days_in(ZONE)
    first = days.of(START)
    async with engine.connect() as conn:
        last = days.of(await conn.scalar(select(func.max(TURNS.c.started_at))))
        compared = 0
        for d1 in range(first - 1, last + 2):
            for d2 in range(d1 + 1, last + 3):
                start, end = days.start(d1), days.start(d2)
                for agent in (None, *AGENTS):
                    raw = await kpi_queries.figures(conn, start, end, agent)
                    rolled = await kpi_queries.figures(conn, start, end, agent, timezone=ZONE)
                    assert raw.keys() == rolled.keys(), (d1, d2, agent)
                    for key in raw:
                        assert same(raw[key], rolled[key]), (
                            d1,
                            d2,
                            agent,
                            key,
                            raw[key],
                            rolled[key],
                        )
                    compared += len(raw)
    assert compared > 100  # the history is not empty
    async with engine.connect() as conn:  # "so far": from a midnight to now
        now = float(events[-1]["ts"]) + rng.uniform(0, 15)  # nothing stored is later
        for d1 in range(first, days.of(now) + 1):
            for agent in (None, *AGENTS):
                start = days.start(d1)
                raw = await kpi_queries.figures(conn, start, now, agent)
                rolled = await kpi_queries.figures(conn, start, now, agent, ZONE, now)
                assert raw.keys() == rolled.keys(), (d1, agent)
                assert all(same(raw[k], rolled[k]) for k in raw), (d1, agent, raw, rolled)
    kept = await _snapshot(engine)
    async with writer(engine).begin() as conn:
        await conn.run_sync(rollups.rebuild, ZONE)
    assert await _snapshot(engine) == kept


async def test_another_time_zone_rebuilds_the_rollups_in_its_days(engine: AsyncEngine) -> None:
    rng = random.Random(7)
    async with writer(engine).begin() as conn:
        await conn.run_sync(rollups.ensure, ZONE)
    await store(engine, rng, history(rng, 60))
    async with writer(engine).begin() as conn:
        assert not await conn.run_sync(rollups.ensure, ZONE)  # kept: nothing to do
        assert await conn.run_sync(rollups.ensure, "Asia/Shanghai")  # the team moved
    days = rollups.days_in("Asia/Shanghai")
    start, end = days.start(days.of(START)), days.start(days.of(START) + 3)
    async with engine.connect() as conn:
        assert await conn.run_sync(rollups.timezone) == "Asia/Shanghai"
        assert await conn.run_sync(rollup_reads.usable, ZONE, start, end, end) is None  # raw
        raw = await kpi_queries.figures(conn, start, end)
        rolled = await kpi_queries.figures(conn, start, end, timezone="Asia/Shanghai")
    assert raw.keys() == rolled.keys()
    assert all(same(raw[key], rolled[key]) for key in raw)


@pytest.mark.parametrize("seed", [4, 5])
async def test_day_rows_read_in_one_pass_match_each_day_read_alone(
    engine: AsyncEngine, seed: int
) -> None:
    """A report's day rows (one pass over the rollups, percentiles ranked in the
    database) are each day's figures, to the last day "so far"."""
    rng = random.Random(seed)
    async with writer(engine).begin() as conn:
        await conn.run_sync(rollups.ensure, ZONE)
    events = history(rng, 160)
    await store(engine, rng, events)
    days = rollups.days_in(ZONE)
    start = days.start(days.of(START) - 1)
    now = float(events[-1]["ts"]) + rng.uniform(0, 15)
    async with engine.connect() as conn:
        for agent in (None, *AGENTS):
            rows = await kpi_days.figures_by_day(conn, start, now, agent, ZONE, now)
            assert len(rows) == days.of(now) - days.of(start) + 1
            for day, found in rows:
                first = days.start(date_ordinal(day))
                end = min(now, days.start(date_ordinal(day) + 1))
                alone = await kpi_queries.figures(conn, first, end, agent)
                assert found.keys() == alone.keys(), (day, agent)
                assert all(same(found[k], alone[k]) for k in found), (day, agent, found, alone)


def date_ordinal(day: Any) -> int:
    return int(day.toordinal())


async def test_day_rows_rank_percentiles_at_the_nearest_rank(engine: AsyncEngine) -> None:
    """Ten customers answered in 1..10 s on one day: the median is the 5th (5 s) and
    p90 the 9th (9 s), ranked in the database as the raw query ranks them."""
    async with writer(engine).begin() as conn:
        await conn.run_sync(rollups.ensure, ZONE)
    t = START + 6 * 3600  # the next morning
    events = [assigned(f"k{i}", "alice", f"ka{i}", ts=t - 10) for i in range(10)]
    for i in range(10):
        events.append(customer_says(f"km{i}", f"k{i}", ts=t + 100 * i))
        events.append(agent_replies(f"kr{i}", "alice", f"k{i}", ts=t + 100 * i + i + 1))
    await store(engine, random.Random(0), events)
    days = rollups.days_in(ZONE)
    day = days.of(t)
    async with engine.connect() as conn:
        rows = await kpi_days.figures_by_day(
            conn, days.start(day), days.start(day + 1), None, ZONE, t + 5000
        )
    ((_, found),) = rows
    for key in (None, "alice"):
        assert (found[key].response_seconds_median, found[key].response_seconds_p90) == (5, 9)
