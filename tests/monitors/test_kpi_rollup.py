"""A conversation's rollup from some turn on, given what its earlier turns leave behind,
adds up to the rollup of all its turns: what lets a write read only its recent turns."""

from __future__ import annotations

import random

import pytest

from monitors.kpi_rollup import (
    Days,
    Earlier,
    Rollup,
    TurnFacts,
    conversation_rollup,
    scopes,
)

DAYS = Days("Europe/Berlin")
DAY = 86_400.0


def _history(rng: random.Random, n: int) -> list[TurnFacts]:
    """A customer who keeps coming back: turns hours or days apart, answered by the
    assignee, by whoever (unassigned), next day, or not at all."""
    turns: list[TurnFacts] = []
    t = 1_700_000_000.0
    for _ in range(n):
        t += rng.choice([600.0, 3_600.0, DAY, 3 * DAY])
        agent = rng.choice(["alice", "bob", None])
        replied_by = agent or rng.choice(["carol", None])
        answered = replied_by is not None and rng.random() < 0.8
        ended = t + rng.choice([5.0, 90.0, DAY]) if answered else None
        turns.append(
            TurnFacts(
                started_at=t,
                agent_id=agent,
                replied_by=replied_by if answered else None,
                ended_at=ended,
                end_reason="reply" if answered else None,
                due_at=t + 20.0,
                response_seconds=None if ended is None else ended - t,
                deadline_seconds=20.0,
                opening=not turns,
            )
        )
    return turns


def _earlier(turns: list[TurnFacts]) -> Earlier:
    """What the storage's query computes, done by hand."""
    out = Earlier()
    for turn in turns:
        for scope in scopes(turn.agent):
            out.last[scope] = DAYS.of(turn.started_at)
            if turn.replied and turn.response_seconds is not None:
                out.last_replied[scope] = DAYS.of(turn.started_at)
    return out


@pytest.mark.parametrize("seed", range(20))
def test_a_rollup_from_a_turn_on_completes_the_earlier_ones(seed: int) -> None:
    rng = random.Random(seed)
    turns = _history(rng, 40)
    cut = rng.randrange(1, len(turns))
    whole = conversation_rollup(turns, DAYS)
    parts = Rollup()
    parts.add(conversation_rollup(turns[:cut], DAYS))
    parts.add(conversation_rollup(turns[cut:], DAYS, _earlier(turns[:cut])))
    assert parts.nonzero() == whole.nonzero()
    # Without what came before, the later turns count customers as new again.
    alone = Rollup()
    alone.add(conversation_rollup(turns[:cut], DAYS))
    alone.add(conversation_rollup(turns[cut:], DAYS))
    assert alone.nonzero() != whole.nonzero()
