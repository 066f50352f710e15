"""Fixtures for the storage tests: a supervisor's hour of chats, stored on a real
database (a SQLite file, then PostgreSQL)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.engine import make_engine, upgrade, writer
from storage.sweep import sweep
from storage.tables import ALERTS, FEEDBACK, FLAGS
from tests.support.events import agent_replies, assigned, bot_says, closed, customer_says
from tests.support.rules import RULES
from tests.support.storage import T0, ingest


@pytest.fixture
async def hour(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(database_url)
    await upgrade(engine)
    await ingest(
        engine,
        # Alice. c1: a burst answered in 10 s, then a turn answered in 30 s (slow).
        assigned("c1", "alice", "a1", ts=T0 - 5),
        customer_says("m1", "c1", ts=T0),
        customer_says("m1b", "c1", ts=T0 + 3),
        agent_replies("r1", "alice", "c1", ts=T0 + 10),
        customer_says("m2", "c1", ts=T0 + 100),
        agent_replies("r2", "alice", "c1", ts=T0 + 130),
        # c2: a bot message does not answer; Alice does in 14 s, with a forbidden phrase.
        assigned("c2", "alice", "a2", ts=T0 + 150),
        customer_says("m3", "c2", ts=T0 + 200),
        bot_says("b1", "c2", ts=T0 + 205),
        agent_replies("r3", "alice", "c2", "这个不行", ts=T0 + 214),
        # c3: closed before its deadline without a reply, then reopened: 25 s (slow).
        assigned("c3", "alice", "a3", ts=T0 + 290),
        customer_says("m4", "c3", ts=T0 + 300),
        closed("c3", "x3", ts=T0 + 310),
        customer_says("m5", "c3", ts=T0 + 400),
        agent_replies("r5", "alice", "c3", ts=T0 + 425),
        # Bob. c4 is never answered; c5 (unassigned) he answers in 5 s; c6 comes 10 s
        # before the period ends; c7 lies before the period, c9 after it.
        assigned("c4", "bob", "a4", ts=T0 + 490),
        customer_says("m6", "c4", ts=T0 + 500),
        customer_says("m7", "c5", ts=T0 + 600),
        agent_replies("r7", "bob", "c5", ts=T0 + 605),
        assigned("c6", "bob", "a6", ts=T0 + 3000),
        customer_says("m8", "c6", ts=T0 + 3590),
        assigned("c7", "bob", "a7", ts=T0 - 200),
        customer_says("m9", "c7", ts=T0 - 100),
        agent_replies("r9", "bob", "c7", ts=T0 - 90),
        customer_says("m10", "c9", ts=T0 + 3700),
        # c8: unassigned and never answered: the team's, nobody's own.
        customer_says("m11", "c8", ts=T0 + 700),
    )
    async with writer(engine).begin() as conn:
        await conn.run_sync(sweep, T0 + 1100, RULES)
        first_slow = (
            select(FLAGS.c.id)
            .join(ALERTS, ALERTS.c.id == FLAGS.c.alert_id)
            .where(ALERTS.c.kind == "reply.slow", ALERTS.c.message_id == "m2")
        ).scalar_subquery()
        await conn.execute(
            update(FLAGS)
            .where(FLAGS.c.id == first_slow)
            .values(verdict="confirmed", points=-5, counted=-5)
        )
        await conn.execute(
            FEEDBACK.insert(),
            [
                {"event_pk": 1, "script_id": "s1", "action": a, "agent_id": "alice"}
                | {"created_at": T0 + 20}
                for a in ("used", "edited", "ignored")
            ],
        )
    yield engine
    await engine.dispose()
