"""The semantic scorer skips the per-question products that cannot change the top
suggestions: what it suggests, with which score and which question, is exactly what
scoring every question gives (libraries of one to many questions per entry, queries
near a question and far from all)."""

from __future__ import annotations

import numpy as np
import pytest

from scripts_library import dense, matcher
from scripts_library.calibration import HYBRID
from scripts_library.matcher import Index, build_index, match_many, score_all
from scripts_library.model import Script

Floats = np.typing.NDArray[np.float32]


def unit(rows: np.typing.NDArray[np.float64]) -> Floats:
    scaled: Floats = (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)
    return scaled


def library(
    rng: np.random.Generator, entries: int, spread: tuple[float, float] = (0.3, 1.5)
) -> tuple[Index, Floats]:
    """Entries of 1-6 questions whose embeddings cluster around a topic each, loosely or
    tightly (``spread``: the noise's scale against the topic's)."""
    scripts, vectors = [], []
    for n in range(entries):
        size = int(rng.integers(1, 7))
        topic = rng.normal(size=512)
        vectors += [topic + rng.normal(scale=rng.uniform(*spread), size=512) for _ in range(size)]
        questions = tuple(f"question {n} {i}" for i in range(size))
        scripts.append(
            Script(id=f"s{n}", category="c", title=f"t{n}", questions=questions, reply="r")
        )
    embeddings = unit(np.array(vectors))
    return build_index(scripts, embeddings), embeddings


def exact(
    texts: list[str], index: Index, vectors: Floats, k: int
) -> list[list[tuple[str, float, str]]]:
    """The top ``k`` from every question scored (the calibration's own path), every
    score shown."""
    scored = score_all(texts, index, vectors)
    percent = scored.percent()
    out = []
    for row in range(len(texts)):
        order = sorted(range(len(index)), key=lambda i: (-float(scored.per_entry[row, i]), i))[:k]
        found = []
        for position in order:
            script = index.scripts[position]
            first = int(index.starts[position])
            own = scored.per_question[row, first : first + len(script.questions)]
            found.append(
                (
                    script.id,
                    round(float(percent[row, position]), 1),
                    script.questions[int(np.argmax(own))],
                )
            )
        out.append(found)
    return out


