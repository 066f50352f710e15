"""Complaint clocks (投诉登记, DESIGN.md section 12): acknowledge within 30 minutes,
resolve within 2 hours (business time when the team keeps hours), call the customer
back within 3 business days of the resolution. Pure: storage keeps the dates."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from monitors.hours import BusinessHours
from monitors.rules import after


class Stage(StrEnum):
    """The steps of a complaint that have a deadline."""

    ACKNOWLEDGE = "acknowledge"
    RESOLVE = "resolve"
    FOLLOW_UP = "follow_up"


@dataclass(frozen=True, slots=True)
class Clock:
    """``[complaints]``: each step's allowance, and the team's hours (None: wall time)."""

    acknowledge_seconds: float
    resolve_seconds: float
    follow_up_days: float
    hours: BusinessHours | None


def deadlines(created_at: float, clock: Clock) -> tuple[float, float]:
    """``(acknowledge_by, resolve_by)`` of a complaint registered at ``created_at``."""
    return (
        after(created_at, clock.acknowledge_seconds, clock.hours),
        after(created_at, clock.resolve_seconds, clock.hours),
    )


def follow_up_by(resolved_at: float, clock: Clock) -> float:
    """The end of the ``follow_up_days``-th business day after the resolution's day (a
    fraction counts as a whole day; a day with no opening range or a holiday is not a
    business day); without hours, that many days of wall time."""
    hours = clock.hours
    if hours is None:
        return resolved_at + clock.follow_up_days * 86400.0
    day = datetime.fromtimestamp(resolved_at, hours.zone).date()
    counted = 0
    while counted < math.ceil(clock.follow_up_days):
        day += timedelta(days=1)
        if _open_day(hours, day):
            counted += 1
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=hours.zone).timestamp()


def _open_day(hours: BusinessHours, day: date) -> bool:
    return day not in hours.holidays and bool(hours.weekly[day.weekday()])


def overdue(deadline: float | None, done_at: float | None, now: float) -> bool:
    """Whether a step with this deadline is late at ``now`` (not done by then)."""
    return deadline is not None and done_at is None and now > deadline
