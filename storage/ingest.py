"""Set-based, idempotent ingest of a group of events in one transaction.

A group costs four statements whatever its size: upsert-and-return the
conversations it touches (which also row-locks them on PostgreSQL), insert the
events with ``ON CONFLICT DO NOTHING RETURNING``, then write back the
conversations and agents the new events changed.

The code is synchronous SQLAlchemy on purpose: ``storage.writer`` runs it in one
thread hop per group on SQLite, and through ``AsyncConnection.run_sync`` on
PostgreSQL (asyncpg), so both backends share one implementation.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from monitors.events import ChatEvent, EventType, SenderRole, assignment
from monitors.quality import FlagKind, sampled
from monitors.rules import Thresholds, Turn
from storage import alerts, deliveries, flags, loadbook, satisfaction
from storage import state as conversation_state
from storage.alerts import Alert, Located
from storage.ingest_sql import statements
from storage.routing import Router
from storage.state import ConversationState
from storage.turns import Resolved, TurnTracker

Key = tuple[str, str]  # (channel, external id) of a conversation or an event
#: The ``reason`` of a status the agent chose themselves (kept as their choice).
CHOSEN = "chosen"


@dataclass(frozen=True, slots=True)
class Suggested:
    """Suggestions computed for a stored customer message (stored just after it: the
    message is acknowledged first, see :mod:`bot.suggester`)."""

    items: list[dict[str, Any]]
    #: The best suggestion's score; 0 when none reached ``matcher.min_score``.
    best_score: float
    matched: bool


@dataclass(frozen=True, slots=True)
class Stored:
    """A newly stored event, with its row id and its conversation after it."""

    event: ChatEvent
    row_id: int
    conversation: ConversationState | None
    previous: ConversationState | None
    alerts: tuple[Alert, ...] = ()
    resolved: Resolved | None = None
    next_due_at: float | None = None  # set on each event of a group that started turns
    #: The conversation's open turn once the group is applied (None: nobody waits).
    turn: Turn | None = None
    #: Events this one caused, stored in the same transaction (routing's assignment of
    #: the conversation, the queue's drain); pushed before it.
    also: tuple[Stored, ...] = ()
    #: The 1-5 rating this customer message gave in answer to the survey (it then
    #: changed nothing else: no reopening, no turn, no suggestions).
    rating: int | None = None


def _conv_key(event: ChatEvent) -> Key | None:
    return (event.channel, event.conversation_id) if event.conversation_id else None


def _conversations(
    conn: Connection, events: Sequence[ChatEvent], now: float
) -> dict[Key, ConversationState]:
    first_ts: dict[Key, float] = {}
    for event in events:
        key = _conv_key(event)
        if key is not None and key not in first_ts:
            first_ts[key] = event.ts
    if not first_ts:
        return {}
    rows = [
        {
            "channel": c,
            "external_id": x,
            "status": "open",
            "opened_at": first_ts[(c, x)],
            "updated_at": now,
        }
        for c, x in sorted(first_ts)  # one lock order for every process
    ]
    result = conn.execute(statements(conn.dialect.name).upsert_conversations, rows)
    return {(row.channel, row.external_id): ConversationState.from_row(row) for row in result}


def _insert_events(
    conn: Connection, events: Sequence[ChatEvent], convs: dict[Key, ConversationState]
) -> dict[Key, int]:
    if not events:
        return {}
    rows = [_event_row(event, convs) for event in events]
    result = conn.execute(statements(conn.dialect.name).insert_events, rows)
    return {(row.channel, row.external_id): row.id for row in result}


def _event_row(event: ChatEvent, convs: dict[Key, ConversationState]) -> dict[str, Any]:
    key = _conv_key(event)
    return {
        "channel": event.channel,
        "external_id": event.id,
        "type": event.type.value,
        "conversation_pk": convs[key].pk if key else None,
        "sender_role": event.sender_role.value if event.sender_role else None,
        "sender_id": event.sender_id,
        "sender_name": event.sender_name,
        "text": event.text,
        "agent_id": event.agent_id,
        "status": event.status,
        "script_id": event.script_id,
        "reason": event.reason,
        "ts": event.ts,
        "received_at": event.received_at,
    }


def _save_conversations(conn: Connection, changed: Sequence[ConversationState], now: float) -> None:
    if not changed:
        return
    loadbook.record(conn, changed)
    conn.execute(
        statements(conn.dialect.name).update_conversations,
        [
            {
                "pk": c.pk,
                "status": c.status,
                "assignee_id": c.assignee_id,
                "customer_id": c.customer_id,
                "opened_at": c.opened_at,
                "closed_at": c.closed_at,
                "last_customer_at": c.last_customer_at,
                "last_agent_at": c.last_agent_at,
                "open_turn_pk": c.open_turn_pk,
                "group_name": c.group_name,
                "queued_at": c.queued_at,
                "updated_at": now,
            }
            for c in changed
        ],
    )


def _agent_rows(events: Sequence[ChatEvent]) -> list[dict[str, Any]]:
    agents: dict[str, dict[str, Any]] = {}
    for event in events:
        if event.type is EventType.MESSAGE and event.sender_role is SenderRole.AGENT:
            row = agents.setdefault(event.sender_id or "", _agent_row(event.sender_id or ""))
            row["name"] = event.sender_name or row["name"]
        elif event.agent_id:
            row = agents.setdefault(event.agent_id, _agent_row(event.agent_id))
            if event.type is EventType.AGENT_STATUS and (
                row["status_at"] is None or event.ts >= row["status_at"]
            ):
                row["status"], row["status_at"] = event.status, event.ts
                if event.reason == CHOSEN and event.status in ("online", "away"):
                    row["chosen"] = event.status
    return [agents[key] for key in sorted(agents)]


def _agent_row(agent_id: str) -> dict[str, Any]:
    return {"id": agent_id, "name": None, "status": "offline", "status_at": None, "chosen": None}


def _save_agents(conn: Connection, events: Sequence[ChatEvent]) -> None:
    rows = _agent_rows(events)
    if rows:
        conn.execute(statements(conn.dialect.name).upsert_agents, rows)


def save_suggestions(conn: Connection, suggestions: Mapping[int, Suggested], now: float) -> None:
    """Store the suggestions computed for stored messages (keyed by the event's row id;
    one already stored for a message is kept)."""
    rows = [
        {
            "event_pk": event_pk,
            "items": row.items,
            "best_score": row.best_score,
            "matched": row.matched,
            "created_at": now,
        }
        for event_pk, row in suggestions.items()
    ]
    if rows:
        conn.execute(statements(conn.dialect.name).insert_suggestions, rows)


def _unassigned_customer(event: ChatEvent, conv: ConversationState) -> bool:
    return (
        event.type is EventType.MESSAGE
        and event.sender_role is SenderRole.CUSTOMER
        and conv.assignee_id is None
    )


def _route(
    conn: Connection,
    router: Router,
    event: ChatEvent,
    conv: ConversationState,
    thresholds: Thresholds,
    now: float,
) -> tuple[ConversationState, Stored | None]:
    """Give a customer's conversation nobody has to an agent before its turn starts (so
    the turn's tier is that agent's), or queue it (DESIGN.md section 11)."""
    target = router.pick(conv.group_name)
    if target is None:
        return conv._replace(queued_at=conv.queued_at or event.ts), None
    event_id = f"rwbot-route-{uuid.uuid4().hex}"  # rwbot-: reserved (bot.schemas)
    routed = assignment(event_id, event.channel, event.conversation_id, target, event.ts, "routing")
    convs = {(conv.channel, conv.external_id): conv}
    row_id = _insert_events(conn, [routed], convs)[routed.key]
    after = conversation_state.apply(conv, routed)
    return after, Stored(routed, row_id, after, conv)


def _sample(
    conn: Connection,
    applied: Sequence[tuple[ChatEvent, ConversationState | None, ConversationState | None]],
    rate: float,
) -> None:
    """Draw each conversation this group closed for random QA review (``qa.sample``)."""
    for event, before, after in applied:
        closing = event.type is EventType.CLOSED and before is not None and before.is_open
        if not closing or after is None or after.is_open:
            continue
        if sampled(after.channel, after.external_id, rate):
            new = flags.NewFlag(
                FlagKind.SAMPLE,
                after.pk,
                after.channel,
                None,
                after.assignee_id,
                None,
                None,
                "sampling",
                event.ts,
            )
            flags.sample(conn, new)


def apply_batch(
    conn: Connection,
    events: Sequence[ChatEvent],
    thresholds: Thresholds,
    now: float | None = None,
) -> list[Stored | None]:
    """Store ``events`` in order inside the caller's transaction, with the customer
    turns they start and end, and the alerts those imply.

    Returns one entry per event: a :class:`Stored`, or ``None`` for a duplicate
    (an id already stored, or repeated earlier in the same group).
    """
    now = time.time() if now is None else now
    fresh: dict[Key, int] = {}
    for index, event in enumerate(events):
        fresh.setdefault(event.key, index)
    candidates = [events[i] for i in sorted(fresh.values())]
    convs = _conversations(conn, candidates, now)
    inserted = _insert_events(conn, candidates, convs)
    tracker = TurnTracker(conn, thresholds, convs.values())
    router = Router(conn, thresholds, now)
    routed: dict[int, Stored] = {}
    rated: dict[int, int] = {}
    applied: list[tuple[int, ConversationState | None, ConversationState | None]] = []
    located: dict[int, list[Located]] = {}
    loaded = dict(convs)
    for index in sorted(fresh.values()):
        event = events[index]
        if event.key not in inserted:
            continue
        key = _conv_key(event)
        before = convs.get(key) if key else None
        if before is not None and event.type is EventType.MESSAGE:
            window = thresholds.csat_window_seconds
            rating = satisfaction.record_answer(conn, event, inserted[event.key], before, window)
            if rating is not None:
                rated[index] = rating
                applied.append((index, before, before))
                continue
        after = conversation_state.apply(before, event) if before else None
        if key and before is not None and after is not None:
            if router.on and _unassigned_customer(event, after):
                after, assigned = _route(conn, router, event, after, thresholds, now)
                if assigned is not None:
                    routed[index] = assigned
            convs[key] = after
            located[index] = tracker.observe(event, before, after, convs)
        applied.append((index, before, after))
    router.flush()
    open_turns = tracker.flush()
    for key, state in convs.items():
        if state.pk in open_turns:
            convs[key] = state._replace(open_turn_pk=open_turns[state.pk])
    changed = [state for key, state in convs.items() if state != loaded[key]]
    _save_conversations(conn, changed, now)
    _save_agents(conn, [events[i] for i, _, _ in applied])
    outgoing = [events[i] for i, _, _ in applied if events[i].deliver]
    if outgoing:
        deliveries.enqueue(conn, [(inserted[e.key], e.channel) for e in outgoing], now)
    results: list[Stored | None] = [None] * len(events)
    for index, before, after in applied:
        recorded = alerts.record(conn, located.get(index, []), now)
        event = events[index]
        results[index] = Stored(
            event,
            inserted[event.key],
            after,
            before,
            tuple(recorded),
            tracker.resolved.get(event.key),
            tracker.next_due_at,
            tracker.open_turn(after.pk) if after is not None else None,
            (routed[index],) if index in routed else (),
            rated.get(index),
        )
    # After the alerts: a conversation flagged by this very group is not drawn as well.
    _sample(conn, [(events[i], b, a) for i, b, a in applied], thresholds.sample_rate)
    return results
