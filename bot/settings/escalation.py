"""``[escalation]``."""

from __future__ import annotations

from pydantic import Field

from bot.settings.base import Section


class EscalationSettings(Section):
    """``[escalation]``: move a turn nobody answers to another agent."""

    reassign_after_seconds: float = Field(default=0.0, ge=0)
    max_reassignments: int = Field(default=1, ge=1, le=10)
