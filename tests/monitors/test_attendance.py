"""Attendance from status changes (the manuals' 考勤): time online and away per day, away
spells over five minutes, and stretches of work over eight hours."""

from __future__ import annotations

from datetime import date

import pytest

from monitors.attendance import Spell, attendance, spells

H = 3600.0
DAY1, DAY2 = date(2026, 12, 1), date(2026, 12, 2)
DAYS = [(DAY1, 0.0, 24 * H), (DAY2, 24 * H, 48 * H)]


def test_spells_start_from_the_status_before_and_merge_repeats() -> None:
    found = spells("away", [(10.0, "online"), (20.0, "online"), (30.0, "offline")], 0.0, 40.0)
    assert found == [
        Spell("away", 0.0, 10.0),
        Spell("online", 10.0, 30.0),
        Spell("offline", 30.0, 40.0),
    ]


def test_changes_outside_the_range_are_clipped() -> None:
    assert spells(None, [(-5.0, "online"), (50.0, "away")], 0.0, 40.0) == [
        Spell("online", 0.0, 40.0)
    ]


def test_a_morning_shift_with_a_long_lunch() -> None:
    changes = [
        (9 * H, "online"),
        (12 * H, "away"),
        (13 * H, "online"),
        (13.05 * H, "away"),
        (13.1 * H, "online"),
        (18 * H, "offline"),
    ]
    [day1, day2] = attendance("offline", changes, DAYS, now=100 * H)
    assert day1.online_seconds == pytest.approx((3 + 0.05 + 4.9) * H)
    assert day1.away_seconds == pytest.approx(1.05 * H)
    # the lunch hour is listed; the three-minute break is not
    assert day1.long_away == [Spell("away", 12 * H, 13 * H)]
    # nine hours of work without going offline (away counts as at work)
    assert day1.long_stretches == [Spell("working", 9 * H, 18 * H)]
    assert (day2.online_seconds, day2.long_away, day2.long_stretches) == (0.0, [], [])


def test_a_night_shift_is_split_at_midnight_and_listed_where_it_began() -> None:
    [day1, day2] = attendance(None, [(20 * H, "online"), (30 * H, "offline")], DAYS, 100 * H)
    assert (day1.online_seconds, day2.online_seconds) == (4 * H, 6 * H)
    assert day1.long_stretches == [Spell("working", 20 * H, 30 * H)]
    assert day2.long_stretches == []


def test_nothing_after_now_counts() -> None:
    [day1, day2] = attendance("online", [], DAYS, now=2 * H)
    assert (day1.online_seconds, day2.online_seconds) == (2 * H, 0.0)
    assert attendance("online", [], [], now=0.0) == []
