"""Library gaps (customer questions that got no suggestion, grouped by similarity) and
the questions customers asked most, answered or not."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from scripts_library.matcher import content
from scripts_library.model import Script
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


@dataclass(frozen=True, slots=True)
class Answered:
    """Customer messages whose best suggestion was one script, and how many of them an
    agent answered with a script (a suggestion used or edited)."""

    script_id: str
    count: int
    accepted: int


@dataclass(frozen=True, slots=True)
class Asked:
    """One of the questions customers asked most: a script that answers it (with how
    often agents accepted it), or a group of messages nothing matched."""

    question: str
    count: int
    script_id: str | None = None
    title: str | None = None
    accepted: int | None = None
    examples: tuple[str, ...] = ()

    @property
    def acceptance(self) -> float | None:
        """The share of these messages answered with a script (None: nothing matched)."""
        return None if self.accepted is None else self.accepted / self.count


MOST_ASKED = 15


def most_asked(
    answered: Iterable[Answered],
    library: Mapping[str, Script],
    unmatched: Iterable[Gap],
    top: int = MOST_ASKED,
) -> list[Asked]:
    """The manuals' "most common questions": answered ones (by the script that matched
    them, named by its first question) and unanswered groups together, most asked first
    (ties: answered first, then by name). A script since deleted keeps its id as name."""
    found = [
        Asked(
            question=script.questions[0] if script else a.script_id,
            count=a.count,
            script_id=a.script_id,
            title=script.title if script else None,
            accepted=a.accepted,
        )
        for a in answered
        if a.count > 0
        for script in [library.get(a.script_id)]
    ]
    found += [Asked(g.question, g.count, examples=tuple(g.examples)) for g in unmatched]
    found.sort(key=lambda a: (-a.count, a.script_id is None, a.question))
    return found[:top]
