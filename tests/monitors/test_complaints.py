"""Complaint clocks: 30 minutes to acknowledge and 2 hours to resolve, in the shop's
business time when it keeps hours; the call back within 3 business days."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from monitors.complaints import Clock, deadlines, follow_up_by, overdue
from monitors.hours import BusinessHours, parse_ranges

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = parse_ranges(["09:00-18:00"])
# Open Monday to Friday; 2026-12-09 (a Wednesday) is a holiday.
WEEKDAYS = BusinessHours(SHANGHAI, (DAY,) * 5 + ((), ()), frozenset({date(2026, 12, 9)}))


def at(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI).timestamp()


def test_wall_clock_without_hours() -> None:
    clock = Clock(1800, 7200, 3, None)
    assert deadlines(1000.0, clock) == (2800.0, 8200.0)
    assert follow_up_by(1000.0, clock) == 1000.0 + 3 * 86400


def test_business_time_with_hours() -> None:
    clock = Clock(1800, 7200, 3, WEEKDAYS)
    # Registered Friday 17:00: one business hour left that day, the rest on Monday.
    acknowledge_by, resolve_by = deadlines(at("2026-12-04 17:00"), clock)
    assert acknowledge_by == at("2026-12-04 17:30")
    assert resolve_by == at("2026-12-07 10:00")
    # Resolved Monday: Tuesday, (holiday Wednesday), Thursday, Friday -> Friday's end.
    assert follow_up_by(at("2026-12-07 11:00"), clock) == at("2026-12-12 00:00")
    # Resolved Friday: Monday, Tuesday, (Wednesday), Thursday.
    assert follow_up_by(at("2026-12-04 16:00"), clock) == at("2026-12-11 00:00")


def test_overdue_only_when_not_done_in_time() -> None:
    assert overdue(10.0, None, 10.5)
    assert not overdue(10.0, None, 10.0)  # at the deadline is on time
    assert not overdue(10.0, 9.0, 11.0)
    assert not overdue(None, None, 11.0)
