"""What a report shows, gathered once and written in any format."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from monitors.periods import Period
from scripts_library.gaps import Gap
from storage.report_queries import HourLoad


@dataclass(frozen=True)
class ReportData:
    """Everything a report shows."""

    period: Period
    first_day: date
    start: float
    end: float
    timezone: str
    kpis: dict[str, Any]
    histogram: list[int]
    hours: list[HourLoad]
    gaps: list[Gap]
    response_png: bytes
    hourly_png: bytes
    generated_at: float

    @property
    def name(self) -> str:
        """File stem: ``replywatch-day-2026-11-22``, ``replywatch-month-2026-11``."""
        label = (
            self.first_day.strftime("%Y-%m") if self.period is Period.MONTH else str(self.first_day)
        )
        return f"replywatch-{self.period.value}-{label}"

    @property
    def title(self) -> str:
        """Human title."""
        return f"ReplyWatch {self.period.value} report from {self.first_day} ({self.timezone})"
