"""Routing inside a write transaction (DESIGN.md section 11; the rules are
``monitors.routing``): who takes a conversation nobody has, and the queue.

The candidates (online agents, their load, cap and groups) are read once per
transaction and kept up to date as it assigns. On PostgreSQL a transaction-scoped
advisory lock serialises routing decisions across processes, so two processes cannot
both fill an agent's last place; it is taken before any agent row is locked, and the
queue is read with ``SKIP LOCKED``, so routing never waits on a conversation another
transaction holds (that one is routed by whoever holds it, or by the next drain).
"""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    String,
    bindparam,
    func,
    select,
    text,
    type_coerce,
    update,
)

from monitors.routing import Candidate, choose
from monitors.rules import Thresholds
from storage import loadbook
from storage.tables import AGENTS, CONVERSATIONS, USERS

#: The PostgreSQL advisory lock key of routing decisions ("RWROUTE" in ASCII).
LOCK_KEY = 0x5257_524F_5554_45
#: Queued conversations looked at per drain.
DRAIN_BATCH = 200


def lock(conn: Connection) -> None:
    """Serialise routing with other processes until this transaction ends (PostgreSQL;
    SQLite's writers are serialised already)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})


def loads(conn: Connection, since: float, agents: Collection[str] | None = None) -> dict[str, int]:
    """Each agent's active conversations: open, with a customer message since ``since``
    (only ``agents``' when given: the index takes each one's range, not every row)."""
    query = (
        select(CONVERSATIONS.c.assignee_id, func.count())
        .where(*loadbook.COUNTED, CONVERSATIONS.c.last_customer_at >= since)
        .group_by(CONVERSATIONS.c.assignee_id)
    )
    if agents is not None:
        query = query.where(CONVERSATIONS.c.assignee_id.in_(sorted(agents)))
    return {str(agent): int(count) for agent, count in conn.execute(query)}


#: Online agents with their account's cap and groups (none: the defaults).
_ONLINE = (
    select(
        AGENTS.c.id,
        AGENTS.c.routed_at,
        # The JSON text itself: most agents have no group, and "[]" needs no parsing.
        type_coerce(USERS.c.groups, String).label("groups"),
        USERS.c.max_concurrency,
        USERS.c.active,
    )
    .outerjoin(USERS, USERS.c.id == AGENTS.c.id)
    .where(AGENTS.c.status == "online")
)


def _groups(text: str | None) -> frozenset[str]:
    if not text or text == "[]":
        return frozenset()
    return frozenset(json.loads(text))


#: What changes whenever the online roster does: how many agents are online and the sum
#: of their status times (any status change moves it), and the accounts' last change.
_ONLINE_AGENTS = AGENTS.c.status == "online"
_FINGERPRINT = select(
    select(func.count()).select_from(AGENTS).where(_ONLINE_AGENTS).scalar_subquery(),
    select(func.sum(AGENTS.c.status_at)).where(_ONLINE_AGENTS).scalar_subquery(),
    select(func.count()).select_from(USERS).scalar_subquery(),
    select(func.max(USERS.c.updated_at)).scalar_subquery(),
)
#: Where a database connection keeps the online roster it read last (``Connection.info``
#: lives as long as the driver's connection, across transactions).
_ROSTER_KEY = "replywatch.routing.roster"

Roster = dict[str, tuple[float, frozenset[str], int | None]]


def _online(conn: Connection) -> Roster:
    """The online agents' routed time, groups and cap: read again only when the roster's
    fingerprint moved (reading 300 rows costs more than the rest of a routing decision).
    Routed times written by another process since are not seen until then: they only
    break ties."""
    fingerprint = tuple(conn.execute(_FINGERPRINT).one())
    cached = conn.info.get(_ROSTER_KEY)
    if cached is not None and cached[0] == fingerprint:
        roster: Roster = cached[1]
        return roster
    roster = {
        row.id: (row.routed_at or 0.0, _groups(row.groups), row.max_concurrency)
        for row in conn.execute(_ONLINE)
        if row.active is not False
    }
    conn.info[_ROSTER_KEY] = (fingerprint, roster)
    return roster


class Router:
    """Routing decisions within one transaction. Loads are read for the agents a
    decision looks at (a group's, or everyone's), once per transaction, and kept up to
    date as it assigns."""

    def __init__(self, conn: Connection, thresholds: Thresholds, now: float) -> None:
        self._conn, self._thresholds, self._now = conn, thresholds, now
        self._roster: Roster | None = None
        self._candidates: dict[str, Candidate] = {}
        self._routed: set[str] = set()

    @property
    def on(self) -> bool:
        """Whether routing is configured."""
        return self._thresholds.routing.on

    def candidates(self, group: str | None = None) -> dict[str, Candidate]:
        """The online agents as routing sees them (of ``group`` when given; read after
        taking the lock)."""
        if self._roster is None:
            lock(self._conn)
            self._roster = _online(self._conn)
        if group is None and len(self._candidates) == len(self._roster):
            return self._candidates  # everyone's load is known already
        wanted = [
            agent
            for agent, (_, groups, _) in self._roster.items()
            if group is None or group in groups
        ]
        missing = [agent for agent in wanted if agent not in self._candidates]
        if missing:
            since = self._now - self._thresholds.active_window_seconds
            kept = loadbook.book(self._conn)
            if kept is not None:
                load = kept.loads(since, missing)
            else:  # most of the roster: one scan beats an index range per agent
                everyone = len(missing) * 2 > len(self._roster)
                load = loads(self._conn, since, None if everyone else missing)
            default = self._thresholds.routing.max_concurrency
            for agent in missing:
                at, groups, cap = self._roster[agent]
                self._candidates[agent] = Candidate(
                    agent, "online", load.get(agent, 0), cap or default, groups, at
                )
        return {agent: self._candidates[agent] for agent in wanted}

    def pick(self, group: str | None, exclude: str | None = None) -> str | None:
        """The agent routing gives a conversation to now (counted as theirs), or None."""
        if not self.on:
            return None
        target = choose(
            self.candidates(group).values(),
            group,
            self._thresholds.routing,
            self._thresholds.busy_concurrency,
            exclude,
        )
        if target is not None:
            old = self._candidates[target]
            self._candidates[target] = Candidate(
                target, old.status, old.load + 1, old.cap, old.groups, self._now
            )
            self._routed.add(target)
        return target

    def flush(self) -> None:
        """Write when routing last served each agent it picked."""
        if self._routed:
            cached = self._conn.info.get(_ROSTER_KEY)
            if cached is not None:  # the roster this connection keeps sees it too
                for agent in self._routed & cached[1].keys():
                    _, groups, cap = cached[1][agent]
                    cached[1][agent] = (self._now, groups, cap)
            self._conn.execute(
                update(AGENTS).where(AGENTS.c.id == bindparam("agent")).values(routed_at=self._now),
                [{"agent": agent} for agent in sorted(self._routed)],
            )


def waiting(conn: Connection, handover: bool, limit: int = DRAIN_BATCH) -> list[Any]:
    """The conversations that wait for routing, first come first served: queued ones,
    and (with handover) open ones whose agent is offline while a customer waits. Rows
    another transaction holds are skipped (PostgreSQL)."""
    waits: ColumnElement[bool] = CONVERSATIONS.c.queued_at.is_not(None)
    if handover:
        # Agents who went offline (a status on record), not ones never seen online: an
        # integration may assign chats to people who do not use the console.
        offline = select(AGENTS.c.id).where(
            AGENTS.c.status == "offline", AGENTS.c.status_at.is_not(None)
        )
        waits = waits | (
            CONVERSATIONS.c.assignee_id.in_(offline)
            & (CONVERSATIONS.c.status == "open")
            & CONVERSATIONS.c.open_turn_pk.is_not(None)
        )
    query = (
        select(
            CONVERSATIONS.c.id,
            CONVERSATIONS.c.channel,
            CONVERSATIONS.c.external_id,
            CONVERSATIONS.c.assignee_id,
            CONVERSATIONS.c.group_name,
            CONVERSATIONS.c.queued_at,
        )
        .where(waits, CONVERSATIONS.c.status == "open")
        .order_by(func.coalesce(CONVERSATIONS.c.queued_at, CONVERSATIONS.c.last_customer_at))
        .limit(limit)
    )
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(of=CONVERSATIONS, skip_locked=True)
    return list(conn.execute(query).all())
