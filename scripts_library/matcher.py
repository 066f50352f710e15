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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from scripts_library import dense, tfidf
from scripts_library.calibration import HYBRID, LEXICAL
from scripts_library.keywords import Keywords, keywords
from scripts_library.model import Script
from scripts_library.normalize import is_cjk, normalize
from scripts_library.words import content, features, normalized_features

__all__ = [
    "Index",
    "Match",
    "Scored",
    "Semantic",
    "build_index",
    "content",
    "match",
    "match_many",
    "score_all",
]

BLOCK_WEIGHTS = {"c": 0.8, "w": 0.4, "k": 0.4}
CENTROID_WEIGHT = 0.7
SEMANTIC_WEIGHT = 0.7
KEYWORD_BONUS = 0.15
#: Only a message's beginning is matched: a question is short, and scoring a pasted wall
#: of text (20,000 characters cost ~120 ms) would make one message stall the matcher.
MAX_QUERY_CHARS = 1000
#: Most (message, library question) pairs scored in one pass of array work.
BATCH_CELLS = 65_536
#: Up to this many library questions every question's cosine is computed for the whole
#: batch in one product: cheaper than bounding, which costs ~0.25 ms per message in
#: Python steps (measured by ``benchmarks/dense_crossover.py``).
FULL_PRODUCT_QUESTIONS = 2048

Floats = npt.NDArray[np.float32]
Semantic = dense.Semantic
_DENSE_WEIGHTS = dense.Weights(
    SEMANTIC_WEIGHT * CENTROID_WEIGHT, SEMANTIC_WEIGHT * (1 - CENTROID_WEIGHT)
)


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
class Index:
    """The library, pre-processed for matching; never modified, rebuilt on change."""

    scripts: tuple[Script, ...]
    space: tfidf.Space
    questions: tfidf.Postings
    centroids: tfidf.Postings
    starts: npt.NDArray[np.intp]
    keywords: Keywords
    semantic: Semantic | None = None

    def __len__(self) -> int:
        return len(self.scripts)


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
    return Index(
        scripts=ordered,
        space=space,
        questions=tfidf.postings(vectors, len(space.columns)),
        centroids=tfidf.postings(centroids, len(space.columns)),
        starts=starts if ordered else np.zeros(0, dtype=np.intp),
        keywords=keywords(ordered),
        semantic=_semantic(embeddings, starts, len(vectors)) if ordered else None,
    )


def _semantic(embeddings: Floats | None, starts: npt.NDArray[np.intp], n: int) -> Semantic | None:
    if embeddings is None:
        return None
    if embeddings.ndim != 2 or embeddings.shape[0] != n:
        raise ValueError(f"expected one embedding per question ({n}), got {embeddings.shape}")
    return dense.semantic(embeddings, starts)


@dataclass(frozen=True, slots=True)
class _Query:
    """What scoring needs of one message: its TF-IDF vector and the keywords it holds."""

    vector: tfidf.Vector
    hits: set[int]
    chinese: bool


def _query(text: str, index: Index) -> _Query:
    text = text[:MAX_QUERY_CHARS]
    normalized = normalize(text)
    vector = index.space.vector(normalized_features(normalized))
    return _Query(vector, index.keywords.hits(normalized), is_cjk(text))


@dataclass(frozen=True, slots=True)
class Scored:
    """Similarities of a batch of messages to every entry (0-1, before calibration), a row
    each; :meth:`percent` calibrates them into scores."""

    per_question: Floats
    per_entry: Floats
    #: Rows with nothing to go on (no known feature, keyword or embedding): no match.
    empty: npt.NDArray[np.bool_]
    chinese: npt.NDArray[np.bool_]
    #: Whether the sentence embeddings took part (the hybrid calibration applies).
    semantic: bool = False

    def percent(self) -> Floats:
        """Each entry's score per row: its similarity, calibrated."""
        curve = HYBRID if self.semantic else LEXICAL
        return curve.percent(self.per_entry, self.chinese)


def _mix(per_question: Floats, per_centroid: Floats, starts: npt.NDArray[np.intp]) -> Floats:
    closest = np.maximum.reduceat(per_question, starts, axis=-1)
    return (CENTROID_WEIGHT * per_centroid + (1 - CENTROID_WEIGHT) * closest).astype(np.float32)


def _lexical(queries: list[_Query], index: Index) -> tuple[Floats, Floats]:
    """Per-question and per-entry lexical similarities of a batch."""
    lexical = [q.vector for q in queries]
    per_question = index.questions.dot_many(lexical)
    return per_question, _mix(per_question, index.centroids.dot_many(lexical), index.starts)


