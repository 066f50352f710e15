"""Escalation (docs/rules.md): who takes over a turn nobody answered in time.

The least-loaded online agent other than the current one, in the current agent's
roster group when it has one, never one who is ``away`` or ``offline`` or already
at their ``max_concurrency``; ties go to the agent id that sorts first.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Member:
    """A roster entry's matching facts."""

    group: str | None = None
    max_concurrency: int | None = None


@dataclass(frozen=True, slots=True)
class Roster:
    """The ``[[agents]]`` roster as the rules need it."""

    members: Mapping[str, Member] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Candidate:
    """An agent as the escalation sees them now."""

    agent_id: str
    status: str
    load: int


def choose(current: str | None, candidates: Iterable[Candidate], roster: Roster) -> str | None:
    """The agent to hand the conversation to, or None when nobody may take it."""
    group = roster.members.get(current or "", Member()).group
    eligible = []
    for candidate in candidates:
        member = roster.members.get(candidate.agent_id, Member())
        if candidate.agent_id == current or candidate.status != "online":
            continue
        if member.max_concurrency is not None and candidate.load >= member.max_concurrency:
            continue
        if group is not None and member.group != group:
            continue
        eligible.append(candidate)
    if not eligible:
        return None
    return min(eligible, key=lambda c: (c.load, c.agent_id)).agent_id
