"""The semantic scorer skips the per-question products that cannot change the top
suggestions: what it suggests, with which score and which question, is exactly what
scoring every question gives (libraries of one to many questions per entry, queries
near a question and far from all)."""

from __future__ import annotations

import numpy as np
import pytest

from scripts_library import dense
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
    """The top ``k`` from every question scored (the calibration's own path)."""
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
def test_the_top_suggestions_are_exactly_those_of_scoring_every_question(
    entries: int,
    k: int,
    seed: int,
    spread: tuple[float, float],
    first_round: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(dense, "FIRST_ROUND", first_round)  # 1: the bound decides alone
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
        for row in match_many(texts, index, k=k, vectors=vectors)
    ]
    want = exact(texts, index, vectors, k)
    for mine, theirs in zip(got, want, strict=True):
        assert [m[0] for m in mine] == [t[0] for t in theirs]
        assert [m[2] for m in mine] == [t[2] for t in theirs]
        assert [m[1] for m in mine] == pytest.approx([t[1] for t in theirs], abs=0.11)


def test_the_bound_is_never_below_an_entrys_closest_question() -> None:
    rng = np.random.default_rng(7)
    index, embeddings = library(rng, 300)
    assert index.semantic is not None
    for vector in unit(rng.normal(size=(50, 512))):
        centroid = index.semantic.centroids @ vector
        bound = dense.closest_bound(centroid, index.semantic.radii)
        closest = np.maximum.reduceat(embeddings @ vector, index.starts)
        assert np.all(bound >= closest)


def test_only_the_entries_that_could_win_are_scored_question_by_question() -> None:
    """Paraphrases sit close together (as an encoder puts them): a message near one
    entry's question leaves most other entries below the bound."""
    rng = np.random.default_rng(8)
    index, embeddings = library(rng, 2000, spread=(0.1, 0.3))
    assert index.semantic is not None
    vector = unit(embeddings[:1] + rng.normal(scale=0.05, size=(1, 512)))[0]
    closest = dense.Closest(index.semantic.questions, index.starts, vector)
    centroid = index.semantic.centroids @ vector
    bound = dense.closest_bound(centroid, index.semantic.radii)
    dense.top_closest(0.49 * centroid, 0.21, bound, 3, closest)
    rows, _ = closest.computed()
    assert 0 < len(rows) < len(embeddings) / 4
