"""Matcher quality and latency, each beside baselines computed in the same run.

Quality, on CLINC150 validation (library of k = 10 and k = 3 train examples per
intent, 3,000 in-scope and 100 out-of-scope queries) and on the project's zh/en
set (``benchmarks/data/matching_eval.tsv`` against the bundled library):
top-1, top-3, out-of-scope AUROC of the top score, and at the default
``matcher.min_score`` how many in-scope queries get a suggestion, how many get the
right one among those shown, and how many out-of-scope queries get anything.
Scorers: ReplyWatch lexical, ReplyWatch hybrid (lexical + semantic, when the
``semantic`` extra is installed), and the baselines TF-IDF character 2-4-grams
(scikit-learn), BM25 over words (bm25s) and rapidfuzz's ``token_set_ratio``.

Latency: p50/p99 per query over libraries of 1,000 and 10,000 entries, beside raw
``process.extract(query, questions, limit=3)`` over the same question strings.

    pip install -e '.[bench]'
    .venv/bin/python benchmarks/matching.py [--afqmc afqmc_public/dev.json]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from baselines import bm25, tfidf_chars, token_set
from common import percentile
from labelled import Labelled, afqmc, clinc, ours
from rapidfuzz import process

from bot.semantic import Encoder, load_encoder
from bot.settings import MatcherSettings
from scripts_library.bundled import bundled_scripts
from scripts_library.matcher import build_index, match, match_many, score_all
from scripts_library.model import Script

Ranker = Callable[[int, str], tuple[list[int], float]]
MIN_SCORE = MatcherSettings().min_score


def replywatch(data: Labelled, encoder: Encoder | None) -> Ranker:
    """Our matcher, lexical only or hybrid."""
    embeddings = questions = None
    if encoder is not None:
        questions = encoder.encode([q for s in data.library for q in s.questions])
        embeddings = encoder.encode([text for _, text in data.rows])
    index = build_index(data.library, questions)

    def rank(row: int, text: str) -> tuple[list[int], float]:
        vector = None if embeddings is None else embeddings[row : row + 1]
        scored = score_all([text], index, vector)
        found = np.zeros(len(index)) if scored.empty[0] else scored.percent()[0]
        order = np.argsort(-found, kind="stable")[:3]
        return order.tolist(), float(found[order[0]])

    return rank


def measure(data: Labelled, rank: Ranker, calibrated: bool) -> str:
    ids = {s.id: i for i, s in enumerate(data.library)}
    inscope, oos = [], []
    for row, (expected, text) in enumerate(data.rows):
        ranked, top = rank(row, text)
        if expected is None:
            oos.append(top)
        else:
            inscope.append((ids[expected], ranked, top))
    top1 = np.mean([r[:1] == [e] for e, r, _ in inscope])
    top3 = np.mean([e in r[:3] for e, r, _ in inscope])
    a = np.array([t for _, _, t in inscope])
    b = np.array(oos)
    auroc = ((a[:, None] > b[None, :]).sum() + 0.5 * (a[:, None] == b[None, :]).sum()) / (
        max(1, a.size * b.size)
    )
    cells = f"{top1:7.3f}{top3:7.3f}" + (f"{auroc:7.3f}" if b.size else f"{'-':>7}")
    if not calibrated:
        return cells + f"{'':>8}{'':>8}{'':>8}"
    shown = np.mean(a >= MIN_SCORE)
    right = np.mean([t >= MIN_SCORE and e in r[:3] for e, r, t in inscope])
    stray = f"{np.mean(b >= MIN_SCORE):8.3f}" if b.size else f"{'-':>8}"
    return cells + f"{shown:8.3f}{right:8.3f}{stray}"


def quality(encoder: Encoder | None, extra: list[Labelled]) -> None:
    print(f"quality; shown/right/oos at matcher.min_score = {MIN_SCORE:g}")
    print(
        f"{'set':<30}{'scorer':<26}{'top-1':>7}{'top-3':>7}{'AUROC':>7}"
        f"{'shown':>8}{'right':>8}{'oos':>8}"
    )
    for data in (clinc(10), clinc(3), ours(), *extra):
        rankers: list[tuple[str, Ranker, bool]] = [
            ("ReplyWatch, semantic off", replywatch(data, None), True)
        ]
        if encoder is not None:
            rankers.append(("ReplyWatch default", replywatch(data, encoder), True))
        rankers += [
            ("TF-IDF char 2-4", tfidf_chars(data), False),
            ("BM25 words", bm25(data), False),
            ("token_set_ratio", token_set(data), False),
        ]
        for name, rank, calibrated in rankers:
            print(f"{data.name:<30}{name:<26}{measure(data, rank, calibrated)}")


def synthetic(library: list[Script], size: int, seed: int = 7) -> list[Script]:
    """``size`` entries: the bundled ones, then variations of their questions."""
    rng = random.Random(seed)
    fillers = ["这款", "宝贝", "那个", "新款", "夏季", "大号", "the new", "this one", "model",
               "黑色", "白色", "套装", "for kids", "pro", "礼盒"]  # fmt: skip
    made = list(library)
    while len(made) < size:
        base = rng.choice(library)
        n = len(made)
        questions = tuple(
            f"{rng.choice(fillers)}{q}{rng.choice(fillers)}{n}" for q in base.questions[:3]
        )
        made.append(base.model_copy(update={"id": f"syn-{n}", "questions": questions}))
    return made


def latency(library: list[Script], sizes: list[int], repeat: int, encoder: Encoder | None) -> None:
    queries = [text for _, text in ours().rows]
    vectors = encoder.encode(queries) if encoder else None
    print(
        f"latency: {len(queries)} queries x {repeat}, single thread"
        + (" (hybrid: the query's encoding is timed too)" if encoder else "")
    )
    print(f"{'entries':>8}{'questions':>10}{'scorer':>9}{'ours p50':>10}{'ours p99':>10}"
          f"{'floor p50':>11}{'floor p99':>11}{'ratio p50':>11}{'ratio p99':>11}")  # fmt: skip
    for size in sizes:
        entries = synthetic(library, size)
        raw = [q for s in entries for q in s.questions]
        variants = [("lexical", build_index(entries), None)]
        if encoder is not None and vectors is not None:
            variants.append(("hybrid", build_index(entries, encoder.encode(raw)), encoder))
        for name, index, enc in variants:
            ours_times, floor = [], []
            for _ in range(repeat):
                for text in queries:
                    started = time.perf_counter()
                    vector = enc.encode([text])[0] if enc else None
                    match(text, index, k=3, vector=vector)
                    ours_times.append(time.perf_counter() - started)
                    started = time.perf_counter()
                    process.extract(text, raw, limit=3)
                    floor.append(time.perf_counter() - started)
            o50, o99 = percentile(ours_times, 0.5) * 1e3, percentile(ours_times, 0.99) * 1e3
            f50, f99 = percentile(floor, 0.5) * 1e3, percentile(floor, 0.99) * 1e3
            print(f"{size:>8}{len(raw):>10}{name:>9}{o50:>8.2f}ms{o99:>8.2f}ms{f50:>9.2f}ms"
                  f"{f99:>9.2f}ms{o50 / f50:>11.2f}{o99 / f99:>11.2f}")  # fmt: skip
    batched(library, sizes, repeat, queries)


def batched(library: list[Script], sizes: list[int], repeat: int, queries: list[str]) -> None:
    """Mean time per message, lexical: one at a time against batches of 32 (how the
    gateway matches a commit group's customer messages), alternating; best of ``repeat``."""
    print("batched, lexical: mean per message, one at a time vs in batches of 32")
    print(f"{'entries':>8}{'alone':>11}{'batch 32':>11}{'ratio':>8}")
    for size in [len(library), *sizes]:
        index = build_index(synthetic(library, size))
        chunks = [queries[i : i + 32] for i in range(0, len(queries), 32)]
        alone, together = [], []
        for _ in range(repeat):
            started = time.perf_counter()
            for text in queries:
                match(text, index, k=3)
            alone.append((time.perf_counter() - started) / len(queries))
            started = time.perf_counter()
            for chunk in chunks:
                match_many(chunk, index, k=3)
            together.append((time.perf_counter() - started) / len(queries))
        a, b = min(alone) * 1e6, min(together) * 1e6
        print(f"{size:>8}{a:>9.0f}us{b:>9.0f}us{b / a:>8.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-latency", action="store_true")
    parser.add_argument("--skip-quality", action="store_true")
    parser.add_argument("--lexical-only", action="store_true", help="leave the encoder out")
    parser.add_argument(
        "--afqmc", type=Path, help="CLUE's AFQMC dev.json: Chinese paraphrases as retrieval"
    )
    args = parser.parse_args()
    encoder = None if args.lexical_only else load_encoder(MatcherSettings().semantic)
    if not args.skip_quality:
        quality(encoder, [afqmc(args.afqmc)] if args.afqmc else [])
    if not args.skip_latency:
        latency(bundled_scripts(), args.sizes, args.repeat, encoder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
