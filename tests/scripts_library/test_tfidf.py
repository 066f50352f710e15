"""The TF-IDF space under the matcher: cosines in [0, 1], blocks weighted, postings
that score exactly as a dense dot product would."""

from __future__ import annotations

import numpy as np
import pytest

from scripts_library import tfidf
from scripts_library.words import features

TEXTS = ["什么时候发货", "退款多久到账", "how much is shipping", "is shipping free", "发什么快递"]


def _dense(vector: tfidf.Vector, columns: int) -> np.ndarray:
    out = np.zeros(columns, dtype=np.float32)
    out[vector[0]] = vector[1]
    return out


def test_postings_score_exactly_as_a_dense_product() -> None:
    found = [features(t) for t in TEXTS]
    space = tfidf.fit(found, {"c": 0.8, "w": 0.4, "k": 0.4})
    vectors = [space.vector(f) for f in found]
    rows = tfidf.postings(vectors, len(space.columns))
    query = space.vector(features("发货要多久"))
    dense = np.stack([_dense(v, len(space.columns)) for v in vectors])
    expected = dense @ _dense(query, len(space.columns))
    assert np.allclose(rows.dot_many([query])[0], expected, atol=1e-6)


def test_a_text_is_its_own_closest_and_unit_length() -> None:
    found = [features(t) for t in TEXTS]
    space = tfidf.fit(found, {"c": 1.0, "w": 1.0})
    rows = tfidf.postings([space.vector(f) for f in found], len(space.columns))
    for position, text in enumerate(TEXTS):
        vector = space.vector(features(text))
        assert abs(float(np.linalg.norm(vector[1])) - 1.0) < 1e-5
        scores = rows.dot_many([vector])[0]
        assert int(np.argmax(scores)) == position
        assert abs(float(scores[position]) - 1.0) < 1e-5


def test_unknown_words_and_empty_texts_give_empty_vectors() -> None:
    space = tfidf.fit([features("发货")], {"c": 1.0})
    assert space.vector(features("xyz"))[0].size == 0
    empty = tfidf.postings([], len(space.columns))
    assert empty.dot_many([space.vector(features("发货"))])[0].size == 0
    assert tfidf.centroid([])[0].size == 0


def test_a_centroid_points_between_its_members() -> None:
    found = [features(t) for t in TEXTS[:2]]
    space = tfidf.fit(found, {"c": 1.0})
    a, b = (space.vector(f) for f in found)
    middle = tfidf.centroid([a, b])
    rows = tfidf.postings([a, b], len(space.columns))
    scores = rows.dot_many([middle])[0]
    assert abs(float(scores[0]) - float(scores[1])) < 1e-5
    assert 0.0 < float(scores[0]) < 1.0


def test_a_batch_of_queries_scores_as_each_alone() -> None:
    found = [features(t) for t in TEXTS]
    space = tfidf.fit(found, {"c": 0.8, "w": 0.4, "k": 0.4})
    rows = tfidf.postings([space.vector(f) for f in found], len(space.columns))
    queries = [space.vector(features(t)) for t in ("发货要多久", "xyz", "shipping free", "退款")]
    batch = rows.dot_many(queries)
    assert batch.shape == (4, len(TEXTS))
    for query, scores in zip(queries, batch, strict=True):
        assert np.array_equal(scores, rows.dot_many([query])[0])
    assert not batch[1].any()
    assert rows.dot_many([]).shape == (0, len(TEXTS))


def test_long_postings_copied_as_slices_score_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    """A large library's postings are copied column by column instead of gathered: the
    same scores either way."""
    found = [features(t) for t in TEXTS * 40]
    space = tfidf.fit(found, {"c": 0.8, "w": 0.4, "k": 0.4})
    rows = tfidf.postings([space.vector(f) for f in found], len(space.columns))
    queries = [space.vector(features(t)) for t in ("发货要多久", "xyz", "shipping free")]
    gathered = rows.dot_many(queries)
    monkeypatch.setattr(tfidf, "LONG_POSTINGS", 0)
    assert np.array_equal(rows.dot_many(queries), gathered)
    monkeypatch.setattr(tfidf, "LONG_POSTINGS", 10**9)
    assert np.array_equal(rows.dot_many(queries), gathered)
    assert gathered[0].max() > 0.3
    assert not gathered[1].any()
