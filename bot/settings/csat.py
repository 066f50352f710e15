"""``[csat]``: the satisfaction survey (DESIGN.md section 12)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from bot.settings.base import Section


class CsatSettings(Section):
    """``[csat]``: the script sent (as a bot message) when a conversation closes, and how
    long the customer's next message may be read as its 1-5 answer. No script: no
    survey, and nothing is read as a rating."""

    survey_script: Annotated[str, Field(max_length=100)] = ""
    window_seconds: Annotated[float, Field(gt=0, le=30 * 86400)] = 86400.0

    def answer_window(self) -> float:
        """The window the rules read answers in (0 with the survey off)."""
        return self.window_seconds if self.survey_script else 0.0
