"""KPI documents: the figures of a period as the API answers them and reports print them."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.payloads import iso
from bot.settings import KpiSettings
from monitors.kpis import Figures, Scoring, as_json
from storage.kpi import days as kpi_days
from storage.kpi import queries as kpi_queries


def _agents(found: dict[str | None, Figures], scoring: Scoring) -> list[dict[str, Any]]:
    return [
        {"agent_id": agent_id, **as_json(figures, scoring)}
        for agent_id, figures in sorted((k, v) for k, v in found.items() if k is not None)
    ]


async def build(
    engine: AsyncEngine,
    settings: KpiSettings,
    start: float,
    end: float,
    agent_id: str | None = None,
    by_day: bool = False,
    now: float | None = None,
) -> dict[str, Any]:
    """``{"from", "to", "timezone", "team", "agents", "scripts", "days"?}`` for ``[start, end)``;
    with ``agent_id`` only that agent (and ``team`` is theirs). ``now`` is the clock the
    caller computed ``end`` from (a period "so far" is then read from the rollups)."""
    scoring = settings.scoring()
    async with engine.connect() as conn:
        found = await kpi_queries.figures(conn, start, end, agent_id, settings.timezone, now)
        uses = [] if agent_id else await kpi_queries.script_use(conn, start, end)
        daily = []
        if by_day:
            days = await kpi_days.figures_by_day(conn, start, end, agent_id, settings.timezone, now)
            daily = [
                {
                    "date": day.isoformat(),
                    "team": as_json(per_day.get(None, Figures()), scoring),
                    "agents": _agents(per_day, scoring),
                }
                for day, per_day in days
            ]
    document: dict[str, Any] = {
        "from": iso(start),
        "to": iso(end),
        "timezone": settings.timezone,
        "team": as_json(found.get(None, Figures()), scoring),
        "agents": _agents(found, scoring),
        "scripts": [
            {
                "script_id": use.script_id,
                "shown": use.shown,
                "used": use.used,
                "edited": use.edited,
                "ignored": use.ignored,
                "acceptance_rate": use.acceptance_rate,
            }
            for use in uses
        ],
    }
    if by_day:
        document["days"] = daily
    return document
