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


def clauses(text: str) -> list[str]:
    """``text`` cut at punctuation and line breaks (before normalisation drops them), so
    that "不，可以的" is the clauses "不" and "可以的", not "不可以的"."""
    parts: list[str] = []
    current: list[str] = []
    for char in unicodedata.normalize("NFKC", text):
        if unicodedata.category(char).startswith("P") or char in "\n\r\t":
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [part for part in parts if part.strip()]


def has_phrase(text: str, phrases: Sequence[str], allowed: Sequence[str] = ()) -> str | None:
    """The first of ``phrases`` found in one clause of ``text`` after normalisation, or
    None.

    Chinese phrases match anywhere inside a clause (Chinese has no spaces); other
    phrases match whole words only, so "no" is not found in "know". Occurrences of an
    ``allowed`` phrase (a team's exceptions, e.g. "不知道您" in a polite question) are
    taken out first.
    """
    exceptions = [n for n in (compact(normalize(a)) for a in allowed) if n]
    for clause in clauses(text):
        normalized = compact(normalize(clause))
        for exception in exceptions:
            normalized = normalized.replace(exception, " | ")
        found = _phrase_in(normalized, phrases)
        if found is not None:
            return found
    return None


def _phrase_in(normalized: str, phrases: Sequence[str]) -> str | None:
    words = f" {normalized} "
    pieces = [piece.replace(" ", "") for piece in normalized.split("|")]
    for phrase in phrases:
        needle = compact(normalize(phrase))
        if not needle:
            continue
        if is_cjk(needle) and any(needle.replace(" ", "") in piece for piece in pieces):
            return phrase
        if f" {needle} " in words:
            return phrase
    return None
