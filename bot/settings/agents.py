"""``[[agents]]``: the roster."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from bot.settings.base import Section


class AgentSettings(Section):
    """One ``[[agents]]``: a roster entry."""

    id: Annotated[str, Field(min_length=1, max_length=200)]
    name: Annotated[str, Field(min_length=1, max_length=200)]
    group: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    max_concurrency: Annotated[int, Field(ge=1, le=1000)] | None = None


def distinct_agents(agents: list[AgentSettings]) -> list[AgentSettings]:
    """``agents``, refusing a repeated id."""
    seen: set[str] = set()
    for agent in agents:
        if agent.id in seen:
            raise ValueError(f"agent {agent.id!r} is listed twice")
        seen.add(agent.id)
    return agents
