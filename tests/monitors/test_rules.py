"""The manuals' response-time rules, checked at exact moments with no clock: 20 s
below 4 concurrent chats, 60 s when busy, warnings at 75 %, 5 minutes unanswered."""

from __future__ import annotations

import pytest

from bot.settings import settings_from
from monitors.rules import (
    FLAGGED,
    FOR_AGENT,
    FOR_SUPERVISORS,
    AlertKind,
    concurrency_at,
    deadline_for,
    due_alerts,
    end_turn,
    forbidden_phrase,
    next_due_at,
    start_turn,
)
from tests.support.rules import RULES, thresholds

T0 = 1_800_000_000.0
NONE: frozenset[AlertKind] = frozenset()


@pytest.mark.parametrize(("concurrency", "deadline"), [(0, 20), (1, 20), (3, 20), (4, 60), (9, 60)])
def test_the_tier_boundary_is_at_four_concurrent_chats(concurrency: int, deadline: float) -> None:
    assert deadline_for(concurrency, RULES) == deadline


def test_tiers_follow_the_configuration() -> None:
    tiny = thresholds(reply_seconds=0.2, busy_reply_seconds=0.6, busy_concurrency=2)
    assert (deadline_for(1, tiny), deadline_for(2, tiny)) == (0.2, 0.6)


def test_concurrency_counts_open_assigned_recently_active_chats() -> None:
    window = RULES.active_window_seconds
    chats = [
        ("alice", True, T0),  # the conversation whose turn starts now
        ("alice", True, T0 - 10),
        ("alice", True, T0 - window),  # exactly at the window's edge: counts
        ("alice", True, T0 - window - 1),  # idle too long
        ("alice", False, T0 - 5),  # closed
        ("bob", True, T0 - 5),  # someone else's
        ("alice", True, None),  # no customer message yet
        ("alice", True, T0 + 5),  # after t
    ]
    assert concurrency_at(T0, "alice", chats, RULES) == 3


def test_a_turn_fixes_its_deadlines_when_it_starts() -> None:
    turn = start_turn("m1", T0, "alice", 2, RULES)
    assert (turn.deadline_seconds, turn.warn_at, turn.due_at, turn.unanswered_at) == (
        20,
        T0 + 15,
        T0 + 20,
        T0 + 300,
    )
    busy = start_turn("m2", T0, "alice", 4, RULES)
    assert (busy.deadline_seconds, busy.warn_at, busy.due_at) == (60, T0 + 45, T0 + 60)


def test_an_unassigned_conversation_uses_the_normal_deadline() -> None:
    assert start_turn("m1", T0, None, 7, RULES).deadline_seconds == 20


def test_alerts_come_due_in_order_while_the_turn_stays_open() -> None:
    turn = start_turn("m1", T0, "alice", 0, RULES)
    assert due_alerts(turn, T0 + 14.9, NONE, "alice") == []
    [warning] = due_alerts(turn, T0 + 15.2, NONE, "alice")
    assert (warning.kind, warning.waited_seconds, warning.deadline_seconds) == (
        AlertKind.WARNING,
        pytest.approx(15.2),
        20,
    )
    fired = frozenset({AlertKind.WARNING})
    [overdue] = due_alerts(turn, T0 + 20.0, fired, "bob")  # reassigned meanwhile
    assert (overdue.kind, overdue.agent_id, overdue.at) == (AlertKind.OVERDUE, "bob", T0 + 20)
    fired |= {AlertKind.OVERDUE}
    assert due_alerts(turn, T0 + 299, fired, "bob") == []
    [unanswered] = due_alerts(turn, T0 + 300.4, fired, "bob")
    assert unanswered.kind is AlertKind.UNANSWERED
    assert next_due_at(turn, fired | {AlertKind.UNANSWERED}) is None


def test_a_sweep_that_comes_late_fires_everything_due_at_once() -> None:
    turn = start_turn("m1", T0, "alice", 0, RULES)
    kinds = [a.kind for a in due_alerts(turn, T0 + 400, NONE, "alice")]
    assert kinds == [AlertKind.WARNING, AlertKind.OVERDUE, AlertKind.UNANSWERED]


def test_a_reply_just_before_the_deadline_is_not_slow() -> None:
    turn = start_turn("m1", T0, "alice", 0, RULES)
    response, drafts = end_turn(turn, T0 + 19.95, frozenset({AlertKind.WARNING}), "alice")
    assert response == pytest.approx(19.95)
    assert drafts == []


def test_a_reply_just_after_the_deadline_is_overdue_and_slow_even_unseen_by_a_sweep() -> None:
    turn = start_turn("m1", T0, "alice", 0, RULES)
    response, drafts = end_turn(turn, T0 + 20.05, NONE, "alice")
    assert response == pytest.approx(20.05)
    assert [d.kind for d in drafts] == [AlertKind.WARNING, AlertKind.OVERDUE, AlertKind.SLOW]
    warning, overdue, slow = drafts
    assert (warning.at, warning.waited_seconds) == (T0 + 15, 15)  # event time
    assert (overdue.at, overdue.waited_seconds) == (T0 + 20, 20)
    assert slow.response_seconds == slow.waited_seconds == pytest.approx(20.05)
    assert slow.deadline_seconds == 20


def test_a_reply_after_alerts_fired_only_adds_what_is_missing() -> None:
    turn = start_turn("m1", T0, "alice", 5, RULES)  # busy: 60 s
    fired = frozenset({AlertKind.WARNING, AlertKind.OVERDUE})
    response, drafts = end_turn(turn, T0 + 320, fired, "alice")
    assert [d.kind for d in drafts] == [AlertKind.UNANSWERED, AlertKind.SLOW]
    assert response == 320


def test_a_reply_timestamped_before_the_turn_started_counts_as_immediate() -> None:
    turn = start_turn("m1", T0, "alice", 0, RULES)
    assert end_turn(turn, T0 - 3, NONE, "alice") == (0.0, [])


def test_who_sees_which_alert() -> None:
    assert AlertKind.WARNING in FOR_AGENT
    assert AlertKind.WARNING not in FOR_SUPERVISORS  # the agent's private nudge
    assert AlertKind.OVERDUE in FOR_AGENT
    assert AlertKind.OVERDUE in FOR_SUPERVISORS
    assert {AlertKind.SLOW, AlertKind.UNANSWERED, AlertKind.FORBIDDEN} == FLAGGED


def test_forbidden_phrases_follow_the_configured_exceptions() -> None:
    rules = settings_from({"monitor": {"allowed_phrases": ["不知道您是否方便"]}}).rules()
    assert forbidden_phrase("不知道您是否方便视频看看？", rules) is None
    assert forbidden_phrase("这个我不知道", rules) == "不知道"
    assert forbidden_phrase("不，可以的", RULES) is None
