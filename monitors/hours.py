"""Business hours: when the shop answers, and time counted in business seconds.

A week of opening ranges per weekday (several a day, e.g. around a lunch break),
holidays closed all day, in the team's time zone. Ranges are local wall-clock
times, so a day across a daylight-saving change keeps its opening and closing
hours (and is an hour shorter or longer in between, as the team lives it).

The rules use three questions: :meth:`BusinessHours.add` (when has a clock that
starts at ``t`` run ``n`` business seconds: a deadline), :meth:`BusinessHours.between`
(business seconds from ``a`` to ``b``: a response time) and
:meth:`BusinessHours.closed_since` (when the closed period holding ``t`` began: one
offline reply per closed period).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

#: How far ahead an opening is looked for before the schedule counts as never open.
HORIZON_DAYS = 800
Range = tuple[int, int]
"""Minutes after local midnight: ``(open, close)``, ``close`` up to 1440."""


class NeverOpen(ValueError):
    """The schedule has no opening within :data:`HORIZON_DAYS`."""


@dataclass(frozen=True, slots=True)
class BusinessHours:
    """Weekly opening ranges (Monday first) and closed days, in ``zone``."""

    zone: tzinfo
    weekly: tuple[tuple[Range, ...], ...]
    holidays: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        if len(self.weekly) != 7:
            raise ValueError("weekly needs 7 days, Monday first")
        for day in self.weekly:
            for index, (start, end) in enumerate(day):
                overlaps = index + 1 < len(day) and day[index + 1][0] < end
                if not 0 <= start < end <= 1440 or overlaps:
                    raise ValueError(f"bad or overlapping opening ranges: {day}")

    def _local(self, day: date, minutes: int) -> float:
        moment = datetime.combine(day, time()) + timedelta(minutes=minutes)
        return moment.replace(tzinfo=self.zone).timestamp()

    def _day_ranges(self, day: date) -> Iterator[tuple[float, float]]:
        if day in self.holidays:
            return
        for start, end in self.weekly[day.weekday()]:
            yield self._local(day, start), self._local(day, end)

    def intervals(self, t: float) -> Iterator[tuple[float, float]]:
        """Open intervals ``[a, b)`` (epoch seconds) that end after ``t``, in order."""
        first = datetime.fromtimestamp(t, self.zone).date() - timedelta(days=1)
        for offset in range(HORIZON_DAYS):
            for a, b in self._day_ranges(first + timedelta(days=offset)):
                if b > t:
                    yield a, b
        raise NeverOpen(f"no opening within {HORIZON_DAYS} days")

    def is_open(self, t: float) -> bool:
        """Whether the shop is open at ``t``."""
        a, _ = next(self.intervals(t))
        return a <= t

    def next_open(self, t: float) -> float:
        """``t`` when open, else the next opening."""
        a, _ = next(self.intervals(t))
        return max(a, t)

    def next_change(self, t: float) -> float:
        """When the shop next opens (closed at ``t``) or closes (open at ``t``); ranges
        that touch (a day open until midnight, the next from midnight) are one."""
        spans = self.intervals(t)
        a, b = next(spans)
        if a > t:
            return a
        try:
            for c, d in spans:
                if c > b:
                    break
                b = d
        except NeverOpen:  # open for the whole horizon
            pass
        return b

    def add(self, t: float, seconds: float) -> float:
        """The moment ``seconds`` of business time after ``t``."""
        left = seconds
        for a, b in self.intervals(t):
            start = max(a, t)
            if start + left <= b:
                return start + left
            left -= b - start
        raise NeverOpen("unreachable")  # pragma: no cover - intervals() raises first

    def between(self, a: float, b: float) -> float:
        """Business seconds from ``a`` to ``b`` (0 when ``b`` is not after ``a``)."""
        total = 0.0
        if b <= a:
            return total
        for start, end in self.intervals(a):
            if start >= b:
                break
            total += min(end, b) - max(start, a)
        return total

    def closed_since(self, t: float) -> float | None:
        """When the closed period holding ``t`` began (None when open at ``t``)."""
        if self.is_open(t):
            return None
        day = datetime.fromtimestamp(t, self.zone).date()
        latest: float | None = None
        for offset in range(HORIZON_DAYS):
            for _, b in self._day_ranges(day - timedelta(days=offset)):
                if b <= t and (latest is None or b > latest):
                    latest = b
            if latest is not None:
                return latest
        return None


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def parse_ranges(ranges: list[str]) -> tuple[Range, ...]:
    """``["09:00-12:00", "13:30-22:00"]`` as minute ranges, sorted; raises ValueError."""
    parsed = []
    for text in ranges:
        try:
            start, end = (_minutes(part) for part in text.split("-"))
        except ValueError as exc:
            raise ValueError(f"{text!r}: expected HH:MM-HH:MM") from exc
        if start >= end:
            raise ValueError(f"{text!r}: closes before it opens (ranges cannot cross midnight)")
        parsed.append((start, end))
    return tuple(sorted(parsed))


def _minutes(text: str) -> int:
    hours, minutes = text.strip().split(":")
    value = int(hours) * 60 + int(minutes)
    if not (len(minutes) == 2 and 0 <= int(minutes) < 60 and 0 <= value <= 1440):
        raise ValueError(text)
    return value
