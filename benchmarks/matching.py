"""Matcher quality and latency, each beside a baseline measured in the same run.

Quality: the labelled set ``benchmarks/data/matching_eval.tsv`` (paraphrases
written independently of the library's questions, plus out-of-scope messages)
against the bundled library. Reported for ReplyWatch's matcher and for plain
``process.extractOne(query, questions, scorer=fuzz.WRatio)`` on the raw strings:
top-1 accuracy, top-3 recall, MRR, and at each threshold the out-of-scope
false-suggestion rate beside the share of in-scope messages whose top
suggestion is right and shown.

Latency: p50/p99 per query over libraries of 1,000 and 10,000 entries (the
bundled entries plus synthetic ones made from them), beside raw
``process.extract(query, questions, limit=3)`` over the same question strings.

    .venv/bin/python benchmarks/matching.py
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

import numpy as np
from common import percentile
from rapidfuzz import fuzz, process

from scripts_library.bundled import bundled_scripts
from scripts_library.matcher import build_index, match, scores
from scripts_library.model import Script

EVAL = Path(__file__).parent / "data" / "matching_eval.tsv"
THRESHOLDS = (50, 55, 60, 65, 70, 75, 80)


def load_eval() -> list[tuple[str | None, str]]:
    rows = []
    for line in EVAL.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        expected, text = line.split("\t", 1)
        rows.append((None if expected == "-" else expected, text))
    return rows


def rankings(
    rows: list[tuple[str | None, str]], ranker: object
) -> list[tuple[str | None, list[str], float]]:
    out = []
    for expected, text in rows:
        ranked, top = ranker(text)  # type: ignore[operator]
        out.append((expected, ranked, top))
    return out


def report(name: str, ranked: list[tuple[str | None, list[str], float]]) -> None:
    inscope = [(e, r, t) for e, r, t in ranked if e is not None]
    oos = [t for e, _, t in ranked if e is None]
    top1 = sum(r[:1] == [e] for e, r, _ in inscope) / len(inscope)
    top3 = sum(e in r[:3] for e, r, _ in inscope) / len(inscope)
    mrr = sum(1 / (r.index(e) + 1) for e, r, _ in inscope if e in r) / len(inscope)
    print(
        f"{name}: top-1 {top1:.3f}  top-3 {top3:.3f}  MRR {mrr:.3f}"
        f"  ({len(inscope)} in-scope, {len(oos)} out-of-scope)"
    )
    cells = []
    for threshold in THRESHOLDS:
        false_rate = sum(t >= threshold for t in oos) / len(oos)
        shown = sum(r[:1] == [e] and t >= threshold for e, r, t in inscope) / len(inscope)
        cells.append(f"{threshold}: {false_rate:.2f}/{shown:.2f}")
    print("  min_score: out-of-scope suggested / in-scope right and shown  " + "  ".join(cells))


def quality(library: list[Script]) -> None:
    rows = load_eval()
    index = build_index(library)
    ids = [s.id for s in library]

    def ours(text: str) -> tuple[list[str], float]:
        per_entry = scores(text, index)
        order = np.argsort(-per_entry, kind="stable")[:10]
        return [ids[i] for i in order], float(per_entry[order[0]])

    questions = [q for s in library for q in s.questions]
    owners = [s.id for s in library for _ in s.questions]

    def wratio(text: str) -> tuple[list[str], float]:
        found = process.extract(text, questions, scorer=fuzz.WRatio, limit=40)
        ranked = list(dict.fromkeys(owners[i] for _, _, i in found))[:10]
        return ranked, float(found[0][1]) if found else 0.0

    print(f"quality on {EVAL.name} with the bundled library ({len(library)} entries)")
    report("ReplyWatch matcher      ", rankings(rows, ours))
    report("WRatio raw (extractOne) ", rankings(rows, wratio))


def synthetic(library: list[Script], size: int, seed: int = 7) -> list[Script]:
    """``size`` entries: the bundled ones, then variations of their questions."""
    rng = random.Random(seed)
    fillers = [
        "这款",
        "宝贝",
        "那个",
        "新款",
        "夏季",
        "大号",
        "the new",
        "this one",
        "model",
        "黑色",
        "白色",
        "套装",
        "for kids",
        "pro",
        "礼盒",
    ]
    made = list(library)
    while len(made) < size:
        base = rng.choice(library)
        n = len(made)
        questions = tuple(
            f"{rng.choice(fillers)}{q}{rng.choice(fillers)}{n}" for q in base.questions[:3]
        )
        made.append(base.model_copy(update={"id": f"syn-{n}", "questions": questions}))
    return made


def latency(library: list[Script], sizes: list[int], repeat: int) -> None:
    queries = [text for _, text in load_eval()]
    print(f"latency: {len(queries)} queries x {repeat}, single thread")
    print(
        f"{'entries':>8}{'questions':>10}{'ours p50':>10}{'ours p99':>10}"
        f"{'floor p50':>11}{'floor p99':>11}{'ratio p50':>11}{'ratio p99':>11}"
    )
    for size in sizes:
        entries = synthetic(library, size)
        index = build_index(entries)
        raw = [q for s in entries for q in s.questions]
        ours, floor = [], []
        for _ in range(repeat):
            for text in queries:
                started = time.perf_counter()
                match(text, index, k=3)
                ours.append(time.perf_counter() - started)
                started = time.perf_counter()
                process.extract(text, raw, limit=3)
                floor.append(time.perf_counter() - started)
        o50, o99 = percentile(ours, 0.5) * 1e3, percentile(ours, 0.99) * 1e3
        f50, f99 = percentile(floor, 0.5) * 1e3, percentile(floor, 0.99) * 1e3
        print(
            f"{size:>8}{len(raw):>10}{o50:>9.2f}ms{o99:>9.2f}ms{f50:>10.2f}ms{f99:>10.2f}ms"
            f"{o50 / f50:>11.2f}{o99 / f99:>11.2f}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-latency", action="store_true")
    args = parser.parse_args()
    library = bundled_scripts()
    quality(library)
    if not args.skip_latency:
        latency(library, args.sizes, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
