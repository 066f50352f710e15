"""``[matcher]``."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from bot.settings.base import Section


class MatcherSettings(Section):
    """``[matcher]``: the script library and how many suggestions to give."""

    library: str = "bundled"
    min_score: float = Field(default=45.0, ge=0, le=100)
    top_k: int = Field(default=3, ge=1, le=50)
    reload_seconds: float = Field(default=2.0, gt=0)
    semantic: Literal["auto", "on", "off"] = "auto"
    #: Processes that match customer messages beside the gateway (0 = a thread in it).
    workers: int = Field(default=0, ge=0, le=16)
    propose_below: float = Field(default=70.0, ge=0, le=100)
    #: A message still waiting for its suggestions this long after it was stored gets
    #: none (a burst beyond the matcher's pace must not leave it ever further behind).
    suggest_within_seconds: float = Field(default=20.0, gt=0, le=3600)

    @model_validator(mode="after")
    def _known_source(self) -> MatcherSettings:
        if self.library != "bundled" and not self.library.endswith((".toml", ".csv")):
            raise ValueError('library must be "bundled" or a path ending in .toml or .csv')
        return self
