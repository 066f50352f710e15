"""``[server]``."""

from __future__ import annotations

from pydantic import Field

from bot.settings.base import Section


class ServerSettings(Section):
    """``[server]``: where the gateway listens and how much it accepts."""

    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=0, le=65535)
    max_body_bytes: int = Field(default=1_048_576, gt=0)
    max_batch_events: int = Field(default=1000, gt=0)
