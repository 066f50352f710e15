"""Labelled sets for the matching benchmarks: CLINC150 and the project's own zh/en set.

CLINC150 (Larson et al. 2019, CC BY 3.0; ``../shared/data/clinc150/``, train and
validation splits only) becomes a library of one entry per intent whose questions
are the first ``k`` ``train`` examples; queries are the ``val`` examples plus
``oos_val`` (which should get nothing), or, for calibration, further ``train``
examples plus ``oos_train``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from scripts_library.bundled import bundled_scripts
from scripts_library.model import Script

ROOT = Path(__file__).resolve().parent.parent
CLINC = ROOT.parent / "shared" / "data" / "clinc150" / "clinc150_train_val.json"
OURS = Path(__file__).parent / "data" / "matching_eval.tsv"


@dataclass(frozen=True)
class Labelled:
    """A library and queries labelled with the entry they ask for (None = out of scope)."""

    name: str
    library: list[Script]
    rows: list[tuple[str | None, str]]


def clinc(k: int, split: str = "val", path: Path = CLINC, skip: int = 0) -> Labelled:
    """CLINC150 with ``k`` library questions per intent, queried with ``split``
    (``"val"``, or ``"train"`` from example ``skip`` on, for calibration)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    per_intent: dict[str, list[str]] = {}
    for text, intent in data["train"]:
        per_intent.setdefault(intent, []).append(text)
    library = [
        Script(
            id=_id(intent),
            category="clinc",
            title=intent,
            questions=tuple(texts[:k]),
            reply=intent,
        )
        for intent, texts in per_intent.items()
    ]
    if split == "train":
        rows: list[tuple[str | None, str]] = [
            (_id(intent), text)
            for intent, texts in per_intent.items()
            for text in texts[skip : skip + 20]
        ]
    else:
        rows = [(_id(intent), text) for text, intent in data[split]]
    rows += [(None, text) for text, _ in data[f"oos_{split}"]]
    return Labelled(f"CLINC150 {split} k={k}", library, rows)


def ours() -> Labelled:
    """The bundled library and ``benchmarks/data/matching_eval.tsv``."""
    rows: list[tuple[str | None, str]] = []
    for line in OURS.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        expected, text = line.split("\t", 1)
        rows.append((None if expected == "-" else expected, text))
    return Labelled("zh/en set (bundled library)", bundled_scripts(), rows)


def afqmc(path: Path) -> Labelled:
    """AFQMC (CLUE, Ant Financial question matching, Apache-2.0), one of its splits as
    retrieval: every distinct ``sentence2`` is a library entry of one question, and each
    paraphrase pair's ``sentence1`` (label 1) must find its own ``sentence2`` among
    thousands of questions on the same two products (花呗, 借呗). No out-of-scope rows.
    The file is not in the repository: CLUE's ``afqmc_public/dev.json`` (JSON lines)."""
    pairs = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    ids: dict[str, str] = {}
    for pair in pairs:
        ids.setdefault(pair["sentence2"], f"q{len(ids)}")
    library = [
        Script(id=key, category="afqmc", title=key, questions=(text,), reply=text)
        for text, key in ids.items()
    ]
    rows: list[tuple[str | None, str]] = [
        (ids[p["sentence2"]], p["sentence1"]) for p in pairs if str(p["label"]) == "1"
    ]
    return Labelled(f"AFQMC {path.stem} (zh paraphrases)", library, rows)


def _id(intent: str) -> str:
    return intent.replace("_", "-")
