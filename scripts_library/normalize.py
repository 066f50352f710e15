"""Text normalisation shared by the matcher and the forbidden-phrase check.

NFKC (full-width forms become half-width), case folding, traditional to
simplified Chinese (OpenCC), punctuation, symbols and emoji dropped, runs of a
repeated character collapsed.  The same function runs on library questions and
on customer messages, so what matters is that it is consistent, not that the
result reads well.
"""

from __future__ import annotations

import functools
import logging
import re
import unicodedata
from collections.abc import Sequence

import jieba
import opencc

jieba.setLogLevel(logging.WARNING)

# Anything that is not a letter, a mark or a digit separates words.
_NOT_WORD = re.compile(r"[^\w]|_", re.UNICODE)
_SPACES = re.compile(r"\s+")
# Runs of a repeated Chinese character count once ("在吗吗吗"); in other scripts only
# runs of three or more shrink to two ("sooo" -> "soo"), since "good" is not "god";
# digits keep their runs because "100" and "10" differ.
_REPEATS_CJK = re.compile(r"([\u3400-\u9fff])\1+")
_REPEATS_OTHER = re.compile(r"([^\d\u3400-\u9fff\s])\1{2,}")
_CONTRACTIONS = re.compile(r"n['’]t\b|['’](?:s|re|ll|ve|d|m)\b")
_CJK = re.compile(r"[\u3400-\u9fff]")


@functools.cache
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def normalize(text: str) -> str:
    """Normalised text: words separated by single spaces, Chinese in simplified form."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _t2s().convert(text)
    text = _CONTRACTIONS.sub(lambda m: " not" if m.group(0)[0] == "n" else "", text)
    text = _NOT_WORD.sub(" ", text)
    text = _REPEATS_CJK.sub(r"\1", text)
    text = _REPEATS_OTHER.sub(r"\1\1", text)
    return _SPACES.sub(" ", text).strip()


def is_cjk(text: str) -> bool:
    """Whether ``text`` contains Chinese characters."""
    return _CJK.search(text) is not None


def compact(normalized: str) -> str:
    """Normalised text without spaces between Chinese characters (for character scorers)."""
    return re.sub(r"(?<=[\u3400-\u9fff]) (?=[\u3400-\u9fff])", "", normalized)


def tokens(normalized: str) -> list[str]:
    """Words of normalised text: jieba segments Chinese, spaces split the rest."""
    words: list[str] = []
    for chunk in normalized.split(" "):
        if is_cjk(chunk):
            words.extend(w for w in jieba.lcut(chunk) if w.strip())
        elif chunk:
            words.append(chunk)
    return words


def has_phrase(text: str, phrases: Sequence[str]) -> str | None:
    """The first of ``phrases`` found in ``text`` after normalisation, or None.

    Chinese phrases match anywhere (Chinese has no spaces); other phrases match
    whole words only, so "no" is not found in "know".
    """
    normalized = compact(normalize(text))
    words = f" {normalized} "
    joined = normalized.replace(" ", "")
    for phrase in phrases:
        needle = compact(normalize(phrase))
        if not needle:
            continue
        if is_cjk(needle) and needle.replace(" ", "") in joined:
            return phrase
        if f" {needle} " in words:
            return phrase
    return None
