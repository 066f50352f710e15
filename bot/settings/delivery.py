"""``[delivery]``."""

from __future__ import annotations

from pydantic import Field

from bot.settings.base import Section


class DeliverySettings(Section):
    """``[delivery]``: sending agents' replies out through their IM channel."""

    retries: int = Field(default=5, ge=0, le=50)
    backoff_seconds: float = Field(default=1.0, gt=0)
    max_backoff_seconds: float = Field(default=60.0, gt=0)
    timeout_seconds: float = Field(default=10.0, gt=0)
    lease_seconds: float = Field(default=60.0, gt=0)
    poll_seconds: float = Field(default=1.0, gt=0)
