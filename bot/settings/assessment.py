"""``[assessment]``: the monthly score (DESIGN.md section 12), the manuals' by default."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from bot.settings.base import Section
from monitors.quality import AssessmentRules, Grade
from monitors.satisfaction import MeritRule

Score = Annotated[float, Field(ge=0, le=1000, allow_inf_nan=False)]


class GradeSettings(Section):
    """A grade and the score that reaches it."""

    name: Annotated[str, Field(min_length=1, max_length=100)]
    min: Score


def _grades() -> list[GradeSettings]:
    return [
        GradeSettings(name="高级客服", min=90),
        GradeSettings(name="中级客服", min=80),
        GradeSettings(name="初级客服", min=70),
    ]


class AssessmentSettings(Section):
    """``[assessment]``: base 80, points moving it between -20 and +20, capped at 100,
    a supervisor's adjustment of at most 5 either way, graded from 70 up."""

    base: Score = 80.0
    min_delta: Annotated[float, Field(ge=-1000, le=0)] = -20.0
    max_delta: Annotated[float, Field(ge=0, le=1000)] = 20.0
    cap: Score = 100.0
    adjustment_limit: Annotated[float, Field(ge=0, le=100)] = 5.0
    fail_below: Score = 70.0
    grades: list[GradeSettings] = Field(default_factory=_grades, min_length=1)
    #: The manuals' satisfaction merit: +5 a month with 90 % or more satisfied ratings
    #: (0 = off), over at least ``satisfaction_min_responses`` ratings.
    satisfaction_points: Annotated[float, Field(ge=0, le=100)] = 5.0
    satisfaction_rate: Annotated[float, Field(gt=0, le=1)] = 0.9
    satisfaction_min_responses: Annotated[int, Field(ge=1, le=100_000)] = 10

    @model_validator(mode="after")
    def _consistent(self) -> AssessmentSettings:
        if len({g.name for g in self.grades}) != len(self.grades):
            raise ValueError("grades: each name once")
        if self.base > self.cap:
            raise ValueError("base: above cap")
        return self

    def rules(self) -> AssessmentRules:
        """The pure assessment's numbers."""
        return AssessmentRules(
            self.base,
            self.min_delta,
            self.max_delta,
            self.cap,
            self.adjustment_limit,
            self.fail_below,
            tuple(Grade(g.name, g.min) for g in self.grades),
            MeritRule(
                self.satisfaction_points, self.satisfaction_rate, self.satisfaction_min_responses
            ),
        )
