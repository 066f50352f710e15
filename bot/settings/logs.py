"""``[logging]``."""

from __future__ import annotations

from typing import Literal

from bot.settings.base import Section


class LoggingSettings(Section):
    """``[logging]``: level and line format."""

    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    format: Literal["text", "json"] = "text"
