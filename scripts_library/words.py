"""Words of a message for matching: function words dropped, English words stemmed.

Function words (吗, 呢, 请问, "do you", "the", ...) make every short question look
alike, so the matcher's content words leave them out; English words are reduced to
their Snowball stem so that "cards" and "card" are one word.
"""

from __future__ import annotations

import functools
from collections import Counter
from itertools import repeat

import snowballstemmer

from scripts_library.normalize import compact, is_cjk, normalize, tokens

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


def content(text: str) -> str:
    """The content words of ``text``: normalised, segmented, function words dropped."""
    return " ".join(content_words(tokens(normalize(text))))


def content_words(words: list[str]) -> list[str]:
    """The content words among the words of a normalised text."""
    kept = []
    for word in words:
        if word in ZH_STOPWORDS or word in EN_STOPWORDS:
            continue
        if len(word) > 1 and is_cjk(word):
            word = "".join(c for c in word if c not in ZH_STOPWORDS)
        if word:
            kept.append(word)
    return kept


@functools.cache
def _stemmer() -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer("english")


@functools.lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    """One English word's stem (words repeat across messages: cached, bounded)."""
    return str(_stemmer().stemWord(word))


def stems(words: list[str]) -> list[str]:
    """``words`` with English words stemmed (Chinese words and digits kept as they are)."""
    return [_stem(w) if w.isascii() and not is_cjk(w) else w for w in words]


#: Character n-gram sizes; single Chinese characters carry meaning, so 1 is included.
CHAR_GRAMS = (1, 2, 3)


def features(text: str) -> Counter[tuple[str, str]]:
    """The lexical features of ``text`` in three blocks: ``c`` character n-grams of the
    normalised text, ``w`` its (stemmed) words, ``k`` its (stemmed) content words."""
    return normalized_features(normalize(text))


def normalized_features(normalized: str) -> Counter[tuple[str, str]]:
    """:func:`features` of text already normalised."""
    joined = compact(normalized)
    grams = [
        joined[start : start + size]
        for size in CHAR_GRAMS
        for start in range(len(joined) - size + 1)
    ]
    words = tokens(normalized)
    found = Counter(zip(repeat("c"), grams))
    found.update(zip(repeat("w"), stems(words)))
    found.update(zip(repeat("k"), stems(content_words(words))))
    # Spaces between words are not features (normalised text has single spaces only).
    found.pop(("c", " "), None)
    return found
