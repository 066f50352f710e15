"""``[complaints]``: the complaint clocks and categories (DESIGN.md section 12)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from bot.settings.base import Section

Category = Annotated[str, Field(min_length=1, max_length=64)]


def _categories() -> list[str]:
    """The usual rows of a 顾客投诉分类统计表."""
    return ["服务态度", "回复不及时", "商品质量", "发货物流", "售后退换", "价格", "其他"]


class ComplaintSettings(Section):
    """``[complaints]``: acknowledge within 30 minutes and resolve within 2 hours of
    registration (business time when ``[hours]`` is on), call back within 3 business
    days of the resolution; the categories a complaint is filed under."""

    acknowledge_seconds: Annotated[float, Field(gt=0, le=30 * 86400)] = 1800.0
    resolve_seconds: Annotated[float, Field(gt=0, le=90 * 86400)] = 7200.0
    #: Business days (whole ones with ``[hours]``; fractions allowed without).
    follow_up_days: Annotated[float, Field(gt=0, le=60)] = 3
    categories: list[Category] = Field(default_factory=_categories, min_length=1)

    @model_validator(mode="after")
    def _ordered(self) -> ComplaintSettings:
        if self.resolve_seconds < self.acknowledge_seconds:
            raise ValueError("resolve_seconds: at least acknowledge_seconds")
        if len(set(self.categories)) != len(self.categories):
            raise ValueError("categories: each once")
        return self
