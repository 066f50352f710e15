"""Days, weeks and months start at the team's local midnight."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from monitors.periods import Period, bounds, day_start, days

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
