"""Baseline rankers for ``benchmarks/matching.py``, from standard libraries: scikit-learn's
TF-IDF, bm25s's BM25 and rapidfuzz's ``token_set_ratio``. An entry scores its best
question's score; each ranker returns the three best entries and the top score."""

from __future__ import annotations

from collections.abc import Callable

import bm25s
import numpy as np
import numpy.typing as npt
from labelled import Labelled
from rapidfuzz import fuzz, process
from sklearn.feature_extraction.text import TfidfVectorizer

from scripts_library.normalize import normalize, tokens

Ranker = Callable[[int, str], tuple[list[int], float]]


def _per_entry(data: Labelled, per_question: Callable[[str], npt.NDArray[np.float64]]) -> Ranker:
    owners = np.array([i for i, s in enumerate(data.library) for _ in s.questions])

    def rank(row: int, text: str) -> tuple[list[int], float]:
        entries = np.zeros(len(data.library))
        np.maximum.at(entries, owners, per_question(text))
        order = np.argsort(-entries, kind="stable")[:3]
        return order.tolist(), float(entries[order[0]])

    return rank


def _questions(data: Labelled) -> list[str]:
    return [q for s in data.library for q in s.questions]


def tfidf_chars(data: Labelled) -> Ranker:
    """Cosine over TF-IDF character 2-4-grams within word boundaries (sublinear TF)."""
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True)
    matrix = vectorizer.fit_transform(_questions(data))
    return _per_entry(
        data, lambda text: (matrix @ vectorizer.transform([text]).T).toarray().ravel()
    )


def bm25(data: Labelled) -> Ranker:
    """BM25 (bm25s defaults) over words: jieba for Chinese, spaces otherwise."""
    retriever = bm25s.BM25()
    corpus = [tokens(normalize(q)) for q in _questions(data)]
    retriever.index(bm25s.tokenization.Tokenized(*_vocabulary(corpus)), show_progress=False)
    vocabulary = _vocabulary(corpus)[1]

    def per_question(text: str) -> npt.NDArray[np.float64]:
        words = [w for w in tokens(normalize(text)) if w in vocabulary]
        if not words:
            return np.zeros(len(corpus))
        return np.asarray(retriever.get_scores(words), dtype=np.float64)

    return _per_entry(data, per_question)


def _vocabulary(corpus: list[list[str]]) -> tuple[list[list[int]], dict[str, int]]:
    vocabulary: dict[str, int] = {}
    ids = [[vocabulary.setdefault(w, len(vocabulary)) for w in doc] for doc in corpus]
    return ids, vocabulary


def token_set(data: Labelled) -> Ranker:
    """rapidfuzz ``token_set_ratio`` on the raw strings."""
    questions = _questions(data)
    return _per_entry(
        data,
        lambda text: process.cdist([text], questions, scorer=fuzz.token_set_ratio)[0].astype(
            np.float64
        ),
    )
