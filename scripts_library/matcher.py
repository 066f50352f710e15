"""Matching customer messages to reply scripts: a pure function over an immutable index.

Scoring, chosen by measurement on CLINC150's train/validation splits and the
project's own zh/en set (``benchmarks/matching.py``, BENCHMARKS.md):

1. **Lexical**: a TF-IDF space over character 1-3-grams of the normalised text
   (weight 0.8: robust to typos, and Chinese needs no segmentation), stemmed words
   (0.4) and content words, function words dropped (0.4). An entry's similarity is
   ``0.7`` times the cosine with the centroid of its questions plus ``0.3`` times its
   closest question's: the centroid rewards what an entry's paraphrases share, the
   closest question catches a near-verbatim ask.
2. **Semantic** (optional): when the index carries sentence embeddings of the
   questions and the caller passes the message's embedding, the same centroid/closest
   mix over embeddings, fused as ``0.7 × semantic + 0.3 × lexical``.
3. **Keywords**: an entry whose keyword appears in the message gains
   ``KEYWORD_BONUS``.
4. **Calibration**: the similarity becomes ``score``, the estimated chance in
   percent that the entry is right (:mod:`scripts_library.calibration`).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from scripts_library import tfidf
from scripts_library.calibration import HYBRID, LEXICAL
from scripts_library.model import Script
from scripts_library.normalize import compact, is_cjk, normalize
from scripts_library.words import content, features

__all__ = ["Index", "Match", "Semantic", "build_index", "content", "match", "scores"]

BLOCK_WEIGHTS = {"c": 0.8, "w": 0.4, "k": 0.4}
CENTROID_WEIGHT = 0.7
SEMANTIC_WEIGHT = 0.7
KEYWORD_BONUS = 0.15
MAX_KEYWORD_CHARS = 12
MAX_KEYWORD_WORDS = 4
#: Only a message's beginning is matched: a question is short, and scoring a pasted wall
#: of text (20,000 characters cost ~120 ms) would make one message stall the matcher.
MAX_QUERY_CHARS = 1000

Floats = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class Match:
    """A suggested script for a message; ``score`` is the estimated chance (0-100) that
    it is the reply the customer needs."""

    script_id: str
    score: float
    title: str
    category: str
    text: str
    question: str


@dataclass(frozen=True, slots=True, eq=False)
class Semantic:
    """Unit-length sentence embeddings of the questions and of each entry's centroid."""

    questions: Floats
    centroids: Floats


@dataclass(frozen=True, slots=True, eq=False)
class Index:
    """The library, pre-processed for matching; never modified, rebuilt on change."""

    scripts: tuple[Script, ...]
    space: tfidf.Space
    questions: tfidf.Postings
    centroids: tfidf.Postings
    starts: npt.NDArray[np.intp]
    keywords: dict[str, tuple[int, ...]]
    semantic: Semantic | None = None

    def __len__(self) -> int:
        return len(self.scripts)


@dataclass(frozen=True, slots=True)
class _Scored:
    per_question: Floats
    per_entry: Floats
    #: Whether the sentence embeddings took part (the hybrid calibration applies).
    semantic: bool = False

    def percent(self, text: str) -> Floats:
        """Each entry's score: its similarity, calibrated."""
        return (HYBRID if self.semantic else LEXICAL).percent(self.per_entry, is_cjk(text))


def _keyword_key(keyword: str) -> str:
    normalized = compact(normalize(keyword))
    return normalized.replace(" ", "") if is_cjk(normalized) else normalized


def build_index(scripts: Iterable[Script], embeddings: Floats | None = None) -> Index:
    """Pre-process ``scripts``; ``embeddings`` (one unit-length row per question, in
    library order) add the semantic scorer."""
    ordered = tuple(scripts)
    found = [features(q) for s in ordered for q in s.questions]
    space = tfidf.fit(found, BLOCK_WEIGHTS)
    vectors = [space.vector(f) for f in found]
    starts = np.cumsum([0] + [len(s.questions) for s in ordered[:-1]], dtype=np.intp)
    bounds = [*starts.tolist(), len(vectors)]
    centroids = [tfidf.centroid(vectors[a:b]) for a, b in itertools.pairwise(bounds)]
    keywords: dict[str, list[int]] = {}
    for position, script in enumerate(ordered):
        for keyword in script.keywords:
            key = _keyword_key(keyword)
            if key and position not in keywords.setdefault(key, []):
                keywords[key].append(position)
    return Index(
        scripts=ordered,
        space=space,
        questions=tfidf.postings(vectors, len(space.columns)),
        centroids=tfidf.postings(centroids, len(space.columns)),
        starts=starts if ordered else np.zeros(0, dtype=np.intp),
        keywords={key: tuple(owners) for key, owners in keywords.items()},
        semantic=_semantic(embeddings, starts, len(vectors)) if ordered else None,
    )


