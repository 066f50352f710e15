"""Report periods (day, week, month, quarter, year) in the team's time zone, as epoch
bounds.

Weeks start on Monday (ISO); quarters on 1 January, April, July and October. Bounds
are local midnights, so a day across a daylight-saving change is 23 or 25 hours long,
as the team lives it.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo


class Period(StrEnum):
    """The report periods."""

    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


def midnight(day: date, tz: ZoneInfo) -> float:
    """Epoch seconds of local midnight starting ``day``."""
    return datetime.combine(day, time(), tzinfo=tz).timestamp()


def first_day(period: Period, day: date) -> date:
    """The first day of the ``period`` that holds ``day``."""
    if period is Period.WEEK:
        return day - timedelta(days=day.weekday())
    if period is Period.MONTH:
        return day.replace(day=1)
    if period is Period.QUARTER:
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    if period is Period.YEAR:
        return date(day.year, 1, 1)
    return day


def next_first_day(period: Period, start: date) -> date:
    """The first day of the following period."""
    if period is Period.DAY:
        return start + timedelta(days=1)
    if period is Period.WEEK:
        return start + timedelta(days=7)
    if period is Period.YEAR:
        return date(start.year + 1, 1, 1)
    months = 3 if period is Period.QUARTER else 1
    month = start.month - 1 + months
    return date(start.year + month // 12, month % 12 + 1, 1)


def label(period: Period, start: date) -> str:
    """How a period is named in file names: ``2026-11-22`` (day, week from its Monday),
    ``2026-11``, ``2026-Q4``, ``2026``."""
    if period is Period.MONTH:
        return start.strftime("%Y-%m")
    if period is Period.QUARTER:
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    if period is Period.YEAR:
        return str(start.year)
    return str(start)


def bounds(period: Period, day: date, tz: ZoneInfo) -> tuple[float, float]:
    """``[start, end)`` of the ``period`` holding ``day``."""
    start = first_day(period, day)
    return midnight(start, tz), midnight(next_first_day(period, start), tz)


def days(start: float, end: float, tz: ZoneInfo) -> list[tuple[date, float, float]]:
    """The local days overlapping ``[start, end)``, each clipped to it."""
    found = []
    day = datetime.fromtimestamp(start, tz).date()
    while (day_start := midnight(day, tz)) < end:
        day_end = midnight(day + timedelta(days=1), tz)
        found.append((day, max(start, day_start), min(end, day_end)))
        day += timedelta(days=1)
    return found


def today(now: float, tz: ZoneInfo) -> date:
    """The team's local date at ``now``."""
    return datetime.fromtimestamp(now, tz).date()


def day_start(now: float, tz: ZoneInfo) -> float:
    """Epoch seconds of the local midnight that began the day holding ``now``."""
    return midnight(today(now, tz), tz)
