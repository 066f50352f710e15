"""``[automation]``."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from bot.settings.base import Section


class AutomationSettings(Section):
    """``[automation]``: script ids sent automatically as bot messages ("" = off)."""

    welcome_script: Annotated[str, Field(max_length=100)] = ""
    offline_script: Annotated[str, Field(max_length=100)] = ""
