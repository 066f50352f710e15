"""``[hours]``, ``[automation]``, ``[escalation]`` and ``[[agents]]`` (DESIGN.md §9),
validated with the rest of the settings in :mod:`bot.settings`."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from monitors.hours import WEEKDAYS, BusinessHours, NeverOpen, parse_ranges


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class HoursSettings(_Section):
    """``[hours]``: opening hours; absent (no ``weekly``) = always open."""

    timezone: str = "UTC"
    #: ``{mon = ["09:00-12:00", "13:30-22:00"], ...}``; a day left out is closed.
    weekly: dict[str, list[str]] = Field(default_factory=dict)
    holidays: list[date] = Field(default_factory=list)

    @field_validator("weekly")
    @classmethod
    def _known_days(cls, weekly: dict[str, list[str]]) -> dict[str, list[str]]:
        unknown = sorted(set(weekly) - set(WEEKDAYS))
        if unknown:
            raise ValueError(f"unknown day(s) {unknown}: use {', '.join(WEEKDAYS)}")
        for ranges in weekly.values():
            parse_ranges(ranges)
        return weekly

    @model_validator(mode="after")
    def _usable(self) -> HoursSettings:
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"timezone: unknown time zone {self.timezone!r}") from exc
        hours = self.business_hours()
        if hours is not None:
            try:
                hours.next_open(0.0)
            except NeverOpen as exc:
                raise ValueError("weekly: the shop is never open") from exc
        return self

    def business_hours(self) -> BusinessHours | None:
        """The schedule the rules take, or None when always open."""
        if not self.weekly:
            return None
        return BusinessHours(
            ZoneInfo(self.timezone),
            tuple(parse_ranges(self.weekly.get(day, [])) for day in WEEKDAYS),
            frozenset(self.holidays),
        )


class AutomationSettings(_Section):
    """``[automation]``: script ids sent automatically as bot messages ("" = off)."""

    welcome_script: Annotated[str, Field(max_length=100)] = ""
    offline_script: Annotated[str, Field(max_length=100)] = ""


class EscalationSettings(_Section):
    """``[escalation]``: move a turn nobody answers to another agent."""

    reassign_after_seconds: float = Field(default=0.0, ge=0)
    max_reassignments: int = Field(default=1, ge=1, le=10)


class AgentSettings(_Section):
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
