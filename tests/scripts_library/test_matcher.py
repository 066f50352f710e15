"""Agents get the right standard reply for the customer's own words, and nothing
when the message is not about anything the library covers."""

from __future__ import annotations

import pytest

from scripts_library.bundled import bundled_scripts
from scripts_library.matcher import Index, build_index, content, match
from scripts_library.model import Script

MIN_SCORE = 65


@pytest.fixture(scope="module")
def index() -> Index:
    return build_index(bundled_scripts())


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("親，幾號能發貨呀？？", "zh-ship-time"),  # traditional, particles
        ("发到杭州要几天", "zh-delivery-time"),  # close to ship-time
        ("退的钱几天到账", "zh-refund-time"),  # close to refund-status
        ("我的退款到底处理了没有", "zh-refund-status"),  # close to refund-time
        ("退货运费是谁出", "zh-return-shipping"),  # close to return-policy
        ("可以七天无理由退货吗", "zh-return-policy"),
        ("能开增值税发票吗", "zh-invoice"),
        ("快递员态度太差了", "zh-complaint-courier"),  # close to courier
        ("发什么快递啊", "zh-courier"),
        ("how much is shipping to my place", "en-shipping-fee"),
        ("who pays the return postage", "en-return-shipping"),
        ("the parcel arrived damaged", "en-damaged"),
    ],
)
def test_the_right_script_wins_against_close_distractors(
    index: Index, message: str, expected: str
) -> None:
    found = match(message, index, k=3)
    assert found[0].script_id == expected, [(m.script_id, m.score) for m in found]
    assert found[0].score >= MIN_SCORE


@pytest.mark.parametrize(
    "message",
    [
        "今天天气怎么样",
        "给我讲个笑话",
        "帮我订个外卖",
        "what's the capital of france",
        "sing me a song",
    ],
)
def test_out_of_scope_messages_stay_below_the_threshold(index: Index, message: str) -> None:
    assert match(message, index, k=3, min_score=MIN_SCORE) == []


def test_results_are_best_first_and_limited_to_k(index: Index) -> None:
    found = match("能便宜点吗 有优惠券吗", index, k=5)
    assert len(found) == 5
    assert [m.score for m in found] == sorted((m.score for m in found), reverse=True)
    assert {m.script_id for m in found[:2]} == {"zh-discount", "zh-coupon"}


def test_a_match_names_its_closest_question_and_carries_the_reply(index: Index) -> None:
    best = match("is shipping free?", index, k=1)[0]
    assert best.question == "is shipping free"
    assert best.text.startswith("Shipping is free")
    assert best.category == "pre-sale"


def test_keywords_add_evidence() -> None:
    plain = Script(id="a", category="x", title="t", questions=("物流查询",), reply="r")
    keyed = plain.model_copy(update={"id": "b", "keywords": ("顺丰",)})
    found = match("顺丰到哪了", build_index([plain, keyed]), k=2)
    assert found[0].script_id == "b"
    assert found[0].score > found[1].score


def test_empty_library_and_empty_text() -> None:
    assert match("你好", build_index([])) == []
    assert match("！！！", build_index(bundled_scripts()[:3])) == []


def test_content_drops_function_words() -> None:
    assert content("请问你们什么时候发货呀") == "时候 发货"
    assert content("Do you ship to Alaska?") == "ship alaska"
