"""Presence transitions that depend on live connections (DESIGN.md section 11), each in
one write transaction so that processes cannot undo each other's decisions.

An agent's first connection makes them ``online`` (``away`` when that is what they last
chose); when every connection of theirs has gone unrenewed for ``offline_after`` seconds
(closed, or its process died), they are ``offline``. Both decisions lock the agent's row
first (PostgreSQL; SQLite writers are serialised anyway), so a connection opened in one
process and a sweep in another are ordered: either the sweep sees the new connection, or
the connection sees the agent already offline and brings them back online.
A status change is an ``agent.status`` event stored by :func:`storage.ingest.apply_batch`
in the same transaction (so history, routing and handover follow from it).
"""

from __future__ import annotations

import uuid

from sqlalchemy import Connection, delete, func, select

from monitors.events import ChatEvent, EventType
from monitors.rules import Thresholds
from storage import connections, routing
from storage.connections import Connection as Live
from storage.ingest import Stored
from storage.queue import ingest
from storage.tables import AGENTS, CONNECTIONS

#: The channel of the status events ReplyWatch makes itself.
CHANNEL = "api"


def status_event(agent_id: str, status: str, reason: str, ts: float, key: str = "") -> ChatEvent:
    """An ``agent.status`` event ReplyWatch makes (``key``: a deterministic id, so that
    two processes making the same change store it once)."""
    return ChatEvent(
        id=f"rwbot-status-{key or uuid.uuid4().hex}",  # rwbot-: reserved (bot.schemas)
        channel=CHANNEL,
        type=EventType.AGENT_STATUS,
        ts=ts,
        received_at=ts,
        agent_id=agent_id,
        status=status,
        reason=reason,
    )


def _lock_agent(conn: Connection, agent_id: str) -> tuple[str, str | None, float]:
    """The agent's status, chosen status and when the status was set, their row locked
    until the transaction ends (created offline when the agent is new)."""
    query = select(AGENTS.c.status, AGENTS.c.chosen, AGENTS.c.status_at).where(
        AGENTS.c.id == agent_id
    )
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    row = conn.execute(query).first()
    if row is None:
        conn.execute(AGENTS.insert().values(id=agent_id, status="offline", status_at=None))
        return "offline", None, 0.0
    return str(row.status), row.chosen, float(row.status_at or 0.0)


def connect(conn: Connection, live: Live, now: float, thresholds: Thresholds) -> list[Stored]:
    """Record a new connection; an agent who was offline comes online (or away)."""
    connections.insert(conn, live, now)
    if live.agent_id is None or live.namespace != "/agent":
        return []
    routing.lock(conn)  # before the agent's row: the order every routing transaction keeps
    status, chosen, _ = _lock_agent(conn, live.agent_id)
    if status != "offline":
        return []
    target = "away" if chosen == "away" else "online"
    event = status_event(live.agent_id, target, "connected", now)
    return [s for s in ingest(conn, [event], {}, thresholds, now) if s is not None]


def sweep(
    conn: Connection, now: float, offline_after: float, thresholds: Thresholds
) -> list[Stored]:
    """Agents whose every connection has gone unrenewed for ``offline_after`` seconds go
    offline; their stale connections are forgotten."""
    cutoff = now - offline_after
    stale = conn.execute(
        select(CONNECTIONS.c.agent_id, func.max(CONNECTIONS.c.seen_at))
        .where(CONNECTIONS.c.agent_id.is_not(None), CONNECTIONS.c.namespace == "/agent")
        .group_by(CONNECTIONS.c.agent_id)
        .having(func.max(CONNECTIONS.c.seen_at) < cutoff)
    ).all()
    stored: list[Stored] = []
    if stale:
        routing.lock(conn)
    for agent_id, last_seen in sorted(stale):
        status, _, since = _lock_agent(conn, agent_id)
        still = conn.execute(
            select(func.max(CONNECTIONS.c.seen_at)).where(
                CONNECTIONS.c.agent_id == agent_id, CONNECTIONS.c.namespace == "/agent"
            )
        ).scalar()
        if still is not None and still >= cutoff:
            continue  # a connection opened meanwhile
        conn.execute(
            delete(CONNECTIONS).where(
                CONNECTIONS.c.agent_id == agent_id, CONNECTIONS.c.seen_at < cutoff
            )
        )
        if status == "offline":
            continue
        # When the last console went plus the grace (not before the status it ends).
        gone_at = max(min(now, float(last_seen) + offline_after), since)
        key = f"offline-{agent_id}-{round(float(last_seen) * 1000)}"
        event = status_event(agent_id, "offline", "disconnected", gone_at, key)
        stored += [s for s in ingest(conn, [event], {}, thresholds, now) if s is not None]
    # Connections of nobody in particular (supervisors) are forgotten once stale too.
    conn.execute(
        delete(CONNECTIONS).where(CONNECTIONS.c.agent_id.is_(None), CONNECTIONS.c.seen_at < cutoff)
    )
    return stored
