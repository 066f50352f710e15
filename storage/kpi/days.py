"""KPI figures day by day over a period (a report's day rows)."""

from __future__ import annotations

import time
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncConnection

from monitors import periods
from monitors.kpis import Figures
from storage.kpi import queries as kpi_queries
from storage.kpi import rollup_days, rollup_reads


async def figures_by_day(
    conn: AsyncConnection,
    start: float,
    end: float,
    agent_id: str | None,
    timezone: str,
    now: float | None = None,
) -> list[tuple[date, dict[str | None, Figures]]]:
    """:func:`storage.kpi.queries.figures` for each local day of ``[start, end)``
    (clipped to it): read from the rollups in one pass when they can answer (QA and
    suggestion figures still per day, from their small tables), else day by day from
    the raw rows."""
    zone = ZoneInfo(timezone)
    clock = time.time() if now is None else now
    span = await conn.run_sync(rollup_reads.usable, timezone, start, end, clock)
    found = await conn.run_sync(rollup_days.by_day, span, agent_id) if span else {}
    out = []
    for day, day_start, day_end in periods.days(start, end, zone):
        if span is None:
            per_day = await kpi_queries.figures(conn, day_start, day_end, agent_id)
        else:
            per_day = found[day.toordinal()]
            await kpi_queries.add_people(conn, per_day, day_start, day_end, agent_id)
        out.append((day, per_day))
    return out
