"""Group commit: events submitted while a transaction is in flight share the next one.

Each ``submit`` resolves only after the transaction holding its events has
committed, so an acknowledgement always means "durable".  One writer task per
process also keeps SQLite from fighting itself for the write lock.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.events import ChatEvent
from storage.engine import writer as write_engine
from storage.ingest import Stored, apply_batch

log = logging.getLogger(__name__)
CommitObserver = Callable[[int, float], None]


class StorageUnavailable(Exception):
    """The events could not be committed; nothing of the request was acknowledged."""


@dataclass
class _Submission:
    events: Sequence[ChatEvent]
    future: asyncio.Future[list[Stored | None]] = field(repr=False)


class GroupWriter:
    """Commits submitted events in groups, one transaction per group."""

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        max_group_events: int = 500,
        on_commit: CommitObserver | None = None,
    ) -> None:
        self._engine = write_engine(engine)
        self._max = max_group_events
        self._queue: asyncio.Queue[_Submission] = asyncio.Queue()
        self._on_commit = on_commit

    async def submit(self, events: Sequence[ChatEvent]) -> list[Stored | None]:
        """Store ``events``; returns after commit, one entry per event (None = duplicate)."""
        future: asyncio.Future[list[Stored | None]] = asyncio.get_running_loop().create_future()
        await self._queue.put(_Submission(events, future))
        return await future

    async def run(self) -> None:
        """The writer loop; runs until cancelled."""
        while True:
            group = [await self._queue.get()]
            size = len(group[0].events)
            while size < self._max and not self._queue.empty():
                group.append(self._queue.get_nowait())
                size += len(group[-1].events)
            await self._commit_group(group)

    async def _commit_group(self, group: list[_Submission]) -> None:
        live = [s for s in group if not s.future.done()]
        if not live:
            return
        try:
            results = await self._write([e for s in live for e in s.events])
        except Exception:
            if len(live) == 1:
                log.exception("commit failed for %d events", len(live[0].events))
                live[0].future.set_exception(StorageUnavailable("storage unavailable"))
                return
            # One bad submission must not fail the others: retry each on its own.
            for submission in live:
                await self._commit_group([submission])
            return
        offset = 0
        for submission in live:
            count = len(submission.events)
            if not submission.future.done():
                submission.future.set_result(results[offset : offset + count])
            offset += count

    async def _write(self, events: list[ChatEvent]) -> list[Stored | None]:
        started = time.perf_counter()
        async with self._engine.begin() as conn:
            results = await apply_batch(conn, events)
        if self._on_commit is not None:
            self._on_commit(len(events), time.perf_counter() - started)
        return results
