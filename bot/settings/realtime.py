"""``[realtime]``."""

from __future__ import annotations

from pydantic import Field

from bot.settings.base import Section


class RealtimeSettings(Section):
    """``[realtime]``: Socket.IO scale-out; an empty redis_url means one process."""

    redis_url: str = ""
    cors_allowed_origins: list[str] = Field(default_factory=list)
    #: A connection that joins neither /agent nor /supervisor this long is closed.
    join_seconds: float = Field(default=10.0, gt=0)
    #: A client with more pushes than this waiting (it stopped reading) is closed.
    max_queued_messages: int = Field(default=1000, ge=10)
