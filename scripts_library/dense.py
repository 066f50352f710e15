"""The semantic scorer's closest-question term, computed only where it can change the
top entries (exact, not approximate).

An entry's similarity mixes the message's cosine with the entry's centroid and with its
closest question. The centroid term costs one product with the (entries x 512) centroid
matrix; the closest-question term would cost one with every question (30,000 x 512 at
10,000 entries: 60 MB of memory read per message). On the unit sphere the angle between
the message and any question of an entry is at least the angle to the centroid minus
the entry's *radius* (its widest centroid-to-question angle), which bounds the closest
question's cosine from above. Entries are then scored exactly in order of that bound
until no entry left could reach the k-th best score.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float32]
Indices = npt.NDArray[np.intp]
#: Added to the bound: float32 rounding in the products must never make it too low.
SLACK = 1e-4
#: Entries scored exactly in the first round (then four times as many each round).
FIRST_ROUND = 64


def radii(questions: Floats, centroids: Floats, starts: Indices) -> Floats:
    """Each entry's smallest cosine between its centroid and one of its questions."""
    sizes = np.diff(np.append(starts, len(questions)))
    owner = np.repeat(np.arange(len(starts)), sizes)
    cosines = np.einsum("ij,ij->i", questions, centroids[owner])
    return np.minimum.reduceat(cosines, starts).astype(np.float32)


def closest_bound(centroid: Floats, radius: Floats) -> Floats:
    """An upper bound of the closest question's cosine, per entry."""
    gap = np.arccos(np.clip(centroid, -1.0, 1.0)) - np.arccos(np.clip(radius, -1.0, 1.0))
    bound: Floats = (np.where(gap <= 0, 1.0, np.cos(gap)) + SLACK).astype(np.float32)
    return bound


def top_closest(
    base: Floats, weight: float, bound: Floats, k: int, closest: Callable[[Indices], Floats]
) -> Floats:
    """Each entry's ``base + weight * closest``, exact wherever it can be among the
    ``k`` best (elsewhere its upper bound, below the k-th best exact score).
    ``closest(entries)`` gives the exact closest-question cosines of those entries."""
    upper = base + weight * bound
    scores = upper.astype(np.float32)
    count = len(upper)
    size = min(count, max(FIRST_ROUND, 4 * k))
    done = np.zeros(0, dtype=np.intp)
    while True:
        if size * 4 >= count:  # most of the library: one product is cheaper than rounds
            rest = np.setdiff1d(np.arange(count), done, assume_unique=True)
            scores[rest] = base[rest] + weight * closest(rest)
            return scores
        top = np.argpartition(-upper, size)[: size + 1]
        ahead, first_left = top[:size], float(upper[top[size]])
        new = np.setdiff1d(ahead, done)
        scores[new] = base[new] + weight * closest(new)
        done = np.union1d(done, new)
        if len(done) >= k and np.partition(scores[done], -k)[-k] > first_left:
            return scores
        size *= 4  # few rounds: a weak bound soon takes the single full product


class Closest:
    """The exact closest-question cosines of some entries for one message, keeping each
    question's cosine for the caller (which question to show)."""

    def __init__(self, questions: Floats, starts: Indices, vector: Floats) -> None:
        self._questions, self._starts, self._vector = questions, starts, vector
        self._ends = np.append(starts[1:], len(questions))
        self._rows: list[Indices] = []
        self._cosines: list[Floats] = []

    def __call__(self, entries: Indices) -> Floats:
        first, last = self._starts[entries], self._ends[entries]
        sizes = last - first
        offsets = np.cumsum(sizes) - sizes
        rows = np.repeat(first - offsets, sizes) + np.arange(sizes.sum())
        if len(rows) * 4 >= len(self._questions):  # most of them: one product, no gather
            cosines = (self._questions @ self._vector)[rows]
        else:
            cosines = self._questions[rows] @ self._vector
        self._rows.append(rows)
        self._cosines.append(cosines)
        found: Floats = np.maximum.reduceat(cosines, offsets).astype(np.float32)
        return found

    def computed(self) -> tuple[Indices, Floats]:
        """The question rows computed so far and their cosines."""
        if not self._rows:
            return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.float32)
        return np.concatenate(self._rows), np.concatenate(self._cosines)
