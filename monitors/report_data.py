"""What a report shows, gathered once and written in any format."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from monitors.periods import Period, label
from monitors.quality import Assessment
from scripts_library.gaps import Asked, Gap

#: Upper edges (seconds) of the response-time histogram; the last bucket is open.
RESPONSE_EDGES = (5, 10, 15, 20, 25, 30, 40, 60, 120, 300)


@dataclass(frozen=True, slots=True)
class HourLoad:
    """Turns started in one hour of the day, and how many of those decided met the SLA."""

    hour: int
    turns: int
    within: int
    decided: int

    @property
    def compliance(self) -> float | None:
        """Share of decided turns answered within their deadline."""
        return self.within / self.decided if self.decided else None


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
    #: The period's most asked questions, answered or not (the manuals' top 15).
    asked: list[Asked] = field(default_factory=list)
    #: The month's assessment (monthly reports only).
    assessment: list[Assessment] = field(default_factory=list)
    #: Complaints registered in the period by category, most first (顾客投诉分类统计表).
    complaints: list[tuple[str, int]] = field(default_factory=list)

    @property
    def name(self) -> str:
        """File stem: ``replywatch-day-2026-11-22``, ``replywatch-month-2026-11``,
        ``replywatch-quarter-2026-Q4``, ``replywatch-year-2026``."""
        return f"replywatch-{self.period.value}-{label(self.period, self.first_day)}"

    @property
    def title(self) -> str:
        """Human title."""
        return f"ReplyWatch {self.period.value} report from {self.first_day} ({self.timezone})"
