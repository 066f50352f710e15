"""``[accounts]``: people's sign-in (DESIGN.md section 11)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from bot.settings.base import Section
from storage.users import GROUP_NAME

#: A group name (also an account's groups and an event's optional ``group``).
GroupName = Annotated[str, Field(pattern=GROUP_NAME)]


class AccountsSettings(Section):
    """``[accounts]``: sessions, password rules and sign-in throttling."""

    #: How long a sign-in (``POST /api/v1/session`` or the console form) lasts.
    session_hours: float = Field(default=12.0, gt=0, le=24 * 90)
    min_password_length: int = Field(default=10, ge=8, le=128)
    #: Failed sign-ins per username within :attr:`failure_window_seconds`, then 429.
    max_failed_logins: int = Field(default=5, ge=1, le=1000)
    failure_window_seconds: float = Field(default=900.0, gt=0)
    #: The groups accounts may belong to; empty: any well-formed name.
    groups: list[GroupName] = Field(default_factory=list)
