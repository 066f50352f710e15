"""Routing (DESIGN.md section 11): which online agent a conversation nobody has goes to.

``least_loaded`` picks the fewest active conversations, agents who stay below
``busy_concurrency`` with this one first (so the 20-second tier is kept where it can
be: the tier counts the new conversation too, docs/rules.md), ties to the
one routing served least recently; ``round_robin`` takes turns (the least recently
served first) among everyone below their cap. Only ``online`` agents below their
``max_concurrency`` are eligible, of the conversation's group when it has one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, NamedTuple

Mode = Literal["off", "least_loaded", "round_robin"]


@dataclass(frozen=True, slots=True)
class RoutingRules:
    """The ``[routing]`` numbers the rules take."""

    mode: Mode
    max_concurrency: int
    handover_on_offline: bool

    @property
    def on(self) -> bool:
        """Whether routing assigns anything."""
        return self.mode != "off"


#: Routing off: what the rules see when nothing configures it.
OFF = RoutingRules("off", 1, False)


class Candidate(NamedTuple):
    """An agent as routing sees them now (``cap`` already defaulted). A NamedTuple: a
    transaction that routes builds one per online agent."""

    agent_id: str
    status: str
    load: int
    cap: int
    groups: frozenset[str] = frozenset()
    routed_at: float = 0.0

    @property
    def has_room(self) -> bool:
        """Online and below their cap."""
        return self.status == "online" and self.load < self.cap


def choose(
    candidates: Iterable[Candidate],
    group: str | None,
    rules: RoutingRules,
    busy_concurrency: int,
    exclude: str | None = None,
) -> str | None:
    """The agent to give the conversation to, or None (it waits in the queue)."""
    if not rules.on:
        return None
    round_robin = rules.mode == "round_robin"
    best: tuple[bool, int, float, str] | None = None
    for c in candidates:
        if c.load >= c.cap or c.status != "online" or c.agent_id == exclude:
            continue
        if group is not None and group not in c.groups:
            continue
        # least_loaded: with this chat they would have load + 1, below busy_concurrency
        # keeps 20 s; round_robin: the least recently served.
        key = (
            (False, 0, c.routed_at, c.agent_id)
            if round_robin
            else (c.load + 1 >= busy_concurrency, c.load, c.routed_at, c.agent_id)
        )
        if best is None or key < best:
            best = key
    return None if best is None else best[3]
