"""A turn alice leaves unanswered for 60 seconds moves to bob, the least-loaded online
agent, once; the customer's clock keeps running; several sweepers make each step once."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from monitors.escalation import Member, Roster
from storage.engine import make_engine, upgrade, writer
from storage.ingest import apply_batch
from storage.sweep import Swept, sweep
from storage.tables import CONVERSATIONS, EVENTS, TURNS
from tests.support.events import agent_replies, agent_status, assigned, customer_says, typed
from tests.support.rules import RULES
from tests.support.settings import new_postgres_database
from tests.support.storage import T0

ESCALATING = dataclasses.replace(RULES, reassign_after_seconds=60, max_reassignments=2)
ONLINE = [agent_status(a, "online", f"s-{a}", ts=T0 - 10) for a in ("alice", "bob", "carol")]


async def store(engine: AsyncEngine, *events: dict[str, Any]) -> None:
    async with writer(engine).begin() as conn:
        await conn.run_sync(apply_batch, typed(*events), ESCALATING, T0)


async def swept(engine: AsyncEngine, now: float, roster: Roster | None = None) -> Swept:
    async with writer(engine).begin() as conn:
        return await conn.run_sync(sweep, now, ESCALATING, roster)


async def assignee(engine: AsyncEngine, conv: str) -> str | None:
    async with engine.connect() as conn:
        query = select(CONVERSATIONS.c.assignee_id).where(CONVERSATIONS.c.external_id == conv)
        return (await conn.execute(query)).scalar()


async def test_an_unanswered_turn_moves_to_the_least_loaded_online_agent(
    engine: AsyncEngine,
) -> None:
    await store(engine, *ONLINE, agent_status("carol", "away", "s-carol-2", ts=T0 - 5))
    busy = [assigned("busy", "bob", "a0", ts=T0 - 2), customer_says("b1", "busy", ts=T0 - 1)]
    await store(engine, *busy, agent_replies("br", "bob", "busy", ts=T0 + 1))  # bob has 1 chat
    await store(engine, assigned("c1", "alice", "a1", ts=T0 - 1), customer_says("m1", "c1", ts=T0))
    assert (await swept(engine, T0 + 59.9)).assigned == []
    first = await swept(engine, T0 + 60.1)
    [moved] = first.assigned
    assert (moved.event.agent_id, moved.event.reason) == ("bob", "escalation")
    assert moved.previous is not None
    assert moved.previous.assignee_id == "alice"
    escalated = [a for a in first.alerts if a.kind.value == "conversation.escalated"]
    assert [(a.message_id, a.agent_id) for a in escalated] == [("m1", "alice")]
    assert escalated[0].waited_seconds == pytest.approx(60.1)
    assert await assignee(engine, "c1") == "bob"
    assert (await swept(engine, T0 + 61)).assigned == []  # step 1 happened once
    second = await swept(engine, T0 + 121)  # still unanswered: step 2, away carol skipped
    assert [s.event.agent_id for s in second.assigned] == ["alice"]
    assert [a.message_id for a in second.alerts if a.kind.value == "conversation.escalated"] == [
        "m1#2"
    ]
    assert (await swept(engine, T0 + 500)).assigned == []  # max_reassignments = 2
    async with engine.connect() as conn:
        turn = (await conn.execute(select(TURNS))).all()[-1]
    assert (turn.started_at, turn.agent_id, turn.escalations) == (T0, "alice", 2)


async def test_an_answer_in_time_or_nobody_free_means_no_move(engine: AsyncEngine) -> None:
    await store(engine, *ONLINE)
    await store(engine, assigned("c1", "alice", "a1", ts=T0 - 1), customer_says("m1", "c1", ts=T0))
    await store(engine, assigned("c2", "bob", "a2", ts=T0 - 1), customer_says("m2", "c2", ts=T0))
    await store(engine, agent_replies("r2", "bob", "c2", ts=T0 + 30))
    result = await swept(engine, T0 + 61, Roster({"alice": Member("vip")}))
    assert result.assigned == []  # alice's group has nobody else; bob answered his own
    assert await assignee(engine, "c1") == "alice"
    roster = Roster({"alice": Member("vip"), "carol": Member("vip")})
    later = await swept(engine, T0 + 95, roster)  # looked at again within 30 s
    assert [s.event.agent_id for s in later.assigned] == ["carol"]


async def test_two_sweepers_on_postgresql_escalate_each_turn_once(postgres_server: Any) -> None:
    url = new_postgres_database(postgres_server)
    engines = [make_engine(url) for _ in range(2)]
    try:
        await upgrade(engines[0])
        await store(engines[0], *ONLINE)
        chats = [
            (assigned(f"c{i}", "alice", f"a{i}", ts=T0 - 1), customer_says(f"m{i}", f"c{i}", ts=T0))
            for i in range(40)
        ]
        await store(engines[0], *(e for pair in chats for e in pair))
        results = await asyncio.gather(*(swept(e, T0 + 61) for e in engines for _ in range(3)))
        moves = [s.event.id for r in results for s in r.assigned]
        assert len(moves) == len(set(moves)) == 40
        async with engines[0].connect() as conn:
            stored = select(func.count()).where(EVENTS.c.reason == "escalation")
            assert (await conn.execute(stored)).scalar() == 40
    finally:
        for engine in engines:
            await engine.dispose()
