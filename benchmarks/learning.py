"""Learning that shows: replaying agents' choices into the library improves suggestions on
questions it never saw (DESIGN.md: learning from use, docs/library.md).

CLINC150 (``../shared/data/clinc150``): the library is each intent's first 10 ``train``
examples; the replay is the next ``--replay`` ``train`` examples of each intent, asked
by customers and answered by an agent with the right script. As the product does
(``bot.learning``), an answer whose script the matcher scored below
``matcher.propose_below`` (or did not suggest among the top ``matcher.top_k``) proposes
the customer's wording as a question of that script; the supervisor accepts every
proposal (up to a script's question limit). Held out: CLINC150 ``val`` (3,000 in-scope,
100 out-of-scope questions), measured before and after at the default settings.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python benchmarks/learning.py [--replay 20] [--semantic off]
"""

from __future__ import annotations

import argparse
import sys
import time

from labelled import Labelled, clinc
from matching import measure, replywatch

from bot.semantic import Encoder, load_encoder
from bot.settings import MatcherSettings
from scripts_library.matcher import build_index, match_many
from scripts_library.model import MAX_QUESTIONS, Script

SETTINGS = MatcherSettings()


def proposals(data: Labelled, replay: Labelled, encoder: Encoder | None) -> dict[str, list[str]]:
    """The wordings the replay proposes, by script: the right script scored below
    ``propose_below`` in the customer's suggestions (absent: 0)."""
    questions = [q for s in data.library for q in s.questions]
    index = build_index(data.library, encoder.encode(questions) if encoder else None)
    texts = [text for expected, text in replay.rows if expected is not None]
    wanted = [expected for expected, _ in replay.rows if expected is not None]
    vectors = encoder.encode(texts) if encoder else None
    found = match_many(texts, index, k=SETTINGS.top_k, vectors=vectors)
    proposed: dict[str, list[str]] = {}
    for text, script_id, matches in zip(texts, wanted, found, strict=True):
        score = max((m.score for m in matches if m.script_id == script_id), default=0.0)
        if script_id is not None and score < SETTINGS.propose_below:
            proposed.setdefault(script_id, []).append(text)
    return proposed


def accepted(library: list[Script], proposed: dict[str, list[str]]) -> list[Script]:
    """The library after the supervisor accepted every proposal it has room for."""
    grown = []
    for script in library:
        extra = [q for q in proposed.get(script.id, []) if q not in script.questions]
        room = MAX_QUESTIONS - len(script.questions)
        grown.append(script.model_copy(update={"questions": (*script.questions, *extra[:room])}))
    return grown


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--replay", type=int, default=20, help="replayed questions per intent")
    parser.add_argument("--semantic", default=SETTINGS.semantic, choices=["auto", "on", "off"])
    args = parser.parse_args()
    encoder = load_encoder(args.semantic)
    data = clinc(10)
    replay = _first(clinc(10, split="train", skip=10), args.replay)
    started = time.perf_counter()
    proposed = proposals(data, replay, encoder)
    after = Labelled(data.name, accepted(data.library, proposed), data.rows)
    count = sum(len(v) for v in proposed.values())
    print(
        f"replayed {args.replay} train questions per intent ({len(replay.rows)} answers): "
        f"{count} proposals accepted for {len(proposed)} scripts"
        f" ({time.perf_counter() - started:.0f} s); matcher "
        f"{'default (semantic)' if encoder else 'lexical'}, min_score {SETTINGS.min_score:g}"
    )
    print(f"{'held out: CLINC150 val':<28}{'top-1':>7}{'top-3':>7}{'AUROC':>7}"
          f"{'shown':>8}{'right':>8}{'oos':>8}")  # fmt: skip
    print(f"{'before':<28}{measure(data, replywatch(data, encoder), True)}")
    print(f"{'after the replay':<28}{measure(after, replywatch(after, encoder), True)}")
    return 0


def _first(replay: Labelled, n: int) -> Labelled:
    """At most ``n`` replayed in-scope questions per intent (no out-of-scope rows)."""
    taken: dict[str, int] = {}
    rows = []
    for expected, text in replay.rows:
        if expected is None or taken.get(expected, 0) >= n:
            continue
        taken[expected] = taken.get(expected, 0) + 1
        rows.append((expected, text))
    return Labelled(replay.name, replay.library, rows)


if __name__ == "__main__":
    sys.exit(main())
