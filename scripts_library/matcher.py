"""Matching customer messages to reply scripts: a pure function over an immutable index.

Scoring, chosen by measurement (see BENCHMARKS.md, ``benchmarks/matching.py``):

1. Both sides are normalised (``normalize``) and reduced to their content words:
   Chinese is segmented with jieba, and function words (吗, 呢, 请问, "do you",
   "the", ...) are dropped, because they make every short question look alike.
2. Each library question is scored with rapidfuzz: ``ratio`` (overall closeness)
   in one vectorised pass over all questions (``process.cdist``), then
   ``token_set_ratio`` (word order and extra words do not matter) over the
   ``CANDIDATES`` best of them plus the questions of keyword-matched entries; the
   score is the mean of the two (``ratio`` alone for the rest, which cannot reach
   the top). An entry's score is its best question's.
3. Keyword evidence: an entry whose keyword appears in the message gets
   ``KEYWORD_BONUS`` points (capped at 100).

``fuzz.WRatio`` on raw text, rapidfuzz's default, was measured too and does
much worse on short paraphrases (top-1 0.40 against 0.75).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process

from scripts_library.model import Script
from scripts_library.normalize import compact, is_cjk, normalize, tokens

KEYWORD_BONUS = 20.0
CANDIDATES = 100
MAX_KEYWORD_CHARS = 12
MAX_KEYWORD_WORDS = 4

ZH_STOPWORDS = frozenset(
    [
        "吗",
        "呢",
        "吧",
        "啊",
        "呀",
        "了",
        "的",
        "嘛",
        "么",
        "哦",
        "喔",
        "哈",
        "呗",
        "啦",
        "亲",
        "你",
        "我",
        "他",
        "她",
        "它",
        "们",
        "这",
        "那",
        "个",
        "是",
        "在",
        "有",
        "请问",
        "请",
        "能",
        "可以",
        "一下",
        "一个",
        "怎么",
        "怎样",
        "咋",
        "啥",
        "什么",
        "多少",
        "几",
        "还",
        "就",
        "都",
        "也",
        "和",
        "跟",
        "给",
        "帮",
        "要",
        "想",
        "会",
        "不",
    ]
)
EN_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "do",
        "does",
        "did",
        "can",
        "could",
        "will",
        "would",
        "should",
        "i",
        "me",
        "my",
        "you",
        "your",
        "we",
        "our",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "to",
        "of",
        "in",
        "on",
        "for",
        "at",
        "with",
        "and",
        "or",
        "but",
        "if",
        "so",
        "please",
        "how",
        "what",
        "when",
        "where",
        "why",
        "which",
        "who",
        "there",
        "here",
        "any",
        "some",
        "have",
        "has",
        "had",
        "am",
        "just",
        "get",
        "got",
    ]
)


@dataclass(frozen=True, slots=True)
class Match:
    """A suggested script for a message; ``score`` is 0-100, higher is closer."""

    script_id: str
    score: float
    title: str
    category: str
    text: str
    question: str


@dataclass(frozen=True, slots=True, eq=False)
class Index:
    """The library, pre-processed for matching; never modified, rebuilt on change."""

    scripts: tuple[Script, ...]
    choices: tuple[str, ...]
    questions: tuple[str, ...]
    starts: npt.NDArray[np.intp]
    keywords: dict[str, tuple[int, ...]]

    def __len__(self) -> int:
        return len(self.scripts)


def content(text: str) -> str:
    """The content words of ``text``: normalised, segmented, function words dropped."""
    words = []
    for word in tokens(normalize(text)):
        if word in ZH_STOPWORDS or word in EN_STOPWORDS:
            continue
        if len(word) > 1 and is_cjk(word):
            word = "".join(c for c in word if c not in ZH_STOPWORDS)
        if word:
            words.append(word)
    return " ".join(words)


def _keyword_key(keyword: str) -> str:
    normalized = compact(normalize(keyword))
    return normalized.replace(" ", "") if is_cjk(normalized) else normalized


def build_index(scripts: Iterable[Script]) -> Index:
    """Pre-process ``scripts`` (questions to content strings, keywords to a lookup)."""
    ordered = tuple(scripts)
    choices: list[str] = []
    questions: list[str] = []
    starts: list[int] = []
    keywords: dict[str, list[int]] = {}
    for position, script in enumerate(ordered):
        starts.append(len(choices))
        for question in script.questions:
            questions.append(question)
            choices.append(content(question) or normalize(question))
        for keyword in script.keywords:
            key = _keyword_key(keyword)
            if key and position not in keywords.setdefault(key, []):
                keywords[key].append(position)
    return Index(
        scripts=ordered,
        choices=tuple(choices),
        questions=tuple(questions),
        starts=np.array(starts, dtype=np.intp),
        keywords={key: tuple(owners) for key, owners in keywords.items()},
    )


def _keyword_hits(text: str, index: Index) -> set[int]:
    """Entries with a keyword in ``text``: every substring and word n-gram is looked up,
    so the cost follows the message's length, not the library's size."""
    normalized = compact(normalize(text))
    hits: set[int] = set()
    joined = normalized.replace(" ", "")
    for start in range(len(joined)):
        for end in range(start + 1, min(len(joined), start + MAX_KEYWORD_CHARS) + 1):
            hits.update(index.keywords.get(joined[start:end], ()))
    words = normalized.split(" ")
    for size in range(1, MAX_KEYWORD_WORDS + 1):
        for start in range(len(words) - size + 1):
            hits.update(index.keywords.get(" ".join(words[start : start + size]), ()))
    return hits


def _score(text: str, index: Index) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    """Per-question and per-entry scores for ``text``."""
    empty = np.zeros(0, dtype=np.float32)
    query = content(text) or normalize(text)
    if not index.scripts or not query:
        return empty, np.zeros(len(index.scripts), dtype=np.float32)
    ratio = process.cdist([query], index.choices, scorer=fuzz.ratio, dtype=np.float32)[0]
    hits = _keyword_hits(text, index)
    per_question = ratio / 2
    chosen = np.fromiter(_candidates(ratio, hits, index), dtype=np.intp)
    token_set = process.cdist(
        [query],
        [index.choices[c] for c in chosen],
        scorer=fuzz.token_set_ratio,
        dtype=np.float32,
    )[0]
    per_question[chosen] = (ratio[chosen] + token_set) / 2
    per_entry = np.maximum.reduceat(per_question, index.starts)
    for position in hits:
        per_entry[position] = min(100.0, per_entry[position] + KEYWORD_BONUS)
    return per_question, per_entry


def _candidates(ratio: npt.NDArray[np.float32], hits: set[int], index: Index) -> set[int]:
    """Questions worth the dearer scorer: the best by ``ratio``, and keyword entries'."""
    if ratio.size > CANDIDATES:
        chosen = set(np.argpartition(-ratio, CANDIDATES - 1)[:CANDIDATES].tolist())
    else:
        chosen = set(range(ratio.size))
    for position in hits:
        first = int(index.starts[position])
        chosen.update(range(first, first + len(index.scripts[position].questions)))
    return chosen


def scores(text: str, index: Index) -> npt.NDArray[np.float32]:
    """Every entry's score for ``text`` (0-100), in library order."""
    return _score(text, index)[1]


def match(text: str, index: Index, *, k: int = 3, min_score: float = 0.0) -> list[Match]:
    """The ``k`` best entries for ``text`` scoring at least ``min_score``, best first."""
    per_question, per_entry = _score(text, index)
    if per_question.size == 0 or k <= 0:
        return []
    take = min(k, per_entry.size)
    best = np.argpartition(-per_entry, take - 1)[:take]
    ranked = sorted(best.tolist(), key=lambda i: (-float(per_entry[i]), i))
    matches = []
    for position in ranked:
        score = float(per_entry[position])
        if score < min_score:
            break
        script = index.scripts[position]
        first = int(index.starts[position])
        own = per_question[first : first + len(script.questions)]
        question = script.questions[int(np.argmax(own))]
        matches.append(
            Match(script.id, round(score, 1), script.title, script.category, script.reply, question)
        )
    return matches
