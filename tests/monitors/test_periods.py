"""Days, weeks, months, quarters and years start at the team's local midnight."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from monitors.periods import Period, bounds, day_start, days, first_day, label

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")


def local(ts: float, tz: ZoneInfo) -> str:
    return datetime.fromtimestamp(ts, tz).strftime("%Y-%m-%d %H:%M")


def test_a_day_in_shanghai_is_16_to_16_utc() -> None:
    start, end = bounds(Period.DAY, date(2026, 11, 22), SHANGHAI)
    assert datetime.fromtimestamp(start, UTC).strftime("%d %H:%M") == "21 16:00"
    assert end - start == 86400


def test_weeks_start_on_monday_and_months_on_the_first() -> None:
    start, end = bounds(Period.WEEK, date(2026, 11, 22), SHANGHAI)  # a Sunday
    assert (local(start, SHANGHAI), local(end, SHANGHAI)) == (
        "2026-11-16 00:00",
        "2026-11-23 00:00",
    )
    start, end = bounds(Period.MONTH, date(2026, 12, 31), SHANGHAI)
    assert (local(start, SHANGHAI), local(end, SHANGHAI)) == (
        "2026-12-01 00:00",
        "2027-01-01 00:00",
    )
    start, end = bounds(Period.MONTH, date(2028, 2, 10), SHANGHAI)
    assert local(end, SHANGHAI) == "2028-03-01 00:00"


@pytest.mark.parametrize(
    ("day", "first", "last", "name"),
    [
        (date(2026, 1, 1), "2026-01-01", "2026-04-01", "2026-Q1"),
        (date(2026, 6, 30), "2026-04-01", "2026-07-01", "2026-Q2"),
        (date(2026, 8, 15), "2026-07-01", "2026-10-01", "2026-Q3"),
        (date(2026, 12, 31), "2026-10-01", "2027-01-01", "2026-Q4"),
    ],
)
def test_quarters_start_in_january_april_july_and_october(
    day: date, first: str, last: str, name: str
) -> None:
    start, end = bounds(Period.QUARTER, day, SHANGHAI)
    assert (local(start, SHANGHAI), local(end, SHANGHAI)) == (f"{first} 00:00", f"{last} 00:00")
    assert label(Period.QUARTER, first_day(Period.QUARTER, day)) == name


def test_a_year_is_its_local_days_and_named_by_its_number() -> None:
    start, end = bounds(Period.YEAR, date(2028, 7, 4), BERLIN)
    assert (local(start, BERLIN), local(end, BERLIN)) == ("2028-01-01 00:00", "2029-01-01 00:00")
    assert len(days(start, end, BERLIN)) == 366  # a leap year, its daylight-saving days whole
    assert label(Period.YEAR, first_day(Period.YEAR, date(2028, 7, 4))) == "2028"
    assert label(Period.MONTH, date(2028, 7, 1)) == "2028-07"


def test_a_daylight_saving_day_is_23_hours() -> None:
    start, end = bounds(Period.DAY, date(2026, 3, 29), BERLIN)
    assert end - start == 23 * 3600


def test_days_of_a_range_are_clipped_to_it() -> None:
    start = bounds(Period.DAY, date(2026, 11, 20), SHANGHAI)[0] + 3600
    end = bounds(Period.DAY, date(2026, 11, 22), SHANGHAI)[0] + 7200
    found = days(start, end, SHANGHAI)
    assert [d.isoformat() for d, _, _ in found] == ["2026-11-20", "2026-11-21", "2026-11-22"]
    assert found[0][1] == start
    assert found[-1][2] == end


def test_the_day_so_far_starts_at_local_midnight() -> None:
    now = bounds(Period.DAY, date(2026, 11, 22), SHANGHAI)[0] + 5 * 3600
    assert local(day_start(now, SHANGHAI), SHANGHAI) == "2026-11-22 00:00"
