"""``[hours]``: opening hours."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator

from bot.settings.base import Section
from monitors.hours import WEEKDAYS, BusinessHours, NeverOpen, parse_ranges


class HoursSettings(Section):
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
