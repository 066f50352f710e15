"""The writer's book of agents' loads agrees with the database at every step: chats
assigned, answered, closed, reopened and moved between agents; a transaction that rolls
back; a commit by another connection."""

from __future__ import annotations

import asyncio
import dataclasses
import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, create_engine, select

from monitors.routing import RoutingRules
from storage import loadbook, routing
from storage.engine import WRITE_OPTION, make_engine, make_sync_sqlite_engine, upgrade
from storage.queue import ingest
from storage.tables import CONVERSATIONS
from tests.support.events import Event, agent_replies, assigned, closed, customer_says, typed
from tests.support.rules import RULES
from tests.support.storage import T0

ROUTED = dataclasses.replace(RULES, routing=RoutingRules("least_loaded", 3, True))
AGENTS = ["alice", "bob", "carol"]
WINDOW = RULES.active_window_seconds


@pytest.fixture
def writer_engine(sqlite_url: str) -> Iterator[Engine]:
    """The group writer's own engine on a migrated SQLite file."""

    async def migrated() -> Engine:
        engine = make_engine(sqlite_url)
        await upgrade(engine)
        sync = make_sync_sqlite_engine(engine)
        loadbook.keep_on(sync)  # as the group writer does
        await engine.dispose()
        return sync

    sync = asyncio.run(migrated())
    yield sync
    sync.dispose()


def store(sync: Engine, events: list[Event], now: float) -> None:
    with sync.execution_options(**{WRITE_OPTION: True}).begin() as conn:
        ingest(conn, typed(*events), {}, ROUTED, now)


def agrees(sync: Engine, now: float) -> loadbook.LoadBook:
    """The book the writer's connection keeps counts what the database counts."""
    with sync.begin() as conn:
        kept = loadbook.book(conn)
        assert kept is not None
        for since in (now - WINDOW, now - WINDOW / 2, now - 5, T0 - 10 * WINDOW):
            assert kept.loads(since) == routing.loads(conn, since)
            assert kept.loads(since, ["alice"]) == routing.loads(conn, since, ["alice"])
            for agent in AGENTS:
                assert kept.conversations(agent, since) == held(conn, agent, since)
        return kept


def held(conn: Connection, agent: str, since: float) -> dict[int, float]:
    """What the turn rules' concurrency reads of the database: the agent's open
    conversations with a customer message since ``since``."""
    query = select(CONVERSATIONS.c.id, CONVERSATIONS.c.last_customer_at).where(
        CONVERSATIONS.c.assignee_id == agent,
        CONVERSATIONS.c.status == "open",
        CONVERSATIONS.c.last_customer_at >= since,
    )
    return {row.id: row.last_customer_at for row in conn.execute(query)}


def loads(sync: Engine, since: float) -> dict[str, int]:
    with sync.connect() as conn:
        return routing.loads(conn, since)


def step(rng: random.Random, n: int, ts: float) -> Event:
    conv = f"c{rng.randrange(12)}"
    kind = rng.random()
    if kind < 0.45:
        return customer_says(f"m{n}", conv, ts=ts)
    if kind < 0.65:
        return assigned(conv, rng.choice(AGENTS), f"a{n}", ts=ts)
    if kind < 0.85:
        return agent_replies(f"r{n}", rng.choice(AGENTS), conv, ts=ts)
    return closed(conv, f"x{n}", ts=ts)


def test_a_shift_of_chats_keeps_the_book_equal_to_the_database(writer_engine: Engine) -> None:
    rng = random.Random(24)
    ts = T0
    books = set()
    for n in range(150):
        ts += rng.choice([1.0, 30.0, WINDOW / 3])  # some chats drop out of the window
        events = [step(rng, n * 10 + k, ts) for k in range(rng.randint(1, 4))]
        store(writer_engine, events, ts)
        books.add(id(agrees(writer_engine, ts)))
    assert len(books) == 1  # read once, then kept up to date: never counted again


def power_cut_after(sync: Engine, events: list[Event]) -> None:
    """Store ``events``, then fail before the commit."""
    with sync.execution_options(**{WRITE_OPTION: True}).begin() as conn:
        assert loadbook.book(conn) is not None  # read before the change
        ingest(conn, typed(*events), {}, ROUTED, T0)
        raise RuntimeError("power cut")


def test_a_rolled_back_transaction_leaves_the_book_as_the_database(
    writer_engine: Engine,
) -> None:
    store(writer_engine, [assigned("c1", "alice", ts=T0), customer_says("m1", "c1", ts=T0)], T0)
    with pytest.raises(RuntimeError, match="power cut"):
        power_cut_after(
            writer_engine, [assigned("c2", "bob", ts=T0), customer_says("m2", "c2", ts=T0)]
        )
    agrees(writer_engine, T0)
    assert loads(writer_engine, T0 - WINDOW) == {"alice": 1}


def test_another_connections_commit_is_seen(writer_engine: Engine, sqlite_url: str) -> None:
    store(writer_engine, [assigned("c1", "alice", ts=T0), customer_says("m1", "c1", ts=T0)], T0)
    before = agrees(writer_engine, T0)
    other = create_engine(sqlite_url.replace("+aiosqlite", ""))  # another process, say
    with other.begin() as conn:
        events = [
            assigned("c1", "bob", "a2", ts=T0 + 1),
            customer_says("m2", "c2", ts=T0 + 1),
            assigned("c2", "bob", "a3", ts=T0 + 2),
        ]
        ingest(conn, typed(*events), {}, ROUTED, T0 + 2)
    other.dispose()
    assert agrees(writer_engine, T0 + 2) is not before
    assert loads(writer_engine, T0 - WINDOW) == {"bob": 2}


def test_engines_that_do_not_keep_a_book_count_every_time(tmp_path: Path) -> None:
    plain = create_engine(f"sqlite:///{tmp_path / 'plain.db'}")
    with plain.connect() as conn:
        assert loadbook.book(conn) is None
    plain.dispose()
