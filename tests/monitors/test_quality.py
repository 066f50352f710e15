"""The quality loop's rules: random sampling, appeal windows and the monthly score
exactly as the manuals compute it (base 80, -20..+20, capped at 100, graded)."""

from __future__ import annotations

import pytest

from monitors.quality import (
    AssessmentRules,
    Entry,
    Grade,
    appeal_open,
    assess,
    counted_points,
    grade_for,
    month_score,
    sampled,
)

RULES = AssessmentRules(
    base=80,
    min_delta=-20,
    max_delta=20,
    cap=100,
    adjustment_limit=5,
    fail_below=70,
    grades=(Grade("高级客服", 90), Grade("中级客服", 80), Grade("初级客服", 70)),
)


def test_sampling_is_decided_by_the_id_alone() -> None:
    ids = [f"conv-{i}" for i in range(10_000)]
    first = [sampled("wecom", c, 0.1) for c in ids]
    assert first == [sampled("wecom", c, 0.1) for c in ids]
    assert 900 < sum(first) < 1100
    assert not any(sampled("wecom", c, 0.0) for c in ids)
    assert all(sampled("wecom", c, 1.0) for c in ids)
    # A higher rate draws everything a lower one drew (raising it only adds).
    assert all(sampled("wecom", c, 0.2) for c, drawn in zip(ids, first, strict=True) if drawn)
    assert [sampled("slack", c, 0.1) for c in ids] != first


def test_counted_points_and_the_appeal_window() -> None:
    assert counted_points("confirmed", -5) == -5
    assert counted_points("confirmed", None) == 0
    assert counted_points("dismissed", -5) == 0
    assert appeal_open(1000.0, 1000.0 + 86400, 86400)
    assert not appeal_open(1000.0, 1000.0 + 86400.5, 86400)
    assert not appeal_open(None, 1000.0, 86400)


@pytest.mark.parametrize(
    ("score", "grade"),
    [
        (100, "高级客服"),
        (90, "高级客服"),
        (89.5, "中级客服"),
        (80, "中级客服"),
        (70, "初级客服"),
        (69.9, None),
    ],
)
def test_grades(score: float, grade: str | None) -> None:
    assert grade_for(score, RULES) == grade


def test_points_move_the_base_within_limits_and_the_cap() -> None:
    assert month_score(-30, 0, 0, RULES) == (-20, 60)
    assert month_score(-5, 30, 0, RULES) == (20, 100)
    assert month_score(0, 20, 5, RULES) == (20, 100)  # capped, not 105
    assert month_score(-12, 5, -3, RULES) == (-7, 70)


def _flag(i: int, points: float, at: float = 0.0) -> Entry:
    return Entry("flag", i, at, points, "5 分钟未回复", "unanswered")


def test_a_month_computed_by_hand() -> None:
    """Alice: two unanswered messages (-10 each), one handover gap (-2), praise from a
    customer (+5), an adjustment of +3 for covering a sick colleague:
    deductions -22, additions +5, delta -17, score 80 - 17 + 3 = 66: no grade, and her
    second month in a row below 70."""
    entries = [
        _flag(1, -10, 3.0),
        _flag(2, -10, 1.0),
        Entry("flag", 3, 2.0, -2, None, "handover"),
        Entry("merit", 1, 4.0, 5, "顾客表扬"),
    ]
    month = assess("alice", "2026-11", entries, (3.0, "代班"), [68.0, 75.0, 60.0], RULES)
    assert (month.deductions, month.additions, month.delta) == (-22, 5, -17)
    assert (month.adjustment, month.adjustment_reason, month.score) == (3, "代班", 66)
    assert (month.grade, month.below_streak) == (None, 2)
    assert [(e.source, e.id) for e in month.entries] == [
        ("flag", 2),
        ("flag", 3),
        ("flag", 1),
        ("merit", 1),
    ]


def test_a_good_month_has_no_streak() -> None:
    month = assess("bob", "2026-11", [], None, [50.0, 50.0], RULES)
    assert (month.score, month.grade, month.below_streak, month.adjustment) == (
        80,
        "中级客服",
        0,
        0,
    )
