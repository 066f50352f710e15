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
from collections.abc import Sequence

from sqlalchemy import Connection

from monitors.events import ChatEvent, EventType
from monitors.rules import Thresholds
from storage.ingest import Key, Stored, Suggested, apply_batch
from storage.routing import Router, waiting


def _frees_or_fills(item: Stored) -> bool:
    """Whether a stored event may let a waiting conversation be routed."""
    event = item.event
    if event.type is EventType.AGENT_STATUS:
        return True  # online: a new place; offline: conversations to hand over
    return event.type is EventType.CLOSED


def ingest(
    conn: Connection,
    events: Sequence[ChatEvent],
    suggestions: dict[Key, Suggested] | None,
    thresholds: Thresholds,
    now: float | None = None,
) -> list[Stored | None]:
    """:func:`storage.ingest.apply_batch`, then the drain it calls for; the drain's
    assignments ride on the first event that called for it (``Stored.also``)."""
    now = time.time() if now is None else now
    results = apply_batch(conn, events, suggestions, thresholds, now)
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
    """Give waiting conversations, first come first served, to agents with room."""
    if not thresholds.routing.on:
        return []
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
        events.append(
            ChatEvent(
                id=f"rwbot-route-{uuid.uuid4().hex}",  # rwbot-: reserved (bot.schemas)
                channel=row.channel,
                type=EventType.ASSIGNED,
                ts=now,
                received_at=now,
                conversation_id=row.external_id,
                agent_id=target,
                reason="routing" if row.queued_at is not None else "handover",
            )
        )
    router.flush()
    if not events:
        return []
    return [s for s in apply_batch(conn, events, None, thresholds, now) if s is not None]
