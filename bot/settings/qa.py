"""``[qa]`` and ``[[qa.category]]``: appeals, sampling and the categories flags are
scored by (DESIGN.md section 12)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, field_validator, model_validator

from bot.settings.base import Section
from monitors.rules import FLAGGED, AlertKind

#: A category id as configs and URLs spell it.
CategoryId = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
Points = Annotated[float, Field(ge=-100, le=0, allow_inf_nan=False)]


class CategorySettings(Section):
    """A kind of fault with the points a confirmed flag of it costs. ``kind`` links an
    automatic alert kind to it (its flags are scored by it)."""

    id: CategoryId
    name: Annotated[str, Field(min_length=1, max_length=200)]
    points: Points
    kind: AlertKind | None = None
    #: A formal warning (记过) besides the points, shown on the flag and the assessment.
    demerit: bool = False

    @field_validator("kind")
    @classmethod
    def _flagged(cls, kind: AlertKind | None) -> AlertKind | None:
        if kind is not None and kind not in FLAGGED:
            raise ValueError(f"{kind} never reaches QA review")
        return kind


def _manual_categories() -> list[CategorySettings]:
    """The manuals' own table (考核细则), plus the two automatic kinds they give no
    points for (see docs/kpis.md: the reviewer gives points where the team has a rule)."""
    rows: list[dict[str, Any]] = [
        {"id": "unanswered", "name": "5 分钟未回复", "points": -10, "kind": "message.unanswered"},
        {"id": "slow", "name": "回复超时", "points": 0, "kind": "reply.slow"},
        {"id": "forbidden", "name": "使用禁用语", "points": 0, "kind": "reply.forbidden_phrase"},
        {"id": "away", "name": "当班时间离开工作岗位超过 5 分钟未告知上级", "points": -5},
        {"id": "handover", "name": "交接班信息不完整", "points": -2},
        {"id": "price", "name": "未经允许私自答应客户改价格", "points": -10, "demerit": True},
        {"id": "dispute", "name": "与客户发生争执态度恶劣（有效投诉）", "points": -10},
        {"id": "other", "name": "其他", "points": 0},
    ]
    return [CategorySettings.model_validate(row) for row in rows]


class QaSettings(Section):
    """``[qa]``: how long an agent may appeal a confirmed review, the share of closed
    conversations drawn at random for review, and the fault categories."""

    appeal_window_seconds: Annotated[float, Field(gt=0, le=366 * 86400)] = 86400.0
    sample_rate: Annotated[float, Field(ge=0, le=1)] = 0.0
    category: list[CategorySettings] = Field(default_factory=_manual_categories)

    @model_validator(mode="before")
    @classmethod
    def _replaced(cls, data: Any) -> Any:
        if isinstance(data, dict) and "default_points" in data:
            raise ValueError(
                "default_points was replaced by [[qa.category]] (id, name, points, kind); "
                "see docs/configuration.md"
            )
        return data

    @model_validator(mode="after")
    def _distinct(self) -> QaSettings:
        ids = [c.id for c in self.category]
        if len(set(ids)) != len(ids):
            raise ValueError("category: each id once")
        kinds = [c.kind for c in self.category if c.kind is not None]
        if len(set(kinds)) != len(kinds):
            raise ValueError("category: each alert kind in one category at most")
        return self

    def by_id(self, category_id: str) -> CategorySettings | None:
        """The category with this id, or None."""
        return next((c for c in self.category if c.id == category_id), None)

    def for_kind(self, kind: str) -> CategorySettings | None:
        """The category an automatic flag of this alert kind is scored by, or None."""
        return next((c for c in self.category if c.kind is not None and c.kind == kind), None)
