"""Group commit: events submitted while a transaction is in flight share the next one.

Each ``submit`` resolves only after the transaction holding its events has
committed, so an acknowledgement always means "durable".  One writer task per
process also keeps SQLite from fighting itself for the write lock.

On SQLite a group runs as one call into a dedicated writer thread (blocking
pysqlite); on PostgreSQL through ``AsyncConnection.run_sync`` over asyncpg.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from monitors.events import ChatEvent
from monitors.rules import Thresholds
from storage import loadbook, queue
from storage.engine import LOCK_TIMEOUT, WRITE_OPTION, make_sync_sqlite_engine
from storage.engine import writer as write_engine
from storage.ingest import Stored, Suggested

log = logging.getLogger(__name__)
CommitObserver = Callable[[int, float], None]
T = TypeVar("T")


class StorageUnavailable(Exception):
    """The events could not be committed; nothing of the request was acknowledged."""


class StorageRejected(StorageUnavailable):
    """The database refused the events themselves (a value it cannot store, a broken
    constraint): retrying the same events cannot help. ``reason`` says what it said."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"the database refused these events: {reason}")
        self.reason = reason


#: SQLSTATE classes that say the data itself is wrong: data exception, constraint violation.
PERMANENT_SQLSTATE = ("22", "23")


def _sqlstate(exc: Exception) -> str | None:
    orig = getattr(exc, "orig", None)
    for candidate in (orig, getattr(orig, "__cause__", None)):
        code = getattr(candidate, "sqlstate", None) or getattr(candidate, "pgcode", None)
        if isinstance(code, str):
            return code
    return None


def _failure(exc: Exception) -> StorageUnavailable:
    """Permanent (the data) or transient (the database) failure of a commit."""
    state = _sqlstate(exc)
    if isinstance(exc, DataError | IntegrityError) or (state or "")[:2] in PERMANENT_SQLSTATE:
        reason = str(getattr(exc, "orig", exc)).splitlines()[0][:300]
        return StorageRejected(reason)
    return StorageUnavailable("storage unavailable")


@dataclass
class _Submission:
    events: Sequence[ChatEvent]
    suggestions: Mapping[int, Suggested]
    future: asyncio.Future[list[Stored | None]] = field(repr=False)


class _SQLiteRunner:
    """Runs each group's transaction in one call on a dedicated thread."""

    def __init__(self, engine: AsyncEngine, thresholds: Thresholds, lock_timeout: float) -> None:
        self._thresholds = thresholds
        self._engine = make_sync_sqlite_engine(engine, lock_timeout)
        loadbook.keep_on(self._engine)  # this connection is where every write goes
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="replywatch-sqlite-writer")

    async def run(
        self, events: list[ChatEvent], suggestions: Mapping[int, Suggested]
    ) -> list[Stored | None]:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._thread, self._transaction, events, suggestions)

    def _transaction(
        self, events: list[ChatEvent], suggestions: Mapping[int, Suggested]
    ) -> list[Stored | None]:
        with self._engine.execution_options(**{WRITE_OPTION: True}).begin() as conn:
            return queue.ingest(conn, events, suggestions, self._thresholds)

    async def call(self, fn: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._thread, self._call, fn, args)

    def _call(self, fn: Callable[..., T], args: tuple[Any, ...]) -> T:
        with self._engine.execution_options(**{WRITE_OPTION: True}).begin() as conn:
            return fn(conn, *args)

    def close(self) -> None:
        self._thread.shutdown(wait=True)
        self._engine.dispose()


class _AsyncRunner:
    """Runs each group's transaction on the async engine (PostgreSQL via asyncpg)."""

    def __init__(self, engine: AsyncEngine, thresholds: Thresholds) -> None:
        self._thresholds = thresholds
        self._engine = write_engine(engine)

    async def run(
        self, events: list[ChatEvent], suggestions: Mapping[int, Suggested]
    ) -> list[Stored | None]:
        async with self._engine.begin() as conn:
            return await conn.run_sync(queue.ingest, events, suggestions, self._thresholds)

    async def call(self, fn: Callable[..., T], *args: Any) -> T:
        async with self._engine.begin() as conn:
            return await conn.run_sync(fn, *args)

    def close(self) -> None:
        """Nothing of its own to close: the engine belongs to the app."""


class GroupWriter:
    """Commits submitted events in groups, one transaction per group."""

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        max_group_events: int = 500,
        on_commit: CommitObserver | None = None,
        thresholds: Thresholds,
        lock_timeout: float = LOCK_TIMEOUT,
    ) -> None:
        rules = thresholds
        self._runner: _SQLiteRunner | _AsyncRunner = (
            _SQLiteRunner(engine, rules, lock_timeout)
            if engine.dialect.name == "sqlite"
            else _AsyncRunner(engine, rules)
        )
        self._max = max_group_events
        self._queue: asyncio.Queue[_Submission] = asyncio.Queue()
        self._on_commit = on_commit

    async def submit(
        self, events: Sequence[ChatEvent], suggestions: Mapping[int, Suggested] | None = None
    ) -> list[Stored | None]:
        """Store ``events``, and ``suggestions`` for messages stored before (keyed by
        event row id); returns after commit, one entry per event (None = duplicate)."""
        future: asyncio.Future[list[Stored | None]] = asyncio.get_running_loop().create_future()
        await self._queue.put(_Submission(events, suggestions or {}, future))
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
        suggestions: dict[int, Suggested] = {}
        for submission in live:
            for key, row in submission.suggestions.items():
                suggestions.setdefault(key, row)
        try:
            results = await self._write([e for s in live for e in s.events], suggestions)
        except Exception as exc:
            if len(live) == 1:
                failure = _failure(exc)
                if isinstance(failure, StorageRejected):
                    log.error("commit refused for %d events: %s", len(live[0].events), exc)
                else:
                    log.exception("commit failed for %d events", len(live[0].events))
                live[0].future.set_exception(failure)
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

    async def _write(
        self, events: list[ChatEvent], suggestions: Mapping[int, Suggested]
    ) -> list[Stored | None]:
        started = time.perf_counter()
        results = await self._runner.run(events, suggestions)
        if self._on_commit is not None:
            self._on_commit(len(events), time.perf_counter() - started)
        return results

    async def call(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn(connection, *args)`` in a write transaction of its own, serialised with
        the event groups on SQLite (same writer thread)."""
        return await self._runner.call(fn, *args)

    def close(self) -> None:
        """Release the writer's own thread and connection (after ``run`` has stopped)."""
        self._runner.close()