def _semantic(embeddings: Floats | None, starts: npt.NDArray[np.intp], n: int) -> Semantic | None:
    if embeddings is None:
        return None
    if embeddings.ndim != 2 or embeddings.shape[0] != n:
        raise ValueError(f"expected one embedding per question ({n}), got {embeddings.shape}")
    sums = np.add.reduceat(embeddings, starts, axis=0)
    lengths = np.linalg.norm(sums, axis=1, keepdims=True)
    return Semantic(embeddings, (sums / np.maximum(lengths, 1e-12)).astype(np.float32))


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


def _mix(per_question: Floats, per_centroid: Floats, starts: npt.NDArray[np.intp]) -> Floats:
    closest = np.maximum.reduceat(per_question, starts)
    return (CENTROID_WEIGHT * per_centroid + (1 - CENTROID_WEIGHT) * closest).astype(np.float32)


def _score(text: str, index: Index, vector: Floats | None) -> _Scored:
    """Per-question and per-entry similarities for ``text`` (0-1, before calibration)."""
    text = text[:MAX_QUERY_CHARS]
    query = index.space.vector(features(text))
    hits = _keyword_hits(text, index) if index.scripts else set()
    if not index.scripts or (query[0].size == 0 and vector is None and not hits):
        return _Scored(np.zeros(0, dtype=np.float32), np.zeros(len(index), dtype=np.float32))
    per_question = index.questions.dot(query)
    per_entry = _mix(per_question, index.centroids.dot(query), index.starts)
    semantic = index.semantic is not None and vector is not None
    if index.semantic is not None and vector is not None:
        meaning = index.semantic.questions @ vector
        per_entry = (
            SEMANTIC_WEIGHT * _mix(meaning, index.semantic.centroids @ vector, index.starts)
            + (1 - SEMANTIC_WEIGHT) * per_entry
        )
        per_question = SEMANTIC_WEIGHT * meaning + (1 - SEMANTIC_WEIGHT) * per_question
    for position in hits:
        per_entry[position] += KEYWORD_BONUS
    return _Scored(per_question.astype(np.float32), per_entry.astype(np.float32), semantic)


def scores(text: str, index: Index, vector: Floats | None = None) -> Floats:
    """Every entry's score for ``text`` (0-100), in library order."""
    scored = _score(text, index, vector)
    if scored.per_question.size == 0:
        return scored.per_entry
    return scored.percent(text)


def similarities(text: str, index: Index, vector: Floats | None = None) -> Floats:
    """Every entry's similarity for ``text`` before calibration (for fitting it)."""
    return _score(text, index, vector).per_entry


def match(
    text: str,
    index: Index,
    *,
    k: int = 3,
    min_score: float = 0.0,
    vector: Floats | None = None,
) -> list[Match]:
    """The ``k`` best entries for ``text`` scoring at least ``min_score``, best first;
    ``vector`` is the message's sentence embedding when the index has embeddings."""
    scored = _score(text, index, vector)
    if scored.per_question.size == 0 or k <= 0:
        return []
    percent = scored.percent(text)
    take = min(k, percent.size)
    best = np.argpartition(-scored.per_entry, take - 1)[:take]
    ranked = sorted(best.tolist(), key=lambda i: (-float(scored.per_entry[i]), i))
    matches = []
    for position in ranked:
        score = float(percent[position])
        if score < min_score:
            break
        script = index.scripts[position]
        first = int(index.starts[position])
        own = scored.per_question[first : first + len(script.questions)]
        question = script.questions[int(np.argmax(own))]
        matches.append(
            Match(script.id, round(score, 1), script.title, script.category, script.reply, question)
        )
    return matches
