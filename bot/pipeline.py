"""The single entry point for events: suggest, store (group commit), then notify."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.events import ChatEvent, EventType, SenderRole
from bot.metrics import Metrics
from bot.publisher import Publisher
from scripts_library.library import Library
from storage import library_repo
from storage.ingest import Key, Stored, SuggestionRow
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


def _asks(event: ChatEvent) -> bool:
    return (
        event.type is EventType.MESSAGE
        and event.sender_role is SenderRole.CUSTOMER
        and bool(event.text)
    )


class Pipeline:
    """Suggests replies, stores events durably, then fans the new ones out live."""

    def __init__(
        self,
        writer: GroupWriter,
        publisher: Publisher,
        metrics: Metrics,
        library: Library,
        engine: AsyncEngine,
        expect_due: Callable[[float | None], None] = lambda _due: None,
        on_outgoing: Callable[[], None] = lambda: None,
    ) -> None:
        self._writer = writer
        self._publisher = publisher
        self._metrics = metrics
        self._library = library
        self._engine = engine
        self._expect_due = expect_due
        self._on_outgoing = on_outgoing

    async def handle(self, events: Sequence[ChatEvent]) -> IngestResult:
        """Store ``events`` with their suggestions (returns after commit), then notify.

        Raises ``storage.writer.StorageUnavailable`` when the commit fails; then
        nothing of ``events`` was acknowledged.
        """
        suggestions = await self._suggest(events)
        results = await self._writer.submit(events, suggestions)
        stored = [r for r in results if r is not None]
        duplicates = len(results) - len(stored)
        self._metrics.count_events((item.event.type for item in stored), duplicates)
        dues = [item.next_due for item in stored if item.next_due is not None]
        if dues:
            self._expect_due(min(dues))
        if any(item.event.deliver for item in stored):
            self._on_outgoing()
        for item in stored:
            try:
                await self._notify(item, suggestions.get(item.event.key))
            except Exception:
                # Stored is what counts; a failed live push must not fail the ingest.
                log.exception("could not publish event %s/%s", *item.event.key)
        return IngestResult(stored, duplicates)

    async def _suggest(self, events: Sequence[ChatEvent]) -> dict[Key, SuggestionRow]:
        asks = [e for e in events if _asks(e)]
        found = await self._library.suggest_many([(e.text or "", e.sender_name) for e in asks])
        return {e.key: row for e, row in zip(asks, found, strict=True)}

    async def _notify(self, item: Stored, suggestion: SuggestionRow | None) -> None:
        await self._publisher.publish(item)
        for alert in item.alerts:
            self._metrics.alerts.labels(alert.kind.value).inc()
        await self._publisher.alerts(item.alerts)
        await self._publisher.resolved(item)
        conv = item.conversation
        if conv is None or conv.assignee_id is None:
            return
        if suggestion is not None:
            await self._publisher.suggestions(
                conv.assignee_id, conv.external_id, item.event.id, suggestion.items
            )
        elif item.event.type is EventType.ASSIGNED and _awaiting_reply(item):
            latest = await library_repo.latest_suggestion(self._engine, conv.pk)
            if latest is not None:
                await self._publisher.suggestions(conv.assignee_id, conv.external_id, *latest)


def _awaiting_reply(item: Stored) -> bool:
    conv = item.conversation
    if conv is None or conv.last_customer_at is None or not conv.is_open:
        return False
    return conv.last_agent_at is None or conv.last_customer_at > conv.last_agent_at
