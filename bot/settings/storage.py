"""``[storage]``."""

from __future__ import annotations

from pydantic import Field, model_validator

from bot.settings.base import Section


class StorageSettings(Section):
    """``[storage]``: the database and how writes are grouped."""

    url: str = "sqlite+aiosqlite:///./replywatch.db"
    auto_migrate: bool = True
    max_group_events: int = Field(default=500, gt=0)
    pool_size: int = Field(default=5, gt=0)
    #: SQLite: how long a write waits for a lock another process holds, then 503.
    lock_timeout_seconds: float = Field(default=3.0, gt=0, le=60)

    @model_validator(mode="after")
    def _known_driver(self) -> StorageSettings:
        if not self.url.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("url must start with sqlite+aiosqlite:// or postgresql+asyncpg://")
        return self
