"""``[qa]``: the points the QA desk suggests per flagged kind."""

from __future__ import annotations

from pydantic import Field, model_validator

from bot.settings.base import Section
from monitors.rules import FLAGGED, AlertKind


def _default_points() -> dict[AlertKind, float]:
    return {AlertKind.SLOW: -2.0, AlertKind.FORBIDDEN: -5.0, AlertKind.UNANSWERED: -10.0}


class QaSettings(Section):
    """``[qa]``: the points the QA desk suggests when a reviewer confirms a flag of each
    kind (reviewers may change them). A reviewed ``message.unanswered`` flag's points
    replace the automatic ``kpi.unanswered_points`` fault."""

    default_points: dict[AlertKind, float] = Field(default_factory=_default_points)

    @model_validator(mode="after")
    def _in_range(self) -> QaSettings:
        not_flagged = sorted(str(kind) for kind in self.default_points if kind not in FLAGGED)
        if not_flagged:
            raise ValueError(f"default_points: {', '.join(not_flagged)} never reaches QA review")
        if any(not -1000 <= points <= 1000 for points in self.default_points.values()):
            raise ValueError("default_points: between -1000 and 1000")
        return self