def score_all(texts: Sequence[str], index: Index, vectors: Floats | None) -> Scored:
    """Per-question and per-entry similarities of each of ``texts`` to the whole library,
    computed together (a batch costs one pass of array operations, not one per message):
    what fitting the calibration curves starts from, and what :func:`match_many` ranks
    (which spares the semantic scorer's per-question products it does not need)."""
    queries = [_query(text, index) for text in texts]
    chinese = np.array([q.chinese for q in queries], dtype=np.bool_)
    if not index.scripts:
        nothing = np.zeros((len(texts), 0), dtype=np.float32)
        return Scored(nothing, nothing, np.ones(len(texts), dtype=np.bool_), chinese)
    semantic = index.semantic is not None and vectors is not None
    empty = np.array(
        [q.vector[0].size == 0 and not semantic and not q.hits for q in queries], dtype=np.bool_
    )
    per_question, per_entry = _lexical(queries, index)
    if index.semantic is not None and vectors is not None:
        meaning = (index.semantic.questions @ vectors.T).T
        per_entry = (
            SEMANTIC_WEIGHT * _mix(meaning, (index.semantic.centroids @ vectors.T).T, index.starts)
            + (1 - SEMANTIC_WEIGHT) * per_entry
        )
        per_question = SEMANTIC_WEIGHT * meaning + (1 - SEMANTIC_WEIGHT) * per_question
    per_entry = per_entry.astype(np.float32)
    for row, query in enumerate(queries):
        per_entry[row, list(query.hits)] += KEYWORD_BONUS
    return Scored(per_question.astype(np.float32), per_entry, empty, chinese, semantic)


def _score_top(
    texts: Sequence[str], index: Index, vectors: Floats, k: int, min_score: float
) -> Scored:
    """:func:`score_all` with embeddings, exact for every entry that can be among the
    ``k`` best of its row and reach ``min_score``, and for their questions
    (:mod:`scripts_library.dense`)."""
    assert index.semantic is not None
    queries = [_query(text, index) for text in texts]
    chinese = np.array([q.chinese for q in queries], dtype=np.bool_)
    lexical_question, lexical_entry = _lexical(queries, index)
    base = ((1 - SEMANTIC_WEIGHT) * lexical_entry).astype(np.float32)
    for row, query in enumerate(queries):
        base[row, list(query.hits)] += KEYWORD_BONUS
    per_entry = np.empty_like(base, dtype=np.float32)
    per_question = ((1 - SEMANTIC_WEIGHT) * lexical_question).astype(np.float32)
    for row in range(len(queries)):
        floor = HYBRID.lowest(min_score, bool(chinese[row]))
        found = dense.top(base[row], vectors[row], index.semantic, k, _DENSE_WEIGHTS, floor)
        per_entry[row] = found.per_entry
        per_question[row, found.rows] += SEMANTIC_WEIGHT * found.cosines
    empty = np.zeros(len(texts), dtype=np.bool_)
    return Scored(per_question, per_entry, empty, chinese, True)


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
    vectors = None if vector is None else vector[np.newaxis]
    return match_many([text], index, k=k, min_score=min_score, vectors=vectors)[0]


def match_many(
    texts: Sequence[str],
    index: Index,
    *,
    k: int = 3,
    min_score: float = 0.0,
    vectors: Floats | None = None,
) -> list[list[Match]]:
    """:func:`match` for each of ``texts``, scored in one batch; ``vectors`` holds the
    messages' sentence embeddings, a row each, when the index has embeddings."""
    take = min(k, len(index))
    if take <= 0:
        return [[] for _ in texts]
    # Past ~64k (message, question) cells a batch's arrays leave the CPU cache and cost
    # more than they save: a large library is matched a few messages at a time.
    size = max(1, BATCH_CELLS // max(1, index.questions.rows))
    found: list[list[Match]] = []
    for start in range(0, len(texts), size):
        chunk = None if vectors is None else vectors[start : start + size]
        if (
            chunk is not None
            and index.semantic is not None
            and index.questions.rows > FULL_PRODUCT_QUESTIONS
        ):
            scored = _score_top(texts[start : start + size], index, chunk, take, min_score)
        else:
            scored = score_all(texts[start : start + size], index, chunk)
        percent = scored.percent()
        best = np.argpartition(-scored.per_entry, take - 1, axis=1)[:, :take]
        found += [
            [] if scored.empty[row] else _ranked(scored, percent, row, best[row], index, min_score)
            for row in range(len(best))
        ]
    return found


def _ranked(
    scored: Scored,
    percent: Floats,
    row: int,
    best: npt.NDArray[np.intp],
    index: Index,
    min_score: float,
) -> list[Match]:
    similarity = scored.per_entry[row]
    matches = []
    for position in sorted(best.tolist(), key=lambda i: (-float(similarity[i]), i)):
        score = float(percent[row, position])
        if score < min_score:
            break
        script = index.scripts[position]
        first = int(index.starts[position])
        own = scored.per_question[row, first : first + len(script.questions)]
        question = script.questions[int(np.argmax(own))]
        matches.append(
            Match(script.id, round(score, 1), script.title, script.category, script.reply, question)
        )
    return matches
