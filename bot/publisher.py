"""Live pushes of stored events to the agents and supervisors who should see them
(alerts go through :class:`bot.delivery.alerts.AlertDispatch`, which uses this)."""

from __future__ import annotations

from typing import Any

import socketio

from bot.directory import Directory
from bot.payloads import (
    agent_status_payload,
    conversation_payload,
    message_payload,
    turn_payload,
)
from bot.rooms import AGENT_NS, SUPERVISOR_NS, SUPERVISORS_ROOM, agent_room, group_room
from monitors.events import EventType
from storage.ingest import Stored
from storage.state import ConversationState


class Publisher:
    """Pushes stored events to the agents and supervisors who should see them."""

    def __init__(self, sio: socketio.AsyncServer, directory: Directory | None = None) -> None:
        self._sio = sio
        self._directory = directory or Directory()

    async def publish(self, stored: Stored) -> None:
        """Emit the live notices for one newly stored event."""
        event = stored.event
        conv = stored.conversation
        if event.type is EventType.MESSAGE and conv and conv.assignee_id:
            payload = message_payload(event) | {"turn": turn_payload(stored.turn)}
            if stored.rating is not None:  # the customer's answer to the survey
                payload["rating"] = stored.rating
            await self.to_agent(conv.assignee_id, "message", payload)
        elif event.type in (EventType.ASSIGNED, EventType.CLOSED) and conv:
            payload = conversation_payload(stored)
            targets = {conv.assignee_id, stored.previous.assignee_id if stored.previous else None}
            for agent_id in sorted(t for t in targets if t):
                await self.to_agent(agent_id, event.type.value, payload)
        elif event.type is EventType.AGENT_STATUS:
            payload = agent_status_payload(event)
            await self.to_supervisors("agent.status", payload, event.agent_id)
            if event.agent_id:  # the agent's own consoles show it (and "away: no new chats")
                await self.to_agent(event.agent_id, "agent.status", payload)

    async def resolved(self, stored: Stored) -> None:
        """Tell the agents concerned that a reply answered the turn they were alerted about."""
        done, conv = stored.resolved, stored.conversation
        if done is None or conv is None:
            return
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
        self, agent_id: str, conv: ConversationState, message_id: str, items: list[Any]
    ) -> None:
        """Push suggested replies for a customer message to the conversation's agent."""
        payload = {
            "conversation_id": conv.external_id,
            "channel": conv.channel,
            "message_id": message_id,
            "items": items,
        }
        await self.to_agent(agent_id, "suggestions", payload)

    async def to_agent(self, agent_id: str, name: str, payload: dict[str, Any]) -> None:
        """Emit to every connection of one agent."""
        await self._sio.emit(name, payload, room=agent_room(agent_id), namespace=AGENT_NS)

    async def to_supervisors(
        self, name: str, payload: dict[str, Any], agent_id: str | None = None
    ) -> None:
        """Emit to everyone who sees the whole team, and to the leaders of the groups the
        agent concerned belongs to."""
        rooms = [SUPERVISORS_ROOM]
        rooms += [group_room(g) for g in sorted(self._directory.groups_of(agent_id))]
        await self._sio.emit(name, payload, room=rooms, namespace=SUPERVISOR_NS)
