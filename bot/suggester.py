"""Suggestions for stored customer messages, computed after the ingest was acknowledged.

Ingest answers once the events are durable; matching (the sentence encoder above
all) costs more than storing, so it is not on that path. Each stored customer
message is offered here; one task matches everything offered meanwhile in one
batch, stores the suggestions in the writer's next group (no transaction of their
own under load) and then pushes them to the conversation's agent. When idle the
suggestions follow the message by the matching time alone; in a burst beyond the
matcher's pace they fall behind, and a message still waiting after
``matcher.suggest_within_seconds`` gets none (counted as ``late``) rather than the
matcher drifting ever further behind the conversations.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.library import Library
from bot.metrics import Metrics
from bot.publisher import Publisher
from storage.ingest import Stored, Suggested
from storage.writer import GroupWriter

log = logging.getLogger(__name__)
#: Most messages matched in one batch (the library's own batching splits further).
MAX_BATCH = 256


@dataclass(frozen=True, slots=True)
class _Waiting:
    item: Stored
    since: float


class Suggester:
    """Matches stored customer messages in batches, stores and pushes their suggestions."""

    def __init__(
        self,
        library: Library,
        writer: GroupWriter,
        publisher: Publisher,
        metrics: Metrics,
        *,
        within: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._library = library
        self._writer = writer
        self._publisher = publisher
        self._metrics = metrics
        self._within = within
        self._clock = clock
        self._waiting: list[_Waiting] = []
        self._matching = 0
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()

    @property
    def pending(self) -> int:
        """Messages offered whose suggestions are not stored yet."""
        return len(self._waiting) + self._matching

    def offer(self, items: Sequence[Stored]) -> None:
        """Queue stored customer messages for suggestions (returns at once)."""
        if not items:
            return
        now = self._clock()
        self._waiting += [_Waiting(item, now) for item in items]
        self._idle.clear()
        self._metrics.suggestions_pending.set(self.pending)
        self._wake.set()

    async def run(self) -> None:
        """Match what was offered, batch after batch; runs until cancelled."""
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._waiting:
                batch, self._waiting = self._waiting[:MAX_BATCH], self._waiting[MAX_BATCH:]
                self._matching = len(batch)
                try:
                    await self._suggest(batch)
                finally:
                    self._matching = 0
                    self._metrics.suggestions_pending.set(self.pending)
            self._idle.set()

    async def settled(self) -> None:
        """Return once every message offered so far has its suggestions (or none)."""
        await self._idle.wait()

    async def close(self, runner: asyncio.Task[None] | None, grace: float) -> None:
        """Finish what is waiting (up to ``grace`` seconds), then stop ``runner``."""
        if runner is not None and not runner.done() and not self._idle.is_set():
            try:
                async with asyncio.timeout(grace):
                    await self.settled()
            except TimeoutError:
                log.warning("stopping with %d messages' suggestions not computed", self.pending)
        if runner is not None:
            runner.cancel()
            await asyncio.gather(runner, return_exceptions=True)

    async def _suggest(self, batch: list[_Waiting]) -> None:
        now = self._clock()
        fresh = [w.item for w in batch if now - w.since <= self._within]
        if len(fresh) < len(batch):
            self._metrics.suggestions.labels("late").inc(len(batch) - len(fresh))
            log.warning(
                "%d customer messages got no suggestions: still waiting after %.0f s",
                len(batch) - len(fresh),
                self._within,
            )
        if not fresh:
            return
        try:
            found = await self._library.suggest_many(
                [(item.event.text or "", item.event.sender_name) for item in fresh]
            )
            await self._writer.submit([], {i.row_id: s for i, s in zip(fresh, found, strict=True)})
        except Exception:
            # The messages are stored and their agents told; only the suggestions are lost.
            log.exception("could not suggest replies for %d customer messages", len(fresh))
            self._metrics.suggestions.labels("failed").inc(len(fresh))
            return
        self._metrics.suggestions.labels("stored").inc(len(fresh))
        for item, suggested in zip(fresh, found, strict=True):
            await self._push(item, suggested)

    async def _push(self, item: Stored, suggested: Suggested) -> None:
        conv = item.conversation
        if conv is None or conv.assignee_id is None:
            return  # the agent it is routed to later gets them with the assignment
        try:
            await self._publisher.suggestions(
                conv.assignee_id, conv, item.event.id, suggested.items
            )
        except Exception:
            log.exception("could not push suggestions for %s/%s", *item.event.key)
