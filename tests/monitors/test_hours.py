"""A shop open 09:00-12:00 and 13:30-22:00 in Shanghai: a customer who writes at night
or over lunch waits for the opening before the 20-second clock runs, and the agent's
response time counts only the hours the shop is open."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from monitors import rules
from monitors.hours import BusinessHours, NeverOpen, parse_ranges
from monitors.rules import AlertKind
from tests.support.rules import RULES, thresholds

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
DAY = parse_ranges(["09:00-12:00", "13:30-22:00"])
SHOP = BusinessHours(SHANGHAI, (DAY,) * 7, frozenset({date(2026, 10, 1)}))


def at(text: str, zone: ZoneInfo = SHANGHAI) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=zone).timestamp()


def test_open_closed_and_the_next_opening() -> None:
    assert SHOP.is_open(at("2026-11-26 09:00"))
    assert not SHOP.is_open(at("2026-11-26 12:00"))  # closing time is closed
    assert SHOP.next_open(at("2026-11-26 12:10")) == at("2026-11-26 13:30")
    assert SHOP.next_open(at("2026-11-26 23:00")) == at("2026-11-27 09:00")
    assert SHOP.next_open(at("2026-11-26 10:00")) == at("2026-11-26 10:00")
    assert SHOP.next_open(at("2026-09-30 22:30")) == at("2026-10-02 09:00")  # holiday


def test_the_next_opening_or_closing() -> None:
    assert SHOP.next_change(at("2026-11-26 10:00")) == at("2026-11-26 12:00")
    assert SHOP.next_change(at("2026-11-26 12:00")) == at("2026-11-26 13:30")
    assert SHOP.next_change(at("2026-11-26 22:00")) == at("2026-11-27 09:00")
    assert SHOP.next_change(at("2026-09-30 22:30")) == at("2026-10-02 09:00")  # holiday
    whole = parse_ranges(["00:00-24:00"])
    weekdays = BusinessHours(SHANGHAI, (whole,) * 5 + ((), ()))
    # Monday to Friday around the clock is one opening: it closes Saturday 00:00.
    assert weekdays.next_change(at("2026-11-23 10:00")) == at("2026-11-28 00:00")
    always = BusinessHours(SHANGHAI, (whole,) * 7)
    assert always.next_change(at("2026-11-23 10:00")) > at("2028-01-01 00:00")


def test_a_night_message_starts_its_clock_at_the_opening() -> None:
    turn = rules.start_turn("m1", at("2026-11-26 23:00"), "alice", 1, thresholds(hours=SHOP))
    assert turn.due_at == at("2026-11-27 09:00:20")
    assert turn.warn_at == at("2026-11-27 09:00:15")
    assert turn.unanswered_at == at("2026-11-27 09:05")
    assert rules.due_alerts(turn, at("2026-11-27 08:59:59"), frozenset(), "alice") == []
    [overdue] = [
        d
        for d in rules.due_alerts(turn, at("2026-11-27 09:00:21"), frozenset(), "alice", SHOP)
        if d.kind is AlertKind.OVERDUE
    ]
    assert overdue.waited_seconds == 21


def test_the_clock_stops_over_lunch_and_the_response_counts_business_time() -> None:
    turn = rules.start_turn("m1", at("2026-11-26 11:59:50"), "alice", 1, thresholds(hours=SHOP))
    assert turn.due_at == at("2026-11-26 13:30:10")
    reply = at("2026-11-26 13:30:07")
    response, drafts = rules.end_turn(turn, reply, frozenset(), "alice", SHOP)
    assert response == 17
    assert [d.kind for d in drafts] == [AlertKind.WARNING]  # warned at 15 s, not late
    always = rules.start_turn("m2", at("2026-11-26 11:59:50"), "alice", 1, RULES)
    assert always.due_at == at("2026-11-26 12:00:10")


def test_business_seconds_between_two_moments() -> None:
    assert SHOP.between(at("2026-11-26 21:59:55"), at("2026-11-27 09:00:05")) == 10
    assert SHOP.between(at("2026-11-26 08:00"), at("2026-11-26 23:00")) == (3 + 8.5) * 3600
    assert SHOP.between(at("2026-11-26 10:00"), at("2026-11-26 09:00")) == 0
    assert SHOP.add(at("2026-11-26 21:59:55"), 10) == at("2026-11-27 09:00:05")


def test_a_closed_period_begins_at_the_last_closing() -> None:
    assert SHOP.closed_since(at("2026-11-26 23:30")) == at("2026-11-26 22:00")
    assert SHOP.closed_since(at("2026-11-27 08:59")) == at("2026-11-26 22:00")
    assert SHOP.closed_since(at("2026-11-26 12:30")) == at("2026-11-26 12:00")
    assert SHOP.closed_since(at("2026-11-26 10:00")) is None
    assert SHOP.closed_since(at("2026-10-01 15:00")) == at("2026-09-30 22:00")  # holiday


def test_a_daylight_saving_day_keeps_its_wall_clock_hours() -> None:
    """Berlin springs forward at 02:00 on 2026-03-29: a 01:00-04:00 range lasts two
    hours that day, and 09:00 is still 09:00."""
    night = BusinessHours(BERLIN, (parse_ranges(["01:00-04:00"]),) * 7)
    assert night.between(at("2026-03-29 00:00", BERLIN), at("2026-03-29 05:00", BERLIN)) == 7200
    assert night.between(at("2026-03-28 00:00", BERLIN), at("2026-03-28 05:00", BERLIN)) == 10800
    office = BusinessHours(BERLIN, (parse_ranges(["09:00-17:00"]),) * 7)
    assert office.next_open(at("2026-03-29 03:30", BERLIN)) == at("2026-03-29 09:00", BERLIN)
    saturday_four_pm = at("2026-03-28 16:00", BERLIN)
    assert office.between(saturday_four_pm, at("2026-03-30 10:00", BERLIN)) == 10 * 3600
    assert office.add(at("2026-10-24 16:59:50", BERLIN), 20) == at("2026-10-25 09:00:10", BERLIN)


def test_bad_schedules_are_refused() -> None:
    with pytest.raises(ValueError, match="HH:MM-HH:MM"):
        parse_ranges(["9-12"])
    with pytest.raises(ValueError, match="cross midnight"):
        parse_ranges(["22:00-02:00"])
    with pytest.raises(ValueError, match="overlapping"):
        BusinessHours(SHANGHAI, (parse_ranges(["09:00-12:00", "11:00-13:00"]),) * 7)
    closed = BusinessHours(SHANGHAI, ((),) * 7)
    with pytest.raises(NeverOpen):
        closed.next_open(at("2026-11-26 10:00"))
    assert parse_ranges(["00:00-24:00"]) == ((0, 1440),)
