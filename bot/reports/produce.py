"""Daily, weekly, monthly, quarterly and yearly reports: gather the figures once, write
CSV, XLSX or HTML.

Everything is read with SQL aggregates (``storage.kpi.queries``,
``storage.kpi.reports``) plus the library's unmatched questions; charts are
drawn off the event loop. Long runs report progress through a callback.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.assessments import month_assessments
from bot.reports.kpis import build
from bot.settings import Settings
from monitors import charts, report_files
from monitors.periods import Period, bounds, first_day
from monitors.report_data import ReportData
from scripts_library.gaps import group_gaps, most_asked
from storage import complaints, library_repo
from storage.kpi import reports as report_queries

Progress = Callable[[int, int, str], None]
GAP_SCAN = 5000
STEPS = 5


def quiet(_step: int, _total: int, _label: str) -> None:
    """A progress callback that says nothing."""


async def gather(
    engine: AsyncEngine,
    settings: Settings,
    period: Period,
    day: date,
    progress: Progress = quiet,
) -> ReportData:
    """Read the ``period`` holding ``day`` and draw its charts."""
    tz = ZoneInfo(settings.kpi.timezone)
    start, end = bounds(period, day, tz)
    end_now = min(end, max(time.time(), start + 1))
    progress(1, STEPS, "team and agent figures")
    kpis = await build(engine, settings.kpi, start, end_now, by_day=period is not Period.DAY)
    progress(2, STEPS, "response times and hourly load")
    async with engine.connect() as conn:
        histogram = await report_queries.response_histogram(conn, start, end_now)
        hours = await report_queries.hourly_load(conn, start, end_now)
    progress(3, STEPS, "library gaps and the most asked questions")
    unmatched = await library_repo.unmatched(engine, start, GAP_SCAN, until=end_now)
    gaps = group_gaps(unmatched)
    answered = await library_repo.answered(engine, start, end_now)
    _, scripts = await library_repo.load(engine)
    asked = most_asked(answered, {s.id: s for s in scripts}, gaps)
    progress(4, STEPS, "charts")
    response_png = await asyncio.to_thread(
        charts.response_chart, histogram, settings.monitor.reply_seconds
    )
    hourly_png = await asyncio.to_thread(charts.hourly_chart, hours)
    complaint_counts = await complaints.counts_by_category(engine, start, end_now)
    assessment = []
    if period is Period.MONTH:
        assessment = await month_assessments(engine, settings, first_day(period, day))
    return ReportData(
        period,
        first_day(period, day),
        start,
        end,
        settings.kpi.timezone,
        kpis,
        histogram,
        hours,
        gaps[:20],
        response_png,
        hourly_png,
        time.time(),
        asked,
        assessment,
        complaint_counts,
    )


async def write(
    data: ReportData, fmt: str, directory: Path, progress: Progress = quiet
) -> list[Path]:
    """Write the report as ``fmt`` (csv, xlsx, html) into ``directory``; the files."""
    progress(5, STEPS, f"writing {fmt}")
    return await asyncio.to_thread(_write, report_files.RENDERERS[fmt], data, directory)


def _write(
    render: Callable[[ReportData], report_files.Rendered], data: ReportData, directory: Path
) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, content in render(data).items():
        path = directory / name
        path.write_bytes(content)
        paths.append(path)
    return paths


async def produce(
    engine: AsyncEngine,
    settings: Settings,
    period: Period,
    day: date,
    formats: list[str],
    directory: Path,
    progress: Progress = quiet,
) -> tuple[ReportData, list[Path]]:
    """Gather once and write every format; the data and the files written."""
    data = await gather(engine, settings, period, day, progress)
    files: list[Path] = []
    for fmt in formats:
        files += await write(data, fmt, directory, progress)
    return data, files
