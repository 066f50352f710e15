"""Keywords of library entries, found in a message by exact lookup of its pieces.

An entry's keyword (a product name, "退货", "track order") found in a message adds a
bonus to the entry's score. Chinese keywords are looked up among every substring of
the message (spaces removed), other keywords among its word n-grams and substrings;
only the lengths some keyword has are tried, so the cost follows the message's
length, not the library's size.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from scripts_library.model import Script
from scripts_library.normalize import compact, is_cjk, normalize

MAX_KEYWORD_CHARS = 12
MAX_KEYWORD_WORDS = 4


@dataclass(frozen=True, slots=True, eq=False)
class Keywords:
    """Which entries own each normalised keyword, and the sizes worth looking up."""

    owners: dict[str, tuple[int, ...]]
    #: Lengths in characters of keywords without a space (looked up as substrings).
    chars: tuple[int, ...]
    #: Lengths in words of every keyword (looked up as word n-grams).
    words: tuple[int, ...]

    def hits(self, normalized: str) -> set[int]:
        """Entries with a keyword in the normalised text ``normalized``."""
        found: set[int] = set()
        if not self.owners:
            return found
        text = compact(normalized)
        joined = text.replace(" ", "")
        pieces = {
            joined[start : start + size]
            for size in self.chars
            for start in range(len(joined) - size + 1)
        }
        words = text.split(" ")
        pieces.update(
            " ".join(words[start : start + size])
            for size in self.words
            for start in range(len(words) - size + 1)
        )
        for piece in pieces & self.owners.keys():
            found.update(self.owners[piece])
        return found


def _key(keyword: str) -> str:
    """A keyword as it is looked up: normalised, without spaces in Chinese."""
    normalized = compact(normalize(keyword))
    return normalized.replace(" ", "") if is_cjk(normalized) else normalized


def keywords(scripts: Iterable[Script]) -> Keywords:
    """The keywords of ``scripts`` (entry positions in their order)."""
    owners: dict[str, list[int]] = {}
    for position, script in enumerate(scripts):
        for keyword in script.keywords:
            found = _key(keyword)
            if found and position not in owners.setdefault(found, []):
                owners[found].append(position)
    chars = {len(k) for k in owners if " " not in k and len(k) <= MAX_KEYWORD_CHARS}
    words = {k.count(" ") + 1 for k in owners if k.count(" ") < MAX_KEYWORD_WORDS}
    return Keywords(
        {k: tuple(v) for k, v in owners.items()}, tuple(sorted(chars)), tuple(sorted(words))
    )