@pytest.mark.parametrize(
    ("entries", "k", "seed", "spread"),
    [
        (1, 3, 1, (0.3, 1.5)),
        (5, 3, 2, (0.3, 1.5)),
        (400, 3, 3, (0.3, 1.5)),
        (400, 10, 4, (0.1, 0.3)),
        (2000, 5, 5, (0.1, 0.3)),
        (2000, 3, 6, (0.05, 1.0)),
    ],
)
@pytest.mark.parametrize("first_round", [dense.FIRST_ROUND, 1])
@pytest.mark.parametrize("dimensions", [dense.DIMENSIONS, 8])
@pytest.mark.parametrize("min_score", [0.0, 45.0])
def test_the_top_suggestions_are_exactly_those_of_scoring_every_question(
    entries: int,
    k: int,
    seed: int,
    spread: tuple[float, float],
    first_round: int,
    dimensions: int,
    min_score: float,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(dense, "FIRST_ROUND", first_round)  # 1: the bounds decide alone
    monkeypatch.setattr(dense, "DIMENSIONS", dimensions)  # 8: loose bounds
    monkeypatch.setattr(matcher, "FULL_PRODUCT_QUESTIONS", 0)  # bounded, whatever the size
    rng = np.random.default_rng(seed)
    index, embeddings = library(rng, entries, spread)
    near = embeddings[rng.integers(0, len(embeddings), size=20)] + rng.normal(
        scale=0.05, size=(20, 512)
    )
    far = rng.normal(size=(10, 512))
    vectors = unit(np.vstack([near, far]))
    texts = ["question"] * 15 + ["something else entirely"] * 15
    got = [
        [(m.script_id, m.score, m.question) for m in row]
        for row in match_many(texts, index, k=k, min_score=min_score, vectors=vectors)
    ]
    want = [[t for t in row if t[1] >= min_score] for row in exact(texts, index, vectors, k)]
    for mine, theirs in zip(got, want, strict=True):
        assert [m[0] for m in mine] == [t[0] for t in theirs]
        assert [m[2] for m in mine] == [t[2] for t in theirs]
        assert [m[1] for m in mine] == pytest.approx([t[1] for t in theirs], abs=0.11)


@pytest.mark.parametrize("min_score", [0.0, 45.0])
def test_a_small_library_scores_every_question_in_one_product(min_score: float) -> None:
    rng = np.random.default_rng(11)
    index, embeddings = library(rng, 120)
    assert index.questions.rows <= matcher.FULL_PRODUCT_QUESTIONS
    near = embeddings[rng.integers(0, len(embeddings), size=32)]
    vectors = unit(near + rng.normal(scale=0.05, size=near.shape))
    texts = ["question"] * 32
    found = match_many(texts, index, k=3, min_score=min_score, vectors=vectors)
    want = [[t for t in row if t[1] >= min_score] for row in exact(texts, index, vectors, 3)]
    assert [[(m.script_id, m.score, m.question) for m in row] for row in found] == want


def test_the_bounds_are_never_below_the_cosines_they_bound() -> None:
    rng = np.random.default_rng(7)
    index, embeddings = library(rng, 300)
    assert index.semantic is not None
    semantic = index.semantic
    for vector in unit(rng.normal(size=(50, 512))):
        message = dense.project(vector[np.newaxis], semantic.basis)
        for projected, full in (
            (semantic.projected_questions, embeddings),
            (semantic.projected_centroids, semantic.centroids),
        ):
            bound = dense.upper(projected, message, dense.estimate(projected, message))
            assert np.all(bound >= full @ vector)
        bound = dense.radius_bound(semantic.centroids @ vector, semantic.radii)
        assert np.all(bound >= np.maximum.reduceat(embeddings @ vector, index.starts))


def test_the_basis_keeps_the_libraries_own_directions() -> None:
    """Embeddings that live in few directions (as an encoder's do, far more than random
    vectors) leave almost nothing outside the basis."""
    rng = np.random.default_rng(9)
    directions = np.linalg.qr(rng.normal(size=(512, 64)))[0]
    vectors = unit(rng.normal(size=(3000, 64)) @ directions.T)
    projected = dense.project(vectors, dense.basis(vectors))
    assert float(projected.rest.max()) < 1e-3
    assert projected.coordinates.shape == (3000, dense.DIMENSIONS)


def test_only_the_entries_that_could_win_are_scored_exactly() -> None:
    """Paraphrases sit close together, in a few directions (as an encoder puts them): a
    message near one entry's question leaves most other entries below the bar."""
    rng = np.random.default_rng(8)
    directions = np.linalg.qr(rng.normal(size=(512, 96)))[0]
    scripts, vectors = [], []
    for n in range(2000):
        topic = rng.normal(size=96)
        vectors += [topic + rng.normal(scale=0.2, size=96) for _ in range(3)]
        scripts.append(
            Script(id=f"s{n}", category="c", title="t", questions=("a", "b", "c"), reply="r")
        )
    embeddings = unit(np.array(vectors) @ directions.T)
    index = build_index(scripts, embeddings)
    assert index.semantic is not None
    vector = unit(embeddings[:1] + 0.05 * (rng.normal(size=(1, 96)) @ directions.T))[0]
    weights = dense.Weights(0.49, 0.21)
    found = dense.top(np.zeros(2000, np.float32), vector, index.semantic, 3, weights)
    assert 0 < len(found.rows) < len(embeddings) / 10
    everything = 0.49 * index.semantic.centroids @ vector + 0.21 * np.maximum.reduceat(
        embeddings @ vector, index.starts
    )
    best = np.argsort(-everything)[:3]
    assert np.argsort(-found.per_entry)[:3].tolist() == best.tolist()
    assert found.per_entry[best] == pytest.approx(everything[best], abs=1e-5)


def test_nothing_is_scored_exactly_when_no_entry_can_reach_the_floor() -> None:
    rng = np.random.default_rng(10)
    index, _ = library(rng, 500, spread=(0.1, 0.3))
    assert index.semantic is not None
    far = unit(rng.normal(size=(1, 512)))[0]
    weights = dense.Weights(0.49, 0.21)
    found = dense.top(np.zeros(500, np.float32), far, index.semantic, 3, weights, floor=0.9)
    scored = np.unique(np.searchsorted(index.starts, found.rows, side="right") - 1)
    assert len(scored) == dense.FIRST_ROUND  # the first round only: the bar is the floor
    assert float(found.per_entry.max()) < 0.9


@pytest.mark.parametrize("chinese", [False, True])
@pytest.mark.parametrize("percent", [1.0, 45.0, 70.0, 99.0])
def test_the_floor_is_the_calibrations_inverse(percent: float, chinese: bool) -> None:
    lowest = HYBRID.lowest(percent, chinese)
    below = np.array([lowest - 0.01, lowest], dtype=np.float32)
    above = np.array([lowest + 3e-4, lowest + 0.01], dtype=np.float32)
    assert np.all(HYBRID.percent(below, chinese) < percent)
    assert np.all(HYBRID.percent(above, chinese) >= percent)
    assert HYBRID.lowest(0.0, chinese) == -np.inf
