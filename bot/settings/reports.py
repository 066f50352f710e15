"""``[reports]``: scheduled reports."""

from __future__ import annotations

from typing import Literal

from apscheduler.triggers.cron import CronTrigger
from pydantic import Field, model_validator

from bot.settings.alerts import WebhookSettings
from bot.settings.base import Section


def cron_trigger(expression: str, timezone: str) -> CronTrigger:
    """A trigger from a crontab line (minute hour day month weekday), or six fields with
    seconds first; ``ValueError`` naming the problem when it is not one."""
    fields = expression.split()
    if len(fields) == 5:
        return CronTrigger.from_crontab(expression, timezone=timezone)
    if len(fields) == 6:
        names = ("second", "minute", "hour", "day", "month", "day_of_week")
        return CronTrigger(**dict(zip(names, fields, strict=True)), timezone=timezone)
    raise ValueError(f"cron needs 5 fields (or 6 with seconds first), got {len(fields)}")


ReportFormat = Literal["csv", "xlsx", "html"]


def _html_only() -> list[ReportFormat]:
    return ["html"]


class ReportScheduleSettings(Section):
    """One ``[[reports.schedule]]``: a report written on a cron schedule while the
    service runs, optionally announced to a webhook."""

    period: Literal["day", "week", "month", "quarter", "year"]
    cron: str
    output_dir: str = "reports"
    formats: list[ReportFormat] = Field(default_factory=_html_only, min_length=1)
    covers: Literal["previous", "current"] = "previous"
    webhook: WebhookSettings | None = None

    @model_validator(mode="after")
    def _valid_cron(self) -> ReportScheduleSettings:
        try:
            cron_trigger(self.cron, "UTC")
        except ValueError as exc:
            raise ValueError(f"cron: {exc}") from exc
        return self


class ReportsSettings(Section):
    """``[reports]``: scheduled reports."""

    schedule: list[ReportScheduleSettings] = Field(default_factory=list)
