"""Aggregates behind the report charts: the response-time distribution and the load
and SLA compliance by hour of day. One row per bucket comes back, never per turn."""

from __future__ import annotations

from sqlalchemy import case, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from monitors.report_data import RESPONSE_EDGES, HourLoad
from storage.kpi.queries import outcomes, turn_agent, whole
from storage.tables import TURNS


async def response_histogram(
    conn: AsyncConnection, start: float, end: float, agent_id: str | None = None
) -> list[int]:
    """Replied turns per response-time bucket (``RESPONSE_EDGES``, then the rest)."""
    bucket = case(
        *((TURNS.c.response_seconds < edge, index) for index, edge in enumerate(RESPONSE_EDGES)),
        else_=len(RESPONSE_EDGES),
    )
    query = (
        select(bucket.label("bucket"), func.count().label("n"))
        .where(TURNS.c.started_at >= start, TURNS.c.started_at < end, outcomes(end).replied)
        .group_by(bucket)
    )
    if agent_id is not None:
        query = query.where(turn_agent() == agent_id)
    counts = [0] * (len(RESPONSE_EDGES) + 1)
    for row in await conn.execute(query):
        counts[int(row.bucket)] = int(row.n)
    return counts


async def hourly_load(conn: AsyncConnection, start: float, end: float) -> list[HourLoad]:
    """Per hour of the day (hours counted from ``start``, a local midnight): turns
    started, and of the decided ones (replied, or still waiting past the deadline) how
    many were answered in time (see ``kpi_queries.outcomes``)."""
    hour = whole((TURNS.c.started_at - literal(start)) / 3600) % 24
    outcome = outcomes(end)
    decided = case((or_(outcome.within, outcome.breached), 1), else_=0)
    query = (
        select(
            hour.label("hour"),
            func.count().label("turns"),
            func.sum(case((outcome.within, 1), else_=0)).label("within"),
            func.sum(decided).label("decided"),
        )
        .where(TURNS.c.started_at >= start, TURNS.c.started_at < end)
        .group_by(hour)
    )
    found = {int(r.hour): r for r in await conn.execute(query)}
    return [
        HourLoad(h, int(found[h].turns), int(found[h].within or 0), int(found[h].decided or 0))
        if h in found
        else HourLoad(h, 0, 0, 0)
        for h in range(24)
    ]
