"""``[presence]``: online, away, offline (DESIGN.md section 11)."""

from __future__ import annotations

from pydantic import Field

from bot.settings.base import Section


class PresenceSettings(Section):
    """``[presence]``: when an agent whose consoles are gone counts as offline."""

    #: An agent's last ``/agent`` connection gone this long -> ``offline``.
    offline_after_seconds: float = Field(default=60.0, gt=0)

    @property
    def heartbeat_seconds(self) -> float:
        """How often each process renews its live connections and sweeps the stale ones:
        a quarter of :attr:`offline_after_seconds`, at most 15 s."""
        return min(self.offline_after_seconds / 4, 15.0)
