"""Library gaps: customer questions that got no suggestion, grouped by similarity."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from scripts_library.matcher import content
from scripts_library.normalize import compact, normalize

SIMILAR = 75.0


@dataclass
class Gap:
    """A group of near-identical unmatched questions."""

    question: str
    count: int = 0
    examples: list[str] = field(default_factory=list)
    first_seen: float = 0.0
    last_seen: float = 0.0


def group_gaps(
    messages: Iterable[tuple[str, float]], similar: float = SIMILAR, examples: int = 5
) -> list[Gap]:
    """Group ``(text, ts)`` messages whose content is at least ``similar`` alike (rapidfuzz
    ``ratio`` over content words, Chinese unsegmented since jieba may cut the same phrase
    differently); most frequent group first, then most recent."""
    groups: list[Gap] = []
    keys: list[str] = []
    for text, ts in messages:
        key = compact(content(text) or normalize(text))
        if not key:
            continue
        found = process.extractOne(key, keys, scorer=fuzz.ratio, score_cutoff=similar)
        if found is None:
            groups.append(Gap(question=text, first_seen=ts, last_seen=ts))
            keys.append(key)
            gap = groups[-1]
        else:
            gap = groups[found[2]]
        gap.count += 1
        gap.first_seen, gap.last_seen = min(gap.first_seen, ts), max(gap.last_seen, ts)
        if text not in gap.examples and len(gap.examples) < examples:
            gap.examples.append(text)
    return sorted(groups, key=lambda g: (-g.count, -g.last_seen))
