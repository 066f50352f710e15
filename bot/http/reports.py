"""Reports over HTTP, for the console's reports page: the period's report file to
download (CSV, XLSX, HTML — the same files ``replywatch report`` writes) and its two
charts as PNG images."""

from __future__ import annotations

import asyncio
import time
from datetime import date
from typing import Literal
from zoneinfo import ZoneInfo

from aiohttp import web
from pydantic import Field

from bot.auth import roles
from bot.http.params import Query, query
from bot.keys import ENGINE, SETTINGS
from bot.reports.produce import gather
from bot.schemas import Day
from monitors import charts, periods, report_files
from storage.kpi import reports as report_queries

REPORT_ROLES = ("supervisor", "qa", "admin")
MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html; charset=utf-8",
}


class PeriodQuery(Query):
    """The period holding ``date`` (default today, in ``kpi.timezone``)."""

    period: periods.Period = periods.Period.DAY
    day: Day | None = Field(default=None, alias="date")


class FileQuery(PeriodQuery):
    """``GET /api/v1/reports/file`` parameters."""

    format: Literal["csv", "xlsx", "html"] = "html"


class ChartQuery(PeriodQuery):
    """``GET /api/v1/reports/chart`` parameters."""

    chart: Literal["response", "hourly"]


def _day(request: web.Request, params: PeriodQuery) -> tuple[date, ZoneInfo]:
    tz = ZoneInfo(request.app[SETTINGS].kpi.timezone)
    return params.day or periods.today(time.time(), tz), tz


@roles(*REPORT_ROLES)
async def report_file(request: web.Request) -> web.Response:
    """The report of a period as a download (CSV: the team and agent table)."""
    params = query(request, FileQuery)
    day, _ = _day(request, params)
    settings = request.app[SETTINGS]
    data = await gather(request.app[ENGINE], settings, params.period, day)
    rendered = await asyncio.to_thread(report_files.RENDERERS[params.format], data)
    name, body = next(iter(rendered.items()))
    return web.Response(
        body=body,
        headers={
            "Content-Type": MEDIA[params.format],
            "Content-Disposition": f'attachment; filename="{name}"',
        },
    )


@roles(*REPORT_ROLES)
async def report_chart(request: web.Request) -> web.Response:
    """One of the report's charts for a period, as a PNG image."""
    params = query(request, ChartQuery)
    day, tz = _day(request, params)
    start, end = periods.bounds(params.period, day, tz)
    end = min(end, max(time.time(), start + 1))
    async with request.app[ENGINE].connect() as conn:
        if params.chart == "response":
            histogram = await report_queries.response_histogram(conn, start, end)
            deadline = request.app[SETTINGS].monitor.reply_seconds
            png = await asyncio.to_thread(charts.response_chart, histogram, deadline)
        else:
            hours = await report_queries.hourly_load(conn, start, end)
            png = await asyncio.to_thread(charts.hourly_chart, hours)
    return web.Response(body=png, content_type="image/png")


routes = [
    web.get("/api/v1/reports/file", report_file),
    web.get("/api/v1/reports/chart", report_chart),
]
