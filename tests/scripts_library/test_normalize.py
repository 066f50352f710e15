"""Customers type in every form: full-width, traditional characters, emoji, repeated
characters. Normalisation makes those the same text before matching."""

import pytest

from scripts_library.normalize import has_phrase, normalize, tokens


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ＡＢＣ１２３", "abc123"),  # full-width to half-width
        ("請問幾天能發貨", "请问几天能发货"),  # traditional to simplified
        ("发货？！。，", "发货"),  # punctuation
        ("在吗😀🙏", "在吗"),  # emoji
        ("在吗吗吗", "在吗"),  # repeated Chinese characters
        ("Sooo GOOD", "soo good"),  # case; only long Latin runs shrink
        ("满100减10", "满100减10"),  # digits keep their runs
        ("I don't know", "i do not know"),  # contractions
        ("  a\t\nb  ", "a b"),
    ],
)
def test_normalize(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


def test_tokens_segment_chinese_and_split_the_rest() -> None:
    assert tokens(normalize("请问几天能发货 ok")) == ["请问", "几天", "能", "发货", "ok"]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("这个不行的", "不行"),
        ("這個不可以哦", "不可以"),  # traditional
        ("不 知 道", "不知道"),  # spaced out
        ("ＮＯ　ＷＡＹ", "no way"),  # full-width English
        ("I know ways", None),  # English matches whole words only
        ("可以的亲", None),
    ],
)
def test_forbidden_phrases_after_normalisation(text: str, found: str | None) -> None:
    assert has_phrase(text, ["不行", "不知道", "不可以", "no way"]) == found


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("不，可以的", None),  # "no — yes, that's possible": punctuation ends a clause
        ("不可以。", "不可以"),
        ("这个\n不可以哦", "不可以"),
        ("這個不可以", "不可以"),  # traditional characters
        ("行，不可以也行", "不可以"),
        ("No, way", None),
        ("no way!", "no way"),
        ("I know", None),
    ],
)
def test_forbidden_phrases_match_within_a_clause(text: str, found: str | None) -> None:
    assert has_phrase(text, ["不行", "不知道", "不可以", "no way"]) == found


def test_a_teams_allowed_phrases_are_not_flagged() -> None:
    allowed = ["不知道您是否方便"]
    assert has_phrase("不知道您是否方便留个电话？", ["不知道"], allowed) is None
    assert has_phrase("不知道您是否方便，我真不知道", ["不知道"], allowed) == "不知道"
