"""The single entry point for events: store (group commit), then notify."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from bot.events import ChatEvent
from bot.metrics import Metrics
from bot.publisher import Publisher
from storage.ingest import Stored
from storage.writer import GroupWriter

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class IngestResult:
    """What ``handle`` did: new events stored, and how many were duplicates."""

    stored: list[Stored]
    duplicates: int

    @property
    def accepted(self) -> int:
        """Number of newly stored events."""
        return len(self.stored)


class Pipeline:
    """Stores events durably, then fans the new ones out to the live consumers."""

    def __init__(self, writer: GroupWriter, publisher: Publisher, metrics: Metrics) -> None:
        self._writer = writer
        self._publisher = publisher
        self._metrics = metrics

    async def handle(self, events: Sequence[ChatEvent]) -> IngestResult:
        """Store ``events`` (returns after commit) and notify about the new ones.

        Raises ``storage.writer.StorageUnavailable`` when the commit fails; then
        nothing of ``events`` was acknowledged.
        """
        results = await self._writer.submit(events)
        stored = [r for r in results if r is not None]
        duplicates = len(results) - len(stored)
        self._metrics.count_events((item.event.type for item in stored), duplicates)
        for item in stored:
            try:
                await self._publisher.publish(item)
            except Exception:
                # Stored is what counts; a failed live push must not fail the ingest.
                log.exception("could not publish event %s/%s", *item.event.key)
        return IngestResult(stored, duplicates)
