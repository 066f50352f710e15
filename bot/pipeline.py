"""The single entry point for events: store (group commit), notify, then suggest."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.automation import Automation
from bot.delivery.alerts import AlertDispatch
from bot.metrics import Metrics
from bot.publisher import Publisher
from bot.suggester import Suggester
from monitors.events import ChatEvent, EventType, SenderRole
from storage import library_repo
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


def _asks(item: Stored) -> bool:
    """A customer's question (not their answer to the survey): it gets suggestions."""
    event = item.event
    return (
        event.type is EventType.MESSAGE
        and event.sender_role is SenderRole.CUSTOMER
        and bool(event.text)
        and item.rating is None
    )


class Pipeline:
    """Stores events durably, fans the new ones out live, then has them suggested."""

    def __init__(
        self,
        *,
        writer: GroupWriter,
        publisher: Publisher,
        alerts: AlertDispatch,
        metrics: Metrics,
        suggester: Suggester,
        engine: AsyncEngine,
        wake_sweeper: Callable[[float | None], None] = lambda _due_at: None,
        on_outgoing: Callable[[], None] = lambda: None,
        automation: Automation | None = None,
    ) -> None:
        self._automation = automation
        self._writer = writer
        self._publisher = publisher
        self._alerts = alerts
        self._metrics = metrics
        self._suggester = suggester
        self._engine = engine
        self._wake_sweeper = wake_sweeper
        self._on_outgoing = on_outgoing

    async def handle(self, events: Sequence[ChatEvent]) -> IngestResult:
        """Store ``events`` (returns after commit), notify, then offer the customer's
        messages for suggestions (:mod:`bot.suggester`: they follow the message).

        Raises ``storage.writer.StorageUnavailable`` when the commit fails; then
        nothing of ``events`` was acknowledged.
        """
        results = await self._writer.submit(events)
        stored = [r for r in results if r is not None]
        duplicates = len(results) - len(stored)
        self._metrics.count_events((item.event.type for item in stored), duplicates)
        due = [item.next_due_at for item in stored if item.next_due_at is not None]
        if due:
            self._wake_sweeper(min(due))
        if any(item.event.deliver for item in stored):
            self._on_outgoing()
        asks = [item for item in stored if _asks(item)]
        for item in stored:
            try:
                await self._notify(item, suggesting=_asks(item))
            except Exception:
                # Stored is what counts; a failed live push must not fail the ingest.
                log.exception("could not publish event %s/%s", *item.event.key)
        self._suggester.offer(asks)
        await self._automatic_replies(stored)
        return IngestResult(stored, duplicates)

    async def _automatic_replies(self, stored: list[Stored]) -> None:
        """Store (and so send) the welcome and offline lines the new messages call for.
        The customer's events are acknowledged already: a failure here is logged."""
        if self._automation is None:
            return
        replies = self._automation.replies(stored)
        if not replies:
            return
        try:
            await self.handle(replies)
        except Exception:
            log.exception("could not store %d automatic repl(ies)", len(replies))

    async def announce(self, stored: Sequence[Stored]) -> None:
        """Push events stored elsewhere (an escalation's assignment) as if just ingested:
        the agents concerned are told, and the new agent gets the waiting suggestions."""
        for item in stored:
            try:
                await self._notify(item)
            except Exception:
                log.exception("could not publish event %s/%s", *item.event.key)

    async def _notify(self, item: Stored, *, suggesting: bool = False) -> None:
        # The routing assignment before the message it routed; the suggestions for
        # that message follow it, so the assignment does not look up older ones.
        for caused in item.also:
            await self._notify(caused, suggesting=suggesting)
        await self._publisher.publish(item)
        await self._alerts.deliver(item.alerts)
        if item.resolved is not None and item.conversation is not None:
            self._alerts.answered(
                item.event.channel, item.conversation.external_id, item.resolved.message_id
            )
            await self._publisher.resolved(item)
        conv = item.conversation
        if conv is None or conv.assignee_id is None or suggesting:
            return
        if item.event.type is EventType.ASSIGNED and _awaiting_reply(item):
            found = await library_repo.latest_suggestion(self._engine, conv.pk)
            if found is not None:
                await self._publisher.suggestions(
                    conv.assignee_id, conv, found.message_id, found.items
                )


def _awaiting_reply(item: Stored) -> bool:
    conv = item.conversation
    if conv is None or conv.last_customer_at is None or not conv.is_open:
        return False
    return conv.last_agent_at is None or conv.last_customer_at > conv.last_agent_at
