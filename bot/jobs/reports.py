"""Scheduled reports: each ``[[reports.schedule]]`` writes its report when its cron says,
while the service runs, and may announce it to a webhook (signed like alerts)."""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.delivery.webhooks import Delivery, Webhook
from bot.metrics import Metrics
from bot.reports.produce import produce
from bot.settings import ReportScheduleSettings, Settings
from monitors.periods import Period, first_day, today
from monitors.report_data import ReportData
from storage import report_runs

log = logging.getLogger(__name__)


def covered_day(period: Period, now_day: date, covers: str) -> date:
    """A day inside the period a run on ``now_day`` reports: the current period, or the
    one before it (a daily 08:00 report covers yesterday, a Monday one last week)."""
    if covers == "current":
        return now_day
    return first_day(period, now_day) - timedelta(days=1)


def announcement(data: ReportData, files: list[Path]) -> dict[str, Any]:
    """The webhook body's ``report``: the period, the files and the team's figures."""
    return {
        "period": data.period.value,
        "first_day": data.first_day.isoformat(),
        "from": data.kpis["from"],
        "to": data.kpis["to"],
        "files": [str(path) for path in files],
        "team": data.kpis["team"],
    }


class ReportJob:
    """One scheduled report."""

    def __init__(
        self,
        engine: AsyncEngine,
        settings: Settings,
        schedule: ReportScheduleSettings,
        metrics: Metrics,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._engine = engine
        self._settings = settings
        self._schedule = schedule
        self._metrics = metrics
        self._clock = clock

    @property
    def key(self) -> str:
        """What identifies this schedule across processes."""
        s = self._schedule
        return f"{s.period}|{s.cron}|{s.covers}|{','.join(s.formats)}|{s.output_dir}"[:200]

    async def run(self) -> list[Path]:
        """Write the report (and announce it) unless another process already claimed this
        period's run; failures are logged, never raised."""
        schedule = self._schedule
        period = Period(schedule.period)
        now = self._clock()
        day = covered_day(
            period, today(now, ZoneInfo(self._settings.kpi.timezone)), schedule.covers
        )
        period_key = first_day(period, day).isoformat()
        if not await report_runs.claim(self._engine, self.key, period_key, now):
            log.info("scheduled %s report for %s: written by another process", period.value, day)
            return []
        try:
            data, files = await produce(
                self._engine,
                self._settings,
                period,
                day,
                list(schedule.formats),
                Path(schedule.output_dir),
            )
        except Exception:
            log.exception("scheduled %s report for %s failed", period.value, day)
            await report_runs.release(self._engine, self.key, period_key)
            return []
        log.info("scheduled %s report written: %s", period.value, ", ".join(map(str, files)))
        if schedule.webhook is not None:
            await self._announce(schedule, data, files)
        return files

    async def _announce(
        self, schedule: ReportScheduleSettings, data: ReportData, files: list[Path]
    ) -> None:
        assert schedule.webhook is not None
        hook = Webhook(schedule.webhook)
        body = {"event": "report", "report": announcement(data, files)}
        delivery = Delivery(uuid.uuid4().hex, "report", json.dumps(body).encode())
        async with aiohttp.ClientSession() as session:
            sent = await hook.deliver(session, delivery)
        self._metrics.sink_deliveries.labels("report", "sent" if sent else "failed").inc()
