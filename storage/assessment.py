"""What the monthly assessment counts (DESIGN.md section 12): each agent's confirmed
flags and merits of a month, and the supervisors' adjustments; merits and adjustments
are written here too."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, insert, select, union, union_all
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from monitors.quality import Entry
from monitors.satisfaction import MeritRule, merit_points
from storage import satisfaction
from storage.engine import writer
from storage.tables import ADJUSTMENTS, AGENTS, FLAGS, MERITS, USERS


@dataclass(slots=True)
class MonthFacts:
    """One month's entries and adjustments by agent, and every agent to assess."""

    entries: dict[str, list[Entry]] = field(default_factory=lambda: defaultdict(list))
    adjustments: dict[str, tuple[float, str]] = field(default_factory=dict)
    agents: set[str] = field(default_factory=set)


def _counted(start: float, end: float, agent_ids: Iterable[str] | None) -> list[Any]:
    where = [FLAGS.c.verdict == "confirmed", FLAGS.c.at >= start, FLAGS.c.at < end]
    if agent_ids is not None:
        where.append(FLAGS.c.agent_id.in_(sorted(agent_ids)))
    return where


def _merits_in(start: float, end: float, agent_ids: Iterable[str] | None) -> list[Any]:
    where = [MERITS.c.at >= start, MERITS.c.at < end]
    if agent_ids is not None:
        where.append(MERITS.c.agent_id.in_(sorted(agent_ids)))
    return where


def _csat_entry(tally: satisfaction.Tally, rule: MeritRule) -> Entry | None:
    points = merit_points(tally.responses, tally.satisfied, rule)
    if not points:
        return None
    share = round(100 * tally.satisfied / tally.responses)
    reason = f"satisfied {tally.satisfied}/{tally.responses} ({share} %)"
    return Entry("csat", 0, tally.last_at, points, reason, "csat")


async def facts(
    engine: AsyncEngine,
    start: float,
    end: float,
    month: str,
    agent_ids: Iterable[str] | None,
    merit: MeritRule | None = None,
) -> MonthFacts:
    """The month ``[start, end)`` (named ``month``) for these agents (None: all), with
    the satisfaction merit each earned under ``merit``."""
    wanted = None if agent_ids is None else sorted(agent_ids)
    found = MonthFacts()
    flag_rows = select(
        FLAGS.c.id,
        FLAGS.c.agent_id,
        FLAGS.c.at,
        FLAGS.c.counted,
        FLAGS.c.note,
        FLAGS.c.description,
        FLAGS.c.category,
        FLAGS.c.kind,
    ).where(FLAGS.c.agent_id.is_not(None), *_counted(start, end, wanted))
    merit_rows = select(
        MERITS.c.id, MERITS.c.agent_id, MERITS.c.at, MERITS.c.points, MERITS.c.reason
    ).where(*_merits_in(start, end, wanted))
    adjustments = select(ADJUSTMENTS).where(ADJUSTMENTS.c.month == month)
    if wanted is not None:
        adjustments = adjustments.where(ADJUSTMENTS.c.agent_id.in_(wanted))
    async with engine.connect() as conn:
        for row in await conn.execute(flag_rows):
            reason = row.note or row.description
            found.entries[row.agent_id].append(
                Entry(
                    "flag",
                    row.id,
                    row.at,
                    float(row.counted or 0),
                    reason,
                    row.category or row.kind,
                )
            )
        for praise in await conn.execute(merit_rows):
            found.entries[praise.agent_id].append(
                Entry("merit", praise.id, praise.at, float(praise.points), praise.reason)
            )
        for adjusted in await conn.execute(adjustments):
            found.adjustments[adjusted.agent_id] = (float(adjusted.adjustment), adjusted.reason)
        if merit is not None:
            for agent, tally in (await satisfaction.tallies(conn, start, end, wanted)).items():
                entry = _csat_entry(tally, merit)
                if entry is not None:
                    found.entries[agent].append(entry)
        found.agents = set(found.entries) | set(found.adjustments)
        if wanted is None:
            found.agents |= await _known_agents(conn)
        else:
            found.agents |= set(wanted)
    return found


