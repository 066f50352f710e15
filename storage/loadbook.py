"""Agents' loads kept between transactions on the SQLite writer's connection, so that a
routing decision does not count every open conversation again (DESIGN.md section 11).

The book holds, per agent, the last customer message times of their open conversations,
sorted: an agent's load since ``t`` is a bisection, and the turn rules' concurrency
reads the same conversations by key. It is read from the database once,
then kept up to date by the writer's own conversation changes
(:func:`storage.ingest.apply_batch` saves every one through :func:`record`). It is
dropped and read again when anything else may have changed conversations: a rollback
(its changes never happened), or a commit by another connection (SQLite's
``PRAGMA data_version`` moves). PostgreSQL has no such cheap signal: there the loads are
counted in every routing transaction.
"""

from __future__ import annotations

import bisect
from collections.abc import Collection, Iterable
from typing import Any

from sqlalchemy import Connection, Engine, event, select

from storage.state import ConversationState
from storage.tables import CONVERSATIONS

#: Where a connection keeps its book (``Connection.info`` lives as long as the driver's
#: connection, across transactions).
_KEY = "replywatch.loadbook"
#: Set on connections whose engine drops the book on rollback (:func:`keep_on`).
_KEPT = "replywatch.loadbook.kept"

Entry = tuple[str, float]  # assignee, last customer message
#: The conversations that count toward their agent's load (:func:`counted` in Python).
COUNTED = (
    CONVERSATIONS.c.status == "open",
    CONVERSATIONS.c.assignee_id.is_not(None),
    CONVERSATIONS.c.last_customer_at.is_not(None),
)


class LoadBook:
    """Open, assigned conversations' last customer message times, per agent."""

    def __init__(self, version: int, rows: Iterable[Any]) -> None:
        self.version = version
        self._times: dict[str, list[float]] = {}
        self._of: dict[int, Entry] = {}
        self._by_agent: dict[str, dict[int, float]] = {}
        for row in rows:
            self._add(row.id, (row.assignee_id, row.last_customer_at))

    def loads(self, since: float, agents: Collection[str] | None = None) -> dict[str, int]:
        """Each agent's conversations with a customer message since ``since``."""
        names = self._times.keys() if agents is None else agents
        found = {}
        for agent in names:
            times = self._times.get(agent)
            if times:
                count = len(times) - bisect.bisect_left(times, since)
                if count:
                    found[agent] = count
        return found

    def conversations(self, agent: str, since: float) -> dict[int, float]:
        """The agent's open conversations with a customer message since ``since``, by
        primary key: the time of that message."""
        held = self._by_agent.get(agent, {})
        return {pk: t for pk, t in held.items() if t >= since}

    def change(self, pk: int, entry: Entry | None) -> None:
        """Conversation ``pk`` now counts for ``entry`` (None: for nobody)."""
        old = self._of.pop(pk, None)
        if old is not None:
            times = self._times[old[0]]
            del times[bisect.bisect_left(times, old[1])]
            del self._by_agent[old[0]][pk]
        if entry is not None:
            self._add(pk, entry)

    def _add(self, pk: int, entry: Entry) -> None:
        self._of[pk] = entry
        self._by_agent.setdefault(entry[0], {})[pk] = entry[1]
        bisect.insort(self._times.setdefault(entry[0], []), entry[1])


def keep_on(engine: Engine) -> None:
    """Let ``engine``'s connections keep a book: it is dropped at every rollback."""

    @event.listens_for(engine, "connect")
    def _mark(dbapi_connection: Any, record: Any) -> None:
        record.info[_KEPT] = True

    @event.listens_for(engine, "rollback")
    def _forget(conn: Connection) -> None:
        conn.info.pop(_KEY, None)


def book(conn: Connection) -> LoadBook | None:
    """The connection's book, read again if another connection committed since; None
    where loads must be counted (PostgreSQL, or an engine that does not keep one)."""
    if conn.dialect.name != "sqlite" or not conn.info.get(_KEPT):
        return None
    version = int(conn.exec_driver_sql("PRAGMA data_version").scalar_one())
    kept: LoadBook | None = conn.info.get(_KEY)
    if kept is None or kept.version != version:
        query = select(
            CONVERSATIONS.c.id, CONVERSATIONS.c.assignee_id, CONVERSATIONS.c.last_customer_at
        ).where(*COUNTED)
        kept = LoadBook(version, conn.execute(query))
        conn.info[_KEY] = kept
    return kept


def counted(state: ConversationState) -> Entry | None:
    """What a conversation adds to its agent's load: None when it does not count (closed,
    unassigned, or no customer message yet), as :data:`COUNTED` says in SQL."""
    if state.status != "open" or state.assignee_id is None or state.last_customer_at is None:
        return None
    return (state.assignee_id, state.last_customer_at)


def record(conn: Connection, changed: Iterable[ConversationState]) -> None:
    """The conversations this transaction saved, as they are now."""
    kept: LoadBook | None = conn.info.get(_KEY)
    if kept is not None:
        for state in changed:
            kept.change(state.pk, counted(state))
