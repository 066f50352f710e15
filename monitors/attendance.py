"""Attendance (DESIGN.md section 11; the manuals' 考勤): from an agent's status changes,
per day, the time online and away, the away spells over five minutes and the stretches
of work (online or away, without going offline) over eight hours.

Pure: the caller gives the changes, the days' bounds and the present moment.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

#: An away spell longer than this is listed (seconds).
AWAY_LIMIT = 300.0
#: A stretch of work longer than this is listed (seconds).
STRETCH_LIMIT = 8 * 3600.0


@dataclass(frozen=True, slots=True)
class Spell:
    """A time in one status (``end`` is the present for one still going on)."""

    status: str
    start: float
    end: float

    @property
    def seconds(self) -> float:
        """How long it lasted."""
        return self.end - self.start


@dataclass(frozen=True, slots=True)
class Day:
    """One day's attendance."""

    day: date
    online_seconds: float = 0.0
    away_seconds: float = 0.0
    long_away: list[Spell] = field(default_factory=list)
    long_stretches: list[Spell] = field(default_factory=list)


def spells(
    before: str | None, changes: Iterable[tuple[float, str]], start: float, end: float
) -> list[Spell]:
    """The statuses from ``start`` to ``end``: ``before`` (the status at ``start``), then
    each change in time order; repeats of the same status merge."""
    found: list[Spell] = []
    status, since = before or "offline", start
    for at, new in sorted(changes):
        if at >= end:
            break
        at = max(at, start)
        if new == status:
            continue
        if at > since:
            found.append(Spell(status, since, at))
        status, since = new, at
    if end > since:
        found.append(Spell(status, since, end))
    return found


def _stretches(found: Sequence[Spell]) -> list[Spell]:
    """Consecutive spells other than offline, joined into stretches of work."""
    stretches: list[Spell] = []
    for spell in found:
        if spell.status == "offline":
            continue
        if stretches and stretches[-1].end == spell.start:
            stretches[-1] = Spell("working", stretches[-1].start, spell.end)
        else:
            stretches.append(Spell("working", spell.start, spell.end))
    return stretches


def _overlap(spell: Spell, start: float, end: float) -> float:
    return max(0.0, min(spell.end, end) - max(spell.start, start))


def attendance(
    before: str | None,
    changes: Iterable[tuple[float, str]],
    days: Sequence[tuple[date, float, float]],
    now: float,
    away_limit: float = AWAY_LIMIT,
    stretch_limit: float = STRETCH_LIMIT,
) -> list[Day]:
    """Each of ``days`` (a date with its start and end, in order) from the agent's status
    ``before`` the first day and their ``changes`` since; nothing after ``now`` counts.
    A long spell or stretch is listed on the day it began."""
    if not days:
        return []
    start, end = days[0][1], min(days[-1][2], now)
    found = spells(before, changes, start, max(start, end))
    stretches = _stretches(found)
    result = []
    for day, lo, hi in days:
        result.append(
            Day(
                day,
                online_seconds=sum(_overlap(s, lo, hi) for s in found if s.status == "online"),
                away_seconds=sum(_overlap(s, lo, hi) for s in found if s.status == "away"),
                long_away=[
                    s
                    for s in found
                    if s.status == "away" and lo <= s.start < hi and s.seconds > away_limit
                ],
                long_stretches=[
                    s for s in stretches if lo <= s.start < hi and s.seconds > stretch_limit
                ],
            )
        )
    return result
