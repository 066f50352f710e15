"""The outbox hands each stored reply to exactly one sender, and takes it back from a
sender that died."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from storage import deliveries
from storage.engine import make_engine, upgrade, writer
from tests.support.events import agent_replies, assigned
from tests.support.storage import T0, ingest


@pytest.fixture
async def outbox(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(database_url)
    await upgrade(engine)
    replies = [agent_replies(f"r{i}", "alice", f"c{i}", ts=T0 + i) for i in range(60)]
    stored = await ingest(engine, assigned("c1", "alice", "x", ts=T0 - 1), *replies)
    async with writer(engine).begin() as conn:
        await conn.run_sync(
            deliveries.enqueue, [(s.row_id, "telegram") for s in stored[1:] if s], T0 + 100
        )
    yield engine
    await engine.dispose()


async def claim(engine: AsyncEngine, now: float, limit: int = 50) -> list[deliveries.Claimed]:
    async with writer(engine).begin() as conn:
        return await conn.run_sync(deliveries.claim, ["telegram"], now, 30.0, limit)


async def test_concurrent_claimers_never_take_the_same_reply(outbox: AsyncEngine) -> None:
    batches = await asyncio.gather(*(claim(outbox, T0 + 200, limit=25) for _ in range(4)))
    taken = [d.message_id for batch in batches for d in batch]
    assert len(taken) == len(set(taken)) == 60
    assert {d.text for batch in batches for d in batch} == {"您好"}
    assert await claim(outbox, T0 + 201) == []


async def test_a_lapsed_lease_is_taken_over_and_a_sent_reply_never(outbox: AsyncEngine) -> None:
    first = await claim(outbox, T0 + 200, limit=60)
    async with writer(outbox).begin() as conn:
        await conn.run_sync(deliveries.sent, first[0].pk, "9001", T0 + 201)
    again = await claim(outbox, T0 + 200 + 31, limit=60)  # the first sender died
    assert len(again) == 59
    assert {d.attempts for d in again} == {2}
    assert first[0].pk not in {d.pk for d in again}


async def test_a_retry_waits_for_its_time(outbox: AsyncEngine) -> None:
    [one] = await claim(outbox, T0 + 200, limit=1)
    async with writer(outbox).begin() as conn:
        await conn.run_sync(deliveries.retry, one.pk, "HTTP 502", T0 + 260, T0 + 200)
    assert one.pk not in {d.pk for d in await claim(outbox, T0 + 259, limit=60)}
    assert [d.pk for d in await claim(outbox, T0 + 261, limit=60)] == [one.pk]
