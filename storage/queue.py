"""The routing queue (DESIGN.md section 11): conversations waiting for an agent are
given one the moment a place frees or someone comes online, and an agent who goes
offline hands their waiting customers on.

:func:`ingest` is what the writers run for a group of events: the group, then, when it
brought an agent online or offline or closed a conversation, a drain of the queue in
the same transaction. The periodic drain (every process, on the presence heartbeat)
catches what time alone frees (a conversation leaving an agent's active window) and
anything a crashed process left behind.
"""

from __future__ import annotations

import dataclasses
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, select, update

from monitors.events import ChatEvent, EventType, assignment
from monitors.rules import Thresholds
from storage.ingest import Stored, Suggested, apply_batch, save_suggestions
from storage.routing import DRAIN_BATCH, Router, waiting
from storage.tables import CONVERSATIONS


def _frees_or_fills(item: Stored) -> bool:
    """Whether a stored event may let a waiting conversation be routed."""
    event = item.event
    if event.type is EventType.AGENT_STATUS:
        return True  # online: a new place; offline: conversations to hand over
    return event.type is EventType.CLOSED


def ingest(
    conn: Connection,
    events: Sequence[ChatEvent],
    suggestions: Mapping[int, Suggested],
    thresholds: Thresholds,
    now: float | None = None,
) -> list[Stored | None]:
    """:func:`storage.ingest.apply_batch`, then the drain it calls for (the drain's
    assignments ride on the first event that called for it: ``Stored.also``), and the
    ``suggestions`` computed for messages stored earlier (keyed by event row id)."""
    now = time.time() if now is None else now
    save_suggestions(conn, suggestions, now)
    results = apply_batch(conn, events, thresholds, now) if events else []
    if not thresholds.routing.on:
        return results
    for index, item in enumerate(results):
        if item is not None and _frees_or_fills(item):
            assigned = drain(conn, thresholds, now)
            if assigned:
                results[index] = dataclasses.replace(item, also=item.also + tuple(assigned))
            break
    return results


def drain(conn: Connection, thresholds: Thresholds, now: float) -> list[Stored]:
    """Give waiting conversations, first come first served, to agents with room (in
    batches, until the queue is empty or nobody has room)."""
    stored: list[Stored] = []
    while thresholds.routing.on:
        batch = _drain_batch(conn, thresholds, now)
        stored += batch
        if len(batch) < DRAIN_BATCH:
            break
    return stored


def _drain_batch(conn: Connection, thresholds: Thresholds, now: float) -> list[Stored]:
    router = Router(conn, thresholds, now)
    if not any(c.has_room for c in router.candidates().values()):
        return []
    events = []
    for row in waiting(conn, thresholds.routing.handover_on_offline):
        target = router.pick(row.group_name, exclude=row.assignee_id)
        if target is None:
            if not any(c.has_room for c in router.candidates().values()):
                break
            continue  # nobody of its group has room: the next one may have
        reason = "routing" if row.queued_at is not None else "handover"
        event_id = f"rwbot-route-{uuid.uuid4().hex}"  # rwbot-: reserved (bot.schemas)
        events.append(assignment(event_id, row.channel, row.external_id, target, now, reason))
    router.flush()
    if not events:
        return []
    return [s for s in apply_batch(conn, events, thresholds, now) if s is not None]


class TransferRefused(Exception):
    """A transfer that cannot happen as asked (the agent is not online, or is full)."""


@dataclass(frozen=True, slots=True)
class Transfer:
    """A transfer as asked: to a named agent, or back to routing within a group."""

    channel: str
    conversation_id: str
    to: str | None
    group: str | None
    note: str
    by: str


def transfer(
    conn: Connection, asked: Transfer, thresholds: Thresholds, now: float
) -> Stored | None:
    """Hand the conversation to ``asked.to`` (who must be online with room) or to whoever
    routing picks in ``asked.group``; when nobody of the group has room it waits in the
    queue (None). The assignment carries the note."""
    query = select(CONVERSATIONS.c.assignee_id).where(
        CONVERSATIONS.c.channel == asked.channel,
        CONVERSATIONS.c.external_id == asked.conversation_id,
    )
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    current = conn.execute(query).scalar()
    router = Router(conn, thresholds, now)
    found = router.candidates()
    if asked.to is not None:
        if asked.to == current:
            raise TransferRefused(f"{asked.to} has this conversation already")
        candidate = found.get(asked.to)
        if candidate is None:
            raise TransferRefused(f"{asked.to} is not online")
        if not candidate.has_room:
            raise TransferRefused(f"{asked.to} is full ({candidate.load} of {candidate.cap})")
        target: str | None = asked.to
    else:
        target = router.pick(asked.group, exclude=current)
    if target is None:
        conn.execute(
            update(CONVERSATIONS)
            .where(
                CONVERSATIONS.c.channel == asked.channel,
                CONVERSATIONS.c.external_id == asked.conversation_id,
            )
            .values(queued_at=now, group_name=asked.group)
        )
        return None
    router.flush()
    event_id = f"rwbot-transfer-{uuid.uuid4().hex}"  # rwbot-: reserved (bot.schemas)
    where = (asked.channel, asked.conversation_id)
    event = assignment(
        event_id, *where, target, now, "transfer", text=asked.note, sender_id=asked.by
    )
    return next(s for s in apply_batch(conn, [event], thresholds, now) if s is not None)
