"""``[console]``."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, model_validator

from bot.settings.base import Section


class ConsoleSettings(Section):
    """``[console]``: the web console's sessions and language."""

    #: Signs the session cookie; empty: a key generated once and kept in the database
    #: (shared by every process on it). At least 32 characters when set.
    session_secret: SecretStr = SecretStr("")
    #: How long a sign-in lasts.
    session_hours: float = Field(default=12.0, gt=0, le=24 * 90)
    #: Send the cookie over HTTPS only (set true behind TLS).
    secure_cookies: bool = False
    #: The language when the browser asks for neither Chinese nor English.
    default_language: Literal["zh-CN", "en"] = "en"

    @model_validator(mode="after")
    def _long_secret(self) -> ConsoleSettings:
        value = self.session_secret.get_secret_value()
        if value and len(value) < 32:
            raise ValueError("session_secret must be empty or at least 32 characters")
        return self
