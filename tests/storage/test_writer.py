"""Under load, requests share commits (group commit), each still answered only
after its own events are durable; one failing request never fails the others."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from monitors.events import ChatEvent, EventType, SenderRole
from storage.engine import make_engine, upgrade
from storage.ingest import Suggested
from storage.tables import SUGGESTIONS
from storage.writer import GroupWriter, StorageRejected, StorageUnavailable
from tests.support.rules import RULES
from tests.support.store import stored_ids


def message(event_id: str, channel: str = "api", conv: str = "c1") -> ChatEvent:
    now = time.time()
    return ChatEvent(
        id=event_id,
        channel=channel,
        type=EventType.MESSAGE,
        ts=now,
        received_at=now,
        conversation_id=conv,
        sender_role=SenderRole.CUSTOMER,
        sender_id="u1",
        text="hi",
    )


@contextlib.asynccontextmanager
async def running(writer: GroupWriter) -> AsyncIterator[GroupWriter]:
    task = asyncio.create_task(writer.run())
    try:
        yield writer
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        writer.close()


async def test_concurrent_submissions_share_commits(engine: AsyncEngine) -> None:
    commits: list[int] = []
    writer = GroupWriter(engine, thresholds=RULES, on_commit=lambda n, _s: commits.append(n))
    async with running(writer):
        results = await asyncio.gather(*(writer.submit([message(f"m{i}")]) for i in range(100)))
    assert all(r[0] is not None for r in results)
    assert sum(commits) == 100
    assert len(commits) < 100  # grouped, not one transaction per event
    assert len(await stored_ids(engine)) == 100


async def test_a_group_never_exceeds_its_size_limit(engine: AsyncEngine) -> None:
    commits: list[int] = []
    writer = GroupWriter(
        engine, thresholds=RULES, max_group_events=10, on_commit=lambda n, _s: commits.append(n)
    )
    async with running(writer):
        await asyncio.gather(*(writer.submit([message(f"m{i}")]) for i in range(55)))
    assert max(commits) <= 10
    assert sum(commits) == 55


async def test_the_same_id_in_two_concurrent_requests_is_stored_once(
    engine: AsyncEngine,
) -> None:
    writer = GroupWriter(engine, thresholds=RULES)
    async with running(writer):
        first, second = await asyncio.gather(
            writer.submit([message("m1")]), writer.submit([message("m1")])
        )
    assert [first[0] is None, second[0] is None].count(True) == 1


async def test_a_failing_submission_does_not_fail_its_group(postgres_server: object) -> None:
    from tests.support.settings import new_postgres_database

    engine = make_engine(new_postgres_database(postgres_server))
    await upgrade(engine)
    writer = GroupWriter(engine, thresholds=RULES)
    too_long = message("bad", channel="x" * 300)  # PostgreSQL enforces VARCHAR(64)
    try:
        async with running(writer):
            results = await asyncio.gather(
                writer.submit([message("ok1")]),
                writer.submit([too_long]),
                writer.submit([message("ok2")]),
                return_exceptions=True,
            )
        assert isinstance(results[1], StorageRejected)  # the data: retrying cannot help
        assert "too long" in results[1].reason
        assert not isinstance(results[0], BaseException)
        assert not isinstance(results[2], BaseException)
        assert await stored_ids(engine) == {"ok1", "ok2"}
    finally:
        await engine.dispose()


async def test_a_database_that_is_gone_is_a_transient_failure(tmp_path: object) -> None:
    engine = make_engine("postgresql+asyncpg://nobody:x@127.0.0.1:9/none")
    writer = GroupWriter(engine, thresholds=RULES)
    try:
        async with running(writer):
            [result] = await asyncio.gather(writer.submit([message("m1")]), return_exceptions=True)
        assert isinstance(result, StorageUnavailable)
        assert not isinstance(result, StorageRejected)  # clients should retry
    finally:
        await engine.dispose()


async def test_suggestions_for_stored_messages_ride_in_the_next_group(engine: AsyncEngine) -> None:
    commits: list[int] = []
    writer = GroupWriter(engine, thresholds=RULES, on_commit=lambda n, _s: commits.append(n))
    async with running(writer):
        [first] = await writer.submit([message("m1")])
        assert first is not None
        found = Suggested([{"script_id": "zh-invoice"}], 80.0, True)
        later = Suggested([{"script_id": "zh-other"}], 50.0, True)
        results = await asyncio.gather(
            writer.submit([], {first.row_id: found}),
            writer.submit([message("m2")]),
            writer.submit([], {first.row_id: later}),  # one per message: the first is kept
        )
    assert (results[0], results[2]) == ([], [])
    async with engine.connect() as conn:
        rows = (await conn.execute(select(SUGGESTIONS.c.event_pk, SUGGESTIONS.c["items"]))).all()
    assert [(r.event_pk, r.items[0]["script_id"]) for r in rows] == [(first.row_id, "zh-invoice")]
    assert len(commits) == 2  # the suggestions shared the second message's transaction
