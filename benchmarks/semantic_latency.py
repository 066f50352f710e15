"""Semantic suggestion latency at a large library: the matcher as it runs (entries'
questions scored only where they can reach the top k, ``scripts_library/dense.py``)
beside scoring every question (``score_all``, the exact computation it must equal),
alternating message by message, one thread; the encoder timed on its own.

    .venv/bin/python benchmarks/semantic_latency.py [--entries 10000] [--repeat 2]
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np
from common import percentile
from labelled import ours
from matching import synthetic
from threadpoolctl import threadpool_limits

from bot.semantic import load_encoder
from bot.settings import MatcherSettings
from scripts_library.bundled import bundled_scripts
from scripts_library.matcher import build_index, match, score_all

#: The product's cutoff: entries below it are never shown, so never scored exactly.
MIN_SCORE = MatcherSettings().min_score


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    encoder = load_encoder("on")
    assert encoder is not None
    library = synthetic(bundled_scripts(), args.entries)
    questions = [q for s in library for q in s.questions]
    index = build_index(library, encoder.encode(questions))
    texts = [text for _, text in ours().rows]
    vectors = encoder.encode(texts)
    pruned, full, encode = [], [], []
    with threadpool_limits(1):
        for _ in range(args.repeat):
            for text, vector in zip(texts, vectors, strict=True):
                started = time.perf_counter()
                match(text, index, k=3, min_score=MIN_SCORE, vector=vector)
                pruned.append(time.perf_counter() - started)
                started = time.perf_counter()
                scored = score_all([text], index, vector[np.newaxis])
                np.argpartition(-scored.per_entry[0], 2)[:3]
                scored.percent()
                full.append(time.perf_counter() - started)
                started = time.perf_counter()
                encoder.encode([text])
                encode.append(time.perf_counter() - started)
    print(f"{len(library)} entries, {len(questions)} questions, {len(texts)} messages")
    for name, times in (("as it runs", pruned), ("every question", full), ("encoder", encode)):
        p50, p99 = percentile(times, 0.5) * 1e3, percentile(times, 0.99) * 1e3
        print(f"  {name:<16} p50 {p50:6.2f} ms   p99 {p99:6.2f} ms")
    ratio = percentile(pruned, 0.5) / percentile(full, 0.5)
    print(f"  as it runs / every question, p50: {ratio:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
