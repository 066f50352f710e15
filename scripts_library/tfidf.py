"""A small sparse TF-IDF space over several blocks of features, scored by cosine.

Each text becomes feature counts in named blocks (character n-grams, words, ...).
A block's weights are sublinear TF (``1 + ln tf``) times smoothed IDF
(``ln((1 + n) / (1 + df)) + 1``, as scikit-learn's ``TfidfVectorizer``), normalised
to unit length per block, scaled by the block's weight, and the whole vector is
normalised again, so a dot product is a cosine in ``[0, 1]``.

Rows are kept column-wise (posting lists), so scoring a query costs the length of
its features' postings, not the size of the library.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import repeat

import numpy as np
import numpy.typing as npt

#: Mean postings per query column above which they are copied as slices.
LONG_POSTINGS = 128

Features = Mapping[tuple[str, str], int]
"""Counts of ``(block, feature)`` pairs of one text."""

Floats = npt.NDArray[np.float32]
Vector = tuple[npt.NDArray[np.intp], Floats]
"""A sparse vector: column numbers and their values."""


@dataclass(frozen=True, slots=True, eq=False)
class Space:
    """The vocabulary and IDF of a set of texts, and how much each block weighs."""

    columns: dict[tuple[str, str], int]
    idf: Floats
    #: Each column's block, as a position in ``block_weights``.
    blocks: npt.NDArray[np.intp]
    block_weights: npt.NDArray[np.float64]

    def vector(self, features: Features) -> Vector:
        """The unit-length TF-IDF vector of ``features`` (unknown features ignored)."""
        n = len(features)
        columns = np.fromiter(map(self.columns.get, features, repeat(-1)), np.intp, n)
        counts = np.fromiter(features.values(), np.float64, n)
        known = (columns >= 0) & (counts > 0)
        columns, counts = columns[known], counts[known]
        if columns.size == 0:
            return _ints(), _floats()
        values = (1.0 + np.log(counts)) * self.idf[columns].astype(np.float64)
        blocks = self.blocks[columns]
        lengths = np.sqrt(np.bincount(blocks, values * values, self.block_weights.size))
        values *= self.block_weights[blocks] / lengths[blocks]
        order = np.argsort(columns)
        values = values[order]
        return columns[order], (values / np.sqrt(np.dot(values, values))).astype(np.float32)


@dataclass(frozen=True, slots=True, eq=False)
class Postings:
    """Sparse rows stored column by column, for scoring one query against all rows."""

    rows: int
    starts: npt.NDArray[np.intp]
    members: npt.NDArray[np.intp]
    values: Floats

    def dot_many(self, queries: Sequence[Vector]) -> Floats:
        """Every row's dot product with each of ``queries``: one row of the result per
        query, computed in one pass over the postings of all their columns."""
        if not queries:
            return np.zeros((0, self.rows), dtype=np.float32)
        columns = np.concatenate([q[0] for q in queries])
        weights = np.concatenate([q[1] for q in queries])
        owner = np.repeat(np.arange(len(queries)), [q[0].size for q in queries])
        begin = self.starts[columns]
        end = self.starts[columns + 1]
        lengths = end - begin
        total = int(lengths.sum())
        if total == 0:
            return np.zeros((len(queries), self.rows), dtype=np.float32)
        values, members = self._postings(begin, end, lengths, total)
        cells = np.repeat(owner * self.rows, lengths) + members
        summed = np.bincount(cells, values * np.repeat(weights, lengths), len(queries) * self.rows)
        return summed.reshape(len(queries), self.rows).astype(np.float32)

    def _postings(
        self,
        begin: npt.NDArray[np.intp],
        end: npt.NDArray[np.intp],
        lengths: npt.NDArray[np.intp],
        total: int,
    ) -> tuple[Floats, npt.NDArray[np.intp]]:
        """The values and rows of these columns' postings, one column after another."""
        if total > LONG_POSTINGS * lengths.size:
            # Long runs (a large library's common n-grams): copied as slices, which is
            # faster than gathering them; short ones are cheaper gathered at once.
            runs = list(zip(begin.tolist(), end.tolist(), strict=True))
            values = np.concatenate([self.values[a:b] for a, b in runs])
            return values, np.concatenate([self.members[a:b] for a, b in runs])
        offsets = np.repeat(begin - np.cumsum(lengths) + lengths, lengths) + np.arange(total)
        return self.values[offsets], self.members[offsets]


def fit(texts: Iterable[Features], weights: Mapping[str, float]) -> Space:
    """The space of ``texts``: every feature they contain, with its IDF."""
    frequency: Counter[tuple[str, str]] = Counter()
    count = 0
    for features in texts:
        count += 1
        frequency.update(key for key, n in features.items() if n > 0)
    columns = {key: column for column, key in enumerate(sorted(frequency))}
    idf = np.array(
        [math.log((1 + count) / (1 + frequency[key])) + 1.0 for key in columns], dtype=np.float32
    )
    names = sorted({block for block, _ in columns} | set(weights))
    blocks = np.array([names.index(block) for block, _ in columns], dtype=np.intp)
    block_weights = np.array([weights.get(name, 1.0) for name in names], dtype=np.float64)
    return Space(columns, idf, blocks, block_weights)


def postings(vectors: Sequence[Vector], columns: int) -> Postings:
    """``vectors`` (one per row) stored column by column."""
    if not vectors:
        return Postings(0, np.zeros(columns + 1, dtype=np.intp), _ints(), _floats())
    cols = np.concatenate([v[0] for v in vectors])
    vals = np.concatenate([v[1] for v in vectors])
    rows = np.repeat(np.arange(len(vectors)), [v[0].size for v in vectors])
    order = np.argsort(cols, kind="stable")
    starts = np.zeros(columns + 1, dtype=np.intp)
    np.cumsum(np.bincount(cols, minlength=columns), out=starts[1:])
    return Postings(len(vectors), starts, rows[order].astype(np.intp), vals[order])


def centroid(vectors: Sequence[Vector]) -> Vector:
    """The unit-length mean direction of ``vectors``."""
    summed: dict[int, float] = {}
    for columns, values in vectors:
        for column, value in zip(columns.tolist(), values.tolist(), strict=True):
            summed[column] = summed.get(column, 0.0) + value
    return _unit(list(summed.items()))


def _unit(cells: list[tuple[int, float]]) -> Vector:
    length = math.sqrt(sum(v * v for _, v in cells))
    if not cells or length == 0.0:
        return _ints(), _floats()
    cells.sort()
    return (
        np.array([c for c, _ in cells], dtype=np.intp),
        np.array([v / length for _, v in cells], dtype=np.float32),
    )


def _ints() -> npt.NDArray[np.intp]:
    return np.zeros(0, dtype=np.intp)


def _floats() -> Floats:
    return np.zeros(0, dtype=np.float32)
