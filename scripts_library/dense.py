"""The semantic scorer's products, computed only where they can change the top entries
(exact, not approximate).

An entry's similarity mixes the message's cosine with the entry's centroid and with its
closest question. Computed for every entry that costs one product with the (entries x
512) centroid matrix and one with every question (30,000 x 512 at 10,000 entries: 80 MB
of memory read per message, the matcher's slowest part). Both are bounded from above
first, for a quarter of that:

- **Projection**: the library's embeddings are written in a smaller orthonormal basis
  (the directions that carry most of their length). For unit vectors ``m`` and ``q``,
  ``m·q = (Pᵀm)·(Pᵀq) + m⊥·q⊥ ≤ (Pᵀm)·(Pᵀq) + |m⊥||q⊥|``: a 128-column product and
  each vector's left-over length bound every cosine.
- **Radius**: the angle between the message and any question of an entry is at least
  the angle to the centroid minus the entry's radius (its widest centroid-to-question
  angle).

The entries with the highest bounds are scored exactly, their k-th best score becomes
the bar, and only the entries whose bound reaches the bar are scored exactly after them;
every other entry keeps its bound, which is below the k-th best exact score.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float32]
Indices = npt.NDArray[np.intp]
#: Added to every bound: float32 rounding in the products must never make it too low.
SLACK = 1e-4
#: Columns of the projection (the full embeddings have 512).
DIMENSIONS = 128
#: Questions the projection's basis is fitted on (evenly spread through the library).
SAMPLE = 4096
#: Entries scored exactly before the bar is known (or 4 k when that is more).
FIRST_ROUND = 64
#: Rows projected at a time when the library is built (bounds the temporary memory).
CHUNK = 4096


@dataclass(frozen=True, slots=True, eq=False)
class Projected:
    """Unit vectors written in a basis: their coordinates and the length left outside it."""

    coordinates: Floats
    rest: Floats


@dataclass(frozen=True, slots=True, eq=False)
class Semantic:
    """Unit-length sentence embeddings of a library's questions (in library order, each
    entry's from ``starts``), each entry's centroid and radius, and both projected."""

    questions: Floats
    centroids: Floats
    starts: Indices
    radii: Floats
    basis: Floats
    projected_questions: Projected
    projected_centroids: Projected


def semantic(questions: Floats, starts: Indices) -> Semantic:
    """Everything the scorer needs of the questions' embeddings, computed once per index."""
    sums = np.add.reduceat(questions, starts, axis=0)
    lengths = np.linalg.norm(sums, axis=1, keepdims=True)
    centroids = (sums / np.maximum(lengths, 1e-12)).astype(np.float32)
    fitted = basis(questions)
    return Semantic(
        questions=questions,
        centroids=centroids,
        starts=starts,
        radii=radii(questions, centroids, starts),
        basis=fitted,
        projected_questions=project(questions, fitted),
        projected_centroids=project(centroids, fitted),
    )


def radii(questions: Floats, centroids: Floats, starts: Indices) -> Floats:
    """Each entry's smallest cosine between its centroid and one of its questions."""
    sizes = np.diff(np.append(starts, len(questions)))
    owner = np.repeat(np.arange(len(starts)), sizes)
    cosines = np.einsum("ij,ij->i", questions, centroids[owner])
    return np.minimum.reduceat(cosines, starts).astype(np.float32)


