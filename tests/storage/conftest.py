"""Fixtures for the storage tests: a supervisor's hour of chats, stored on a real
database (a SQLite file, then PostgreSQL)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.events import ChatEvent, EventType, SenderRole
from monitors.sweep import sweep
from storage.alerts import ALERTS, FLAGS
from storage.engine import make_engine, upgrade, writer
from storage.library_repo import FEEDBACK
from tests.storage.test_turns import RULES, T0, agent, control, customer, ingest, msg

START, END = T0, T0 + 3600


def assigned(mid: str, ts: float, conv: str, who: str) -> ChatEvent:
    return control(mid, EventType.ASSIGNED, ts, conv, agent_id=who)


@pytest.fixture
async def hour(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(database_url)
    await upgrade(engine)
    await ingest(
        engine,
        # Alice. c1: a burst answered in 10 s, then a turn answered in 30 s (slow).
        assigned("a1", T0 - 5, "c1", "alice"),
        customer("m1", T0, "c1"),
        customer("m1b", T0 + 3, "c1"),
        agent("r1", T0 + 10, conv="c1"),
        customer("m2", T0 + 100, "c1"),
        agent("r2", T0 + 130, conv="c1"),
        # c2: a bot message does not answer; Alice does in 14 s, with a forbidden phrase.
        assigned("a2", T0 + 150, "c2", "alice"),
        customer("m3", T0 + 200, "c2"),
        msg("b1", SenderRole.BOT, T0 + 205, "c2", "shop-bot"),
        agent("r3", T0 + 214, conv="c2", text="这个不行"),
        # c3: closed before its deadline without a reply, then reopened: 25 s (slow).
        assigned("a3", T0 + 290, "c3", "alice"),
        customer("m4", T0 + 300, "c3"),
        control("x3", EventType.CLOSED, T0 + 310, "c3"),
        customer("m5", T0 + 400, "c3"),
        agent("r5", T0 + 425, conv="c3"),
        # Bob. c4 is never answered; c5 (unassigned) he answers in 5 s; c6 comes 10 s
        # before the period ends; c7 lies before the period, c9 after it.
        assigned("a4", T0 + 490, "c4", "bob"),
        customer("m6", T0 + 500, "c4"),
        customer("m7", T0 + 600, "c5"),
        agent("r7", T0 + 605, who="bob", conv="c5"),
        assigned("a6", T0 + 3000, "c6", "bob"),
        customer("m8", T0 + 3590, "c6"),
        assigned("a7", T0 - 200, "c7", "bob"),
        customer("m9", T0 - 100, "c7"),
        agent("r9", T0 - 90, who="bob", conv="c7"),
        customer("m10", T0 + 3700, "c9"),
        # c8: unassigned and never answered: the team's, nobody's own.
        customer("m11", T0 + 700, "c8"),
    )
    async with writer(engine).begin() as conn:
        await conn.run_sync(sweep, RULES, T0 + 1100)
        first_slow = (
            select(FLAGS.c.id)
            .join(ALERTS, ALERTS.c.id == FLAGS.c.alert_id)
            .where(ALERTS.c.kind == "reply.slow", ALERTS.c.message_id == "m2")
        ).scalar_subquery()
        await conn.execute(
            update(FLAGS).where(FLAGS.c.id == first_slow).values(verdict="confirmed", points=-5)
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
