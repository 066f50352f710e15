"""Live pushes of stored events to the agents and supervisors who should see them."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import socketio

from bot.events import EventType
from bot.payloads import (
    agent_status_payload,
    alert_payload,
    conversation_payload,
    message_payload,
)
from bot.reminders import OverdueMerger
from bot.settings import AlertsSettings
from bot.webhooks import Webhooks
from monitors.rules import FOR_AGENT, FOR_SUPERVISORS, AlertKind
from storage.alerts import AlertRecord
from storage.ingest import Stored

log = logging.getLogger(__name__)
AGENT_NS = "/agent"
SUPERVISOR_NS = "/supervisor"


def agent_room(agent_id: str) -> str:
    """The room an agent's connections join."""
    return f"agent:{agent_id}"


class Publisher:
    """Pushes stored events to the agents and supervisors who should see them."""

    def __init__(
        self, sio: socketio.AsyncServer, settings: AlertsSettings, webhooks: Webhooks
    ) -> None:
        self._sio = sio
        self._webhooks = webhooks
        self._overdue = OverdueMerger(settings.merge_overdue_seconds, self._show_overdue)

    async def close(self) -> None:
        """Stop holding merged reminders."""
        await self._overdue.close()

    async def publish(self, stored: Stored) -> None:
        """Emit the live notices for one newly stored event."""
        event = stored.event
        conv = stored.conversation
        if event.type is EventType.MESSAGE and conv and conv.assignee_id:
            await self.to_agent(conv.assignee_id, "message", message_payload(event))
        elif event.type in (EventType.ASSIGNED, EventType.CLOSED) and conv:
            payload = conversation_payload(stored)
            targets = {conv.assignee_id, stored.previous.assignee_id if stored.previous else None}
            for agent_id in sorted(t for t in targets if t):
                await self.to_agent(agent_id, event.type.value, payload)
        elif event.type is EventType.AGENT_STATUS:
            await self.to_supervisors("agent.status", agent_status_payload(event))

    async def alerts(self, records: Sequence[AlertRecord]) -> None:
        """Deliver newly recorded alerts: each to supervisors (all but warnings) and
        webhooks; warnings to their agent, overdue reminders to their agent merged
        (:mod:`bot.reminders`). A failed push is logged; the others still go out."""
        overdue: dict[str, list[AlertRecord]] = defaultdict(list)
        for record in records:
            if record.kind is AlertKind.OVERDUE and record.agent_id is not None:
                overdue[record.agent_id].append(record)
            try:
                await self._deliver(record)
            except Exception:
                log.exception("could not deliver alert %s", record.id)
        for agent_id, group in overdue.items():
            try:
                await self._overdue.offer(agent_id, group)
            except Exception:
                log.exception("could not deliver overdue reminders to %s", agent_id)

    async def _deliver(self, record: AlertRecord) -> None:
        payload = alert_payload(record)
        self._webhooks.send("alert", payload, kind=record.kind.value)
        if record.kind in FOR_SUPERVISORS:
            await self.to_supervisors("alert", payload)
        if record.kind in FOR_AGENT and record.kind is not AlertKind.OVERDUE and record.agent_id:
            await self.to_agent(record.agent_id, "alert", payload)

    async def _show_overdue(self, agent_id: str, records: list[AlertRecord]) -> None:
        payload = alert_payload(records[0])
        if len(records) > 1:
            payload["count"] = len(records)
            payload["merged"] = [alert_payload(record) for record in records]
        await self.to_agent(agent_id, "alert", payload)

    async def resolved(self, stored: Stored) -> None:
        """Tell the agents concerned that a reply answered the turn they were alerted about."""
        done, conv = stored.resolved, stored.conversation
        if done is None or conv is None:
            return
        self._overdue.discard((stored.event.channel, conv.external_id, done.message_id))
        payload = {
            "conversation_id": conv.external_id,
            "message_id": done.message_id,
            "kinds": [kind.value for kind in done.kinds],
            "reply_id": stored.event.id,
            "response_seconds": done.response_seconds,
        }
        agents = {a for a in (conv.assignee_id, stored.event.sender_id) if a is not None}
        for agent_id in sorted(agents):
            await self.to_agent(agent_id, "alert.resolved", payload)

    async def suggestions(
        self, agent_id: str, conversation_id: str, message_id: str, items: list[Any]
    ) -> None:
        """Push suggested replies for a customer message to the conversation's agent."""
        payload = {"conversation_id": conversation_id, "message_id": message_id, "items": items}
        await self.to_agent(agent_id, "suggestions", payload)

    async def to_agent(self, agent_id: str, name: str, payload: dict[str, Any]) -> None:
        """Emit to every connection of one agent."""
        await self._sio.emit(name, payload, room=agent_room(agent_id), namespace=AGENT_NS)

    async def to_supervisors(self, name: str, payload: dict[str, Any]) -> None:
        """Emit to every supervisor, QA and admin connection."""
        await self._sio.emit(name, payload, namespace=SUPERVISOR_NS)
