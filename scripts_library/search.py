"""Searching the whole library by what an agent types (the console's ``/`` popup):
a fuzzy look-up over titles, questions, keywords and replies, for when no suggestion
fits. Unlike :func:`scripts_library.matcher.match`, which ranks entries by how well
a customer's message asks their question, this finds an entry by any words in it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from scripts_library.model import Script
from scripts_library.normalize import normalize

#: A reply's words count a little less than its title, questions and keywords.
REPLY_WEIGHT = 0.9


@dataclass(frozen=True, slots=True)
class SearchIndex:
    """Every searchable text of the library, normalised, with the entry it belongs to."""

    scripts: tuple[Script, ...]
    texts: tuple[str, ...]
    owners: tuple[int, ...]
    weights: tuple[float, ...]


def build_search(scripts: Iterable[Script]) -> SearchIndex:
    """Pre-process ``scripts`` for :func:`search`."""
    ordered = tuple(scripts)
    texts: list[str] = []
    owners: list[int] = []
    weights: list[float] = []
    for position, script in enumerate(ordered):
        for text, weight in (
            (script.title, 1.0),
            *((q, 1.0) for q in script.questions),
            *((k, 1.0) for k in script.keywords),
            (script.reply, REPLY_WEIGHT),
        ):
            normalized = normalize(text)
            if normalized:
                texts.append(normalized)
                owners.append(position)
                weights.append(weight)
    return SearchIndex(ordered, tuple(texts), tuple(owners), tuple(weights))


def search(query: str, index: SearchIndex, k: int = 10) -> list[tuple[Script, float]]:
    """The ``k`` entries that best contain ``query`` (score 0-100), best first; an empty
    query lists the library's first ``k`` entries."""
    needle = normalize(query)
    if not needle:
        return [(script, 0.0) for script in index.scripts[:k]]
    found = process.extract(
        needle, index.texts, scorer=fuzz.partial_ratio, limit=None, score_cutoff=50
    )
    best: dict[int, float] = {}
    for _text, score, position in found:
        owner = index.owners[position]
        weighted = score * index.weights[position]
        if weighted > best.get(owner, 0.0):
            best[owner] = weighted
    ranked = sorted(best.items(), key=lambda item: (-item[1], index.scripts[item[0]].id))
    return [(index.scripts[owner], round(score, 1)) for owner, score in ranked[:k]]
