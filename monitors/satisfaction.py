"""Customer satisfaction (DESIGN.md section 12): reading a rating from the customer's
answer to the survey, and the month's satisfaction merit. Pure functions."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from fractions import Fraction

from scripts_library.normalize import is_cjk, normalize

#: The ``reason`` of the bot message that asks the survey question: the customer's next
#: message may be its answer.
SURVEY = "csat.survey"
#: The lowest rating counted as satisfied (4 and 5 of 1-5).
SATISFIED = 4
#: Answer buttons for channels that have them; each reads back as its rating.
CHOICES_ZH = ("5 非常满意", "4 满意", "3 一般", "2 不满意", "1 很不满意")
CHOICES_EN = (
    "5 very satisfied",
    "4 satisfied",
    "3 neutral",
    "2 dissatisfied",
    "1 very dissatisfied",
)

# Whole answers, normalised (lower case, simplified Chinese, no punctuation).
_LABELS = {
    "非常满意": 5,
    "很满意": 5,
    "十分满意": 5,
    "特别满意": 5,
    "超级满意": 5,
    "好评": 5,
    "满意": 4,
    "比较满意": 4,
    "还算满意": 4,
    "一般": 3,
    "还行": 3,
    "中评": 3,
    "不满意": 2,
    "不太满意": 2,
    "不是很满意": 2,
    "很不满意": 1,
    "非常不满意": 1,
    "极不满意": 1,
    "十分不满意": 1,
    "差评": 1,
    "very satisfied": 5,
    "extremely satisfied": 5,
    "excellent": 5,
    "satisfied": 4,
    "good": 4,
    "neutral": 3,
    "average": 3,
    "dissatisfied": 2,
    "unsatisfied": 2,
    "not satisfied": 2,
    "poor": 2,
    "very dissatisfied": 1,
    "very unsatisfied": 1,
    "terrible": 1,
}
# Politeness around an answer (normalised: "谢谢" is "谢" by then) ("满意，谢谢", "5 thanks").
_FILLER = re.compile(
    r"(?:^| )(?:谢谢?(?:你|您)?|谢啦|谢了|多谢|感谢|thanks|thank you|thx|ty|please)(?= |$)"
)
_CJK_FILLER = re.compile(r"(?:谢谢?(?:你|您)?|谢啦|谢了|多谢|感谢|的|了|啊|呀|哦|吧)$")
# "5", "5分", "5星", "5 stars", "5/5" (normalised to "5 5"), "5 out of 5".
_NUMBER = re.compile(r"^([1-5]) ?(?:分|星|颗星|stars?|points?|out of 5|5)?$")
_STAR_CHARS = "★⭐☆"


def _strip_fillers(text: str) -> str:
    previous = None
    while previous != text:
        previous = text
        text = _FILLER.sub("", text).strip()
        text = _CJK_FILLER.sub("", text).strip()
    return text


def _one(part: str) -> int | None:
    found = _NUMBER.fullmatch(part)
    if found is not None:
        return int(found.group(1))
    return _LABELS.get(part)


def parse_rating(text: str | None) -> int | None:
    """The 1-5 rating ``text`` is, or None when it is anything else.

    A rating is the whole message (politeness aside): a digit 1-5 ("5", "5分", "4 stars",
    "5/5"), a label (非常满意 / 满意 / 一般 / 不满意 / 很不满意, 好评 / 差评, "very
    satisfied" ... "very dissatisfied"), a number with its label ("5 非常满意", what a
    survey button sends), or 1-5 stars (★★★★★). A number and a label that disagree are
    not a rating."""
    if not text or len(text) > 60:
        return None
    bare = unicodedata.normalize("NFKC", text).strip()
    if bare and set(bare) <= set(_STAR_CHARS):
        stars = bare.count("★") + bare.count("⭐")  # empty stars (☆) do not count
        return stars if 1 <= stars <= 5 else None
    words = _strip_fillers(normalize(text))
    whole = _one(words) if words else None
    if whole is not None:
        return whole
    number, _, rest = words.partition(" ")
    first, second = _one(number), _one(rest)
    if first is None:  # the label first: "非常满意 5"
        rest, _, number = words.rpartition(" ")
        first, second = _one(rest), _one(number)
    if first is not None and first == second:
        return first
    return None


def survey_choices(question: str) -> tuple[str, ...]:
    """The answer buttons for a survey question, in its language."""
    return CHOICES_ZH if is_cjk(question) else CHOICES_EN


@dataclass(frozen=True, slots=True)
class MeritRule:
    """``[assessment]``'s satisfaction merit: ``points`` for a month whose share of
    satisfied ratings reaches ``rate`` over at least ``min_responses`` ratings."""

    points: float = 5.0
    rate: float = 0.9
    min_responses: int = 10


def satisfied_rate(responses: int, satisfied: int) -> float | None:
    """Share of ratings that were 4 or 5 (None without ratings)."""
    return satisfied / responses if responses else None


def merit_points(responses: int, satisfied: int, rule: MeritRule) -> float:
    """The month's satisfaction merit (0 when not earned or turned off)."""
    if rule.points <= 0 or responses < max(1, rule.min_responses):
        return 0.0
    reached = Fraction(satisfied, responses) >= Fraction(str(rule.rate))
    return rule.points if reached else 0.0
