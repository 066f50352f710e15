"""A customer answers the survey: "5", "满意", "very satisfied" or a button's "5 非常满意"
is a rating; anything else ("5 minutes", "我不满意你们的服务") is an ordinary message.
The month's satisfaction merit is +5 at 90 % satisfied, exactly at the edge."""

from __future__ import annotations

import pytest

from monitors.satisfaction import MeritRule, merit_points, parse_rating, satisfied_rate


@pytest.mark.parametrize(
    ("text", "rating"),
    [
        ("5", 5),
        ("１", 1),
        ("5分", 5),
        ("3星", 3),
        ("4 stars", 4),
        ("5/5", 5),
        ("3 out of 5", 3),
        ("非常满意", 5),
        ("满意！", 4),
        ("满意，谢谢", 4),
        ("一般", 3),
        ("不满意", 2),
        ("很不满意", 1),
        ("非常不滿意", 1),  # traditional characters
        ("好评", 5),
        ("差评", 1),
        ("Very satisfied!", 5),
        ("satisfied", 4),
        ("neutral", 3),
        ("not satisfied", 2),
        ("Very dissatisfied", 1),
        ("5 非常满意", 5),  # what a survey button sends
        ("非常满意 5", 5),
        ("5 thanks", 5),
        ("★★★★", 4),
        ("⭐⭐⭐⭐⭐", 5),
    ],
)
def test_a_rating_in_chinese_or_english_is_read(text: str, rating: int) -> None:
    assert parse_rating(text) == rating


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "0",
        "6",
        "50",
        "5 minutes",
        "4 非常满意",  # the number and the label disagree
        "我不满意你们的服务",
        "ok",
        "☆☆",
        "还要多久发货",
        "5" * 100,
    ],
)
def test_anything_else_is_not_a_rating(text: str | None) -> None:
    assert parse_rating(text) is None


def test_the_merit_needs_the_rate_and_enough_answers() -> None:
    rule = MeritRule(points=5, rate=0.9, min_responses=10)
    assert merit_points(10, 9, rule) == 5  # exactly 90 %
    assert merit_points(20, 17, rule) == 0  # 85 %
    assert merit_points(9, 9, rule) == 0  # too few answers to count
    assert merit_points(0, 0, rule) == 0
    assert merit_points(30, 30, MeritRule(points=0)) == 0  # turned off
    assert satisfied_rate(20, 19) == 0.95
    assert satisfied_rate(0, 0) is None
