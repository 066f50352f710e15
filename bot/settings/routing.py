"""``[routing]``: new chats reach an available agent (DESIGN.md section 11)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from bot.settings.base import Section
from monitors.routing import RoutingRules


class RoutingSettings(Section):
    """``[routing]``: how unassigned conversations are given to agents."""

    mode: Literal["off", "least_loaded", "round_robin"] = "least_loaded"
    #: Active conversations per agent unless their account says otherwise.
    max_concurrency: int = Field(default=6, ge=1, le=1000)
    #: An agent going offline hands their waiting customers back to routing.
    handover_on_offline: bool = True

    def rules(self) -> RoutingRules:
        """What the pure routing rules take."""
        return RoutingRules(self.mode, self.max_concurrency, self.handover_on_offline)
