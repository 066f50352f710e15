"""Where bounding the semantic scores starts to pay: ``match_many`` with every
question's cosine computed (the full product) beside the bounded scorer
(``scripts_library.dense``), on synthetic libraries of growing size, batches of 32
messages near library questions. Prints CPU µs per message for both and their ratio;
``scripts_library.matcher.FULL_PRODUCT_QUESTIONS`` sits below the crossover.

    .venv/bin/python benchmarks/dense_crossover.py
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from bot.matcher_pool import one_blas_thread
from scripts_library import matcher
from scripts_library.matcher import build_index, match_many
from scripts_library.model import Script


def library(rng: np.random.Generator, entries: int) -> tuple[matcher.Index, np.ndarray]:
    """Entries of 1-6 questions clustered around a topic each (512-dim unit vectors)."""
    scripts, vectors = [], []
    for n in range(entries):
        size = int(rng.integers(1, 7))
        topic = rng.normal(size=512)
        vectors += [topic + rng.normal(scale=0.8, size=512) for _ in range(size)]
        questions = tuple(f"question {n} {i}" for i in range(size))
        scripts.append(
            Script(id=f"s{n}", category="c", title=f"t{n}", questions=questions, reply="r")
        )
    embeddings = np.array(vectors)
    embeddings = (embeddings / np.linalg.norm(embeddings, axis=1, keepdims=True)).astype(np.float32)
    return build_index(scripts, embeddings), embeddings


def per_message(index: matcher.Index, texts: list[str], vectors: np.ndarray, full: bool) -> float:
    """Median CPU µs per message over 5 runs of the batches, one way or the other."""
    matcher.FULL_PRODUCT_QUESTIONS = 10**9 if full else 0
    runs = []
    for _ in range(5):
        started = time.process_time()
        for i in range(0, len(texts), 32):
            match_many(texts[i : i + 32], index, k=3, min_score=45.0, vectors=vectors[i : i + 32])
        runs.append((time.process_time() - started) / len(texts) * 1e6)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, nargs="+", default=[50, 150, 300, 600, 1200, 2400])
    args = parser.parse_args()
    one_blas_thread()
    rng = np.random.default_rng(1)
    columns = [("entries", 8), ("questions", 10), ("full us/msg", 13)]
    columns += [("bounded us/msg", 16), ("full/bounded", 14)]
    print("".join(f"{name:>{width}}" for name, width in columns))
    for entries in args.entries:
        index, embeddings = library(rng, entries)
        picks = embeddings[rng.integers(0, len(embeddings), size=256)]
        vectors = picks + rng.normal(scale=0.05, size=picks.shape)
        vectors = (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)
        texts = ["question"] * len(vectors)
        full = per_message(index, texts, vectors, full=True)
        bounded = per_message(index, texts, vectors, full=False)
        sizes = f"{entries:>8}{index.questions.rows:>10}"
        print(f"{sizes}{full:>13.0f}{bounded:>16.0f}{full / bounded:>14.2f}")


if __name__ == "__main__":
    main()
