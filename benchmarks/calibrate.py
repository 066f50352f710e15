"""Fit the matcher's calibration (``scripts_library/calibration.py``) and print it.

For every query of the fitting sets, its most similar entry is one sample:
features (similarity, Chinese message), label "this entry is the one asked for"
(never true for an out-of-scope query). A logistic regression (Newton's method,
light L2) gives the coefficients. The score stays a monotone function of the
similarity within a language, so ranking and out-of-scope separation are the
similarity's own. Fitting sets: CLINC150 ``train`` (library from the
first 10 examples per intent, queries from the next 20, plus ``oos_train``) and the
project's zh/en set; never CLINC150's validation split, which the benchmark reports.

    .venv/bin/python benchmarks/calibrate.py            # lexical and hybrid
"""

from __future__ import annotations

import sys

import numpy as np
import numpy.typing as npt
from labelled import Labelled, clinc, ours

from bot.semantic import load_encoder
from scripts_library.matcher import build_index, score_all
from scripts_library.normalize import is_cjk

Arrays = tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]


def samples(data: Labelled, semantic: bool) -> Arrays:
    encoder = load_encoder("on") if semantic else None
    questions = [q for s in data.library for q in s.questions]
    embeddings = encoder.encode(questions) if encoder else None
    vectors = encoder.encode([t for _, t in data.rows]) if encoder else None
    index = build_index(data.library, embeddings)
    ids = [s.id for s in data.library]
    x, y = [], []
    for row, (expected, text) in enumerate(data.rows):
        vector = None if vectors is None else vectors[row : row + 1]
        sim = score_all([text], index, vector).per_entry[0]
        best = int(np.argmax(sim))
        x.append([sim[best], float(is_cjk(text)), 1.0])
        y.append(float(ids[best] == expected))
    return np.array(x), np.array(y)


def logistic(x: npt.NDArray[np.float64], y: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    w = np.zeros(x.shape[1])
    ridge = np.eye(x.shape[1]) * 1e-3
    ridge[-1, -1] = 0.0
    for _ in range(50):
        p = 1 / (1 + np.exp(-(x @ w)))
        gradient = x.T @ (p - y) + ridge @ w
        hessian = (x * (p * (1 - p))[:, None]).T @ x + ridge
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w


def main() -> int:
    for semantic in (False, True):
        parts = [samples(clinc(10, "train", skip=10), semantic), samples(ours(), semantic)]
        x = np.concatenate([p[0] for p in parts])
        y = np.concatenate([p[1] for p in parts])
        w = logistic(x, y)
        name = "HYBRID" if semantic else "LEXICAL"
        print(
            f"{name} = Calibration(similarity={w[0]:.3f}, chinese={w[1]:.3f}, bias={w[2]:.3f})"
            f"  # {len(y)} samples, {int(y.sum())} right"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