def basis(vectors: Floats, dimensions: int = DIMENSIONS) -> Floats:
    """Orthonormal columns spanning the directions that carry most of ``vectors``' length
    (the top eigenvectors of their second moment, fitted on an even sample)."""
    step = max(1, len(vectors) // SAMPLE)
    sample = vectors[::step].astype(np.float64)
    _, eigenvectors = np.linalg.eigh(sample.T @ sample)
    columns = min(dimensions, vectors.shape[1])
    return np.ascontiguousarray(eigenvectors[:, ::-1][:, :columns], dtype=np.float32)


def project(vectors: Floats, columns: Floats) -> Projected:
    """``vectors`` in the basis ``columns``, the left-over lengths computed explicitly (not
    from ``1 - |coordinates|²``, which rounding would make too small)."""
    coordinates = (vectors @ columns).astype(np.float32)
    rest = np.empty(len(vectors), dtype=np.float32)
    for first in range(0, len(vectors), CHUNK):
        part = slice(first, first + CHUNK)
        rest[part] = np.linalg.norm(vectors[part] - coordinates[part] @ columns.T, axis=1)
    return Projected(coordinates, rest)


def estimate(projected: Projected, message: Projected) -> Floats:
    """Each projected vector's cosine with the (one) projected message, within the basis."""
    found: Floats = projected.coordinates @ message.coordinates[0]
    return found


def upper(projected: Projected, message: Projected, estimated: Floats) -> Floats:
    """An upper bound of each projected vector's cosine with the message, from
    :func:`estimate`'s figures."""
    found: Floats = (estimated + projected.rest * message.rest[0] + SLACK).astype(np.float32)
    return found


def radius_bound(centroid: Floats, radius: Floats) -> Floats:
    """An upper bound of the closest question's cosine, per entry, from an upper bound of
    the centroid's cosine and the entry's radius."""
    gap = np.arccos(np.clip(centroid, -1.0, 1.0)) - np.arccos(np.clip(radius, -1.0, 1.0))
    bound: Floats = (np.where(gap <= 0, 1.0, np.cos(gap)) + SLACK).astype(np.float32)
    return bound


@dataclass(frozen=True, slots=True)
class Weights:
    """How an entry's similarity weighs the centroid's cosine and the closest question's."""

    centroid: float
    closest: float


@dataclass(frozen=True, slots=True)
class Top:
    """One message's entry similarities: exact wherever the entry can be among the k
    best, elsewhere an upper bound below the k-th best exact one; and the question rows
    scored exactly with their cosines (which question to show)."""

    per_entry: Floats
    rows: Indices
    cosines: Floats


def top(
    base: Floats,
    vector: Floats,
    library: Semantic,
    k: int,
    weights: Weights,
    floor: float = -np.inf,
) -> Top:
    """Each entry's ``base + centroid·cosine + closest·cosine`` for one message
    (``vector``), exact wherever it can be among the ``k`` best and reach ``floor``
    (below it no entry is shown, so none is scored exactly)."""
    exact = _Exact(library, vector, base, weights)
    size = max(FIRST_ROUND, 4 * k)
    if size >= len(base):  # a small library: every entry is scored, no bound is needed
        scores = base.astype(np.float32)
        exact(np.arange(len(scores)), scores)
        return exact.top(scores)
    message = project(vector[np.newaxis], library.basis)
    centroid_near = estimate(library.projected_centroids, message)
    question_near = estimate(library.projected_questions, message)
    centroid = np.minimum(upper(library.projected_centroids, message, centroid_near), 1 + SLACK)
    closest = np.minimum(
        np.maximum.reduceat(
            upper(library.projected_questions, message, question_near), library.starts
        ),
        radius_bound(centroid, library.radii),
    )
    scores = (base + weights.centroid * centroid + weights.closest * closest).astype(np.float32)
    # The bar comes from the entries that look best within the basis: close to the best
    # exact scores, so that few bounds reach it.
    near = (
        base
        + weights.centroid * centroid_near
        + weights.closest * np.maximum.reduceat(question_near, library.starts)
    )
    first = np.argpartition(-near, size)[:size]
    bar = max(floor, float(np.partition(exact(first, scores), -k)[-k]))
    candidates = scores >= bar
    candidates[first] = False
    exact(np.flatnonzero(candidates), scores)
    return exact.top(scores)


class _Exact:
    """Exact similarities of some entries for one message, keeping each question's cosine."""

    def __init__(self, library: Semantic, vector: Floats, base: Floats, weights: Weights) -> None:
        self._library, self._vector, self._base, self._weights = library, vector, base, weights
        self._ends = np.append(library.starts[1:], len(library.questions))
        self._rows: list[Indices] = []
        self._cosines: list[Floats] = []

    def __call__(self, entries: Indices, scores: Floats) -> Floats:
        """Score ``entries`` exactly, into ``scores``; their new scores."""
        if len(entries) == 0:
            return scores[entries]
        library = self._library
        first, last = library.starts[entries], self._ends[entries]
        sizes = last - first
        offsets = np.cumsum(sizes) - sizes
        rows = np.repeat(first - offsets, sizes) + np.arange(sizes.sum())
        cosines = _cosines(library.questions, rows, self._vector)
        self._rows.append(rows)
        self._cosines.append(cosines)
        closest = np.maximum.reduceat(cosines, offsets)
        centroid = _cosines(library.centroids, entries, self._vector)
        found = self._base[entries] + self._weights.centroid * centroid
        scores[entries] = found + self._weights.closest * closest
        return scores[entries]

    def top(self, scores: Floats) -> Top:
        """The result, once every entry that can be among the best was scored."""
        rows = np.concatenate(self._rows) if self._rows else np.zeros(0, dtype=np.intp)
        cosines = np.concatenate(self._cosines) if self._cosines else np.zeros(0, np.float32)
        return Top(scores, rows, cosines.astype(np.float32))


def _cosines(matrix: Floats, rows: Indices, vector: Floats) -> Floats:
    """``matrix[rows] @ vector``; for most of the rows one product without the gather."""
    if len(rows) * 4 >= len(matrix):
        whole: Floats = (matrix @ vector)[rows]
        return whole
    some: Floats = matrix[rows] @ vector
    return some
