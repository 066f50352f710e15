"""``[kpi]``."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, model_validator

from bot.settings.base import Section
from monitors.kpis import Scoring


class KpiSettings(Section):
    """``[kpi]``: how agents are scored (the manuals' bands by default) and the team's
    time zone (day, week and month boundaries)."""

    timezone: str = "UTC"
    #: (at least this reply rate, points), best first; below every band scores 0.
    reply_rate_bands: list[tuple[float, float]] = Field(
        default_factory=lambda: [(0.98, 100.0), (0.95, 80.0), (0.92, 60.0)]
    )
    #: (at most this average response in seconds, points), best first; above scores 0.
    response_bands: list[tuple[float, float]] = Field(
        default_factory=lambda: [(25.0, 100.0), (30.0, 80.0), (40.0, 60.0)]
    )
    reply_rate_weight: float = Field(default=0.5, ge=0)
    response_weight: float = Field(default=0.5, ge=0)
    unanswered_points: float = -10.0

    @model_validator(mode="after")
    def _valid(self) -> KpiSettings:
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"timezone: unknown time zone {self.timezone!r}") from exc
        rates = [limit for limit, _ in self.reply_rate_bands]
        if rates != sorted(rates, reverse=True) or not all(0 <= r <= 1 for r in rates):
            raise ValueError("reply_rate_bands: rates between 0 and 1, highest first")
        seconds = [limit for limit, _ in self.response_bands]
        if seconds != sorted(seconds) or not all(s > 0 for s in seconds):
            raise ValueError("response_bands: positive seconds, lowest first")
        return self

    def scoring(self) -> Scoring:
        """How the pure KPI arithmetic scores figures."""
        return Scoring(
            reply_rate_bands=tuple(self.reply_rate_bands),
            response_bands=tuple(self.response_bands),
            reply_rate_weight=self.reply_rate_weight,
            response_weight=self.response_weight,
            unanswered_points=self.unanswered_points,
        )
