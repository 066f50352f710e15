"""The rules' numbers as a default install has them: taken from the settings, where each
default is written once."""

from __future__ import annotations

import dataclasses
from typing import Any

from bot.settings import Settings
from monitors.kpis import Scoring
from monitors.rules import Thresholds

#: The contract's default thresholds (20 s, 60 s from 4 chats, 5 min unanswered, ...).
RULES: Thresholds = Settings().rules()
#: The manuals' scoring, as ``[kpi]`` has it by default.
SCORING: Scoring = Settings().kpi.scoring()


def thresholds(**changes: Any) -> Thresholds:
    """The default thresholds with some numbers changed."""
    return dataclasses.replace(RULES, **changes)