async def _known_agents(conn: AsyncConnection) -> set[str]:
    """Agents seen in events or tokens, and agent accounts (active or not)."""
    seen = select(AGENTS.c.id)
    accounts = select(USERS.c.id).where(USERS.c.role == "agent")
    return {row[0] for row in await conn.execute(union(seen, accounts))}


async def is_agent(engine: AsyncEngine, agent_id: str) -> bool:
    """Whether an agent by this id was seen or has an account."""
    seen = select(AGENTS.c.id).where(AGENTS.c.id == agent_id)
    account = select(USERS.c.id).where(USERS.c.id == agent_id, USERS.c.role == "agent")
    async with engine.connect() as conn:
        return (await conn.execute(union(seen, account))).first() is not None


async def points(
    engine: AsyncEngine,
    start: float,
    end: float,
    month: str,
    agent_ids: Iterable[str],
    merit: MeritRule | None = None,
) -> dict[str, tuple[float, float]]:
    """``agent -> (flag, merit and satisfaction points, adjustment)`` of an earlier
    month, summed in the database (the streak needs only totals)."""
    wanted = sorted(agent_ids)
    flag_sums = (
        select(FLAGS.c.agent_id.label("agent_id"), func.sum(FLAGS.c.counted).label("points"))
        .where(*_counted(start, end, wanted))
        .group_by(FLAGS.c.agent_id)
    )
    merit_sums = (
        select(MERITS.c.agent_id.label("agent_id"), func.sum(MERITS.c.points).label("points"))
        .where(*_merits_in(start, end, wanted))
        .group_by(MERITS.c.agent_id)
    )
    both = union_all(flag_sums, merit_sums).subquery()
    totals: dict[str, tuple[float, float]] = {}
    async with engine.connect() as conn:
        for agent, value in await conn.execute(select(both.c.agent_id, both.c.points)):
            totals[agent] = (totals.get(agent, (0.0, 0.0))[0] + float(value or 0), 0.0)
        adjusted = select(ADJUSTMENTS.c.agent_id, ADJUSTMENTS.c.adjustment).where(
            ADJUSTMENTS.c.month == month, ADJUSTMENTS.c.agent_id.in_(wanted)
        )
        for agent, value in await conn.execute(adjusted):
            totals[agent] = (totals.get(agent, (0.0, 0.0))[0], float(value))
        if merit is not None:
            for agent, tally in (await satisfaction.tallies(conn, start, end, wanted)).items():
                moved, adjustment = totals.get(agent, (0.0, 0.0))
                extra = merit_points(tally.responses, tally.satisfied, merit)
                totals[agent] = (moved + extra, adjustment)
    return totals


async def add_merit(
    engine: AsyncEngine, agent_id: str, points: float, reason: str, by: str, at: float
) -> int:
    """Record praise for an agent; its id."""
    row = {"agent_id": agent_id, "points": points, "reason": reason, "created_by": by, "at": at}
    async with writer(engine).begin() as conn:
        result = await conn.execute(insert(MERITS).values(**row).returning(MERITS.c.id))
        return int(result.scalar_one())


async def adjust(
    engine: AsyncEngine,
    month: str,
    agent_id: str,
    adjustment: float,
    reason: str,
    by: str,
    at: float,
) -> None:
    """Set (or replace) the supervisor's adjustment of an agent's month."""
    row = {
        "month": month,
        "agent_id": agent_id,
        "adjustment": adjustment,
        "reason": reason,
        "created_by": by,
        "at": at,
    }
    async with writer(engine).begin() as conn:
        module = postgresql if conn.dialect.name == "postgresql" else sqlite
        statement = module.insert(ADJUSTMENTS).values(**row)
        changed = {k: statement.excluded[k] for k in ("adjustment", "reason", "created_by", "at")}
        await conn.execute(
            statement.on_conflict_do_update(index_elements=["month", "agent_id"], set_=changed)
        )
