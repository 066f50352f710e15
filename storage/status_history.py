"""Agents' status history: their ``agent.status`` events, oldest first (attendance)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.tables import EVENTS

#: The most changes one query returns.
LIMIT = 10_000


@dataclass(frozen=True, slots=True)
class Change:
    """One stored status of an agent."""

    at: float
    status: str
    reason: str | None


async def changes(
    engine: AsyncEngine, agent_id: str, start: float, end: float
) -> tuple[str | None, list[Change]]:
    """The agent's status just before ``start`` (None: never seen) and every status
    stored from ``start`` to ``end``, in time order, repeats of one status left out."""
    where = (EVENTS.c.type == "agent.status", EVENTS.c.agent_id == agent_id)
    before = (
        select(EVENTS.c.status)
        .where(*where, EVENTS.c.ts < start)
        .order_by(EVENTS.c.ts.desc(), EVENTS.c.id.desc())
        .limit(1)
    )
    during = (
        select(EVENTS.c.ts, EVENTS.c.status, EVENTS.c.reason)
        .where(*where, EVENTS.c.ts >= start, EVENTS.c.ts < end)
        .order_by(EVENTS.c.ts, EVENTS.c.id)
        .limit(LIMIT)
    )
    async with engine.connect() as conn:
        status = (await conn.execute(before)).scalar()
        rows = (await conn.execute(during)).all()
    found, last = [], status
    for row in rows:
        if row.status != last:
            found.append(Change(float(row.ts), str(row.status), row.reason))
            last = row.status
    return status, found
