"""``[monitor]``: the response-time rules' numbers (their only defaults)."""

from __future__ import annotations

from pydantic import Field

from bot.settings.base import Section
from monitors.hours import BusinessHours
from monitors.routing import RoutingRules
from monitors.rules import Thresholds


class MonitorSettings(Section):
    """``[monitor]``: the response-time rules (seconds, fractions allowed)."""

    reply_seconds: float = Field(default=20.0, gt=0)
    busy_reply_seconds: float = Field(default=60.0, gt=0)
    busy_concurrency: int = Field(default=4, ge=1)
    warn_ratio: float = Field(default=0.75, gt=0, lt=1)
    unanswered_seconds: float = Field(default=300.0, gt=0)
    active_window_seconds: float = Field(default=600.0, gt=0)
    sweep_seconds: float = Field(default=0.5, gt=0)
    forbidden_phrases: list[str] = Field(default_factory=lambda: ["不行", "不知道", "不可以"])
    #: Exceptions the team allows although they contain a forbidden phrase.
    allowed_phrases: list[str] = Field(default_factory=list)

    def thresholds(
        self,
        hours: BusinessHours | None,
        reassign_after_seconds: float,
        max_reassignments: int,
        routing: RoutingRules,
        sample_rate: float,
    ) -> Thresholds:
        """The numbers the pure response-time rules take (with the business hours, the
        escalation's, routing's and QA sampling's, which their own sections hold)."""
        return Thresholds(
            hours=hours,
            reassign_after_seconds=reassign_after_seconds,
            max_reassignments=max_reassignments,
            routing=routing,
            sample_rate=sample_rate,
            reply_seconds=self.reply_seconds,
            busy_reply_seconds=self.busy_reply_seconds,
            busy_concurrency=self.busy_concurrency,
            warn_ratio=self.warn_ratio,
            unanswered_seconds=self.unanswered_seconds,
            active_window_seconds=self.active_window_seconds,
            forbidden_phrases=tuple(self.forbidden_phrases),
            allowed_phrases=tuple(self.allowed_phrases),
        )
