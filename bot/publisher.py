"""Live pushes of stored events to the agents and supervisors who should see them
(alerts go through :class:`bot.delivery.alerts.AlertDispatch`, which uses this)."""

from __future__ import annotations

from typing import Any

import socketio

from bot.availability import Availability
from bot.directory import Directory
from bot.payloads import (
    agent_status_payload,
    conversation_payload,
    message_payload,
    turn_payload,
    visitor_line,
)
from bot.rooms import (
    AGENT_NS,
    CUSTOMER_NS,
    SUPERVISOR_NS,
    SUPERVISORS_ROOM,
    agent_room,
    group_room,
    visitor_room,
)
from monitors.events import ChatEvent, EventType, SenderRole
from storage.ingest import Stored
from storage.state import ConversationState


class Publisher:
    """Pushes stored events to the agents and supervisors who should see them."""

    def __init__(
        self,
        sio: socketio.AsyncServer,
        directory: Directory | None = None,
        web_channel: str | None = None,
        names: dict[str, str] | None = None,
    ) -> None:
        self._sio = sio
        self._directory = directory or Directory()
        self._web_channel = web_channel
        self._names = names or {}
        self._availability: Availability | None = None

    def tell_visitors(self, availability: Availability) -> None:
        """Tell the web chat's visitors the availability when an agent's status changes."""
        self._availability = availability

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
            if self._availability is not None:  # set only with the web chat on
                await self._availability.announce()
        if event.channel == self._web_channel and conv is not None:
            await self._to_visitor(stored)

    async def _to_visitor(self, stored: Stored) -> None:
        """The web chat customer sees their conversation's messages, and who serves them."""
        event, conv = stored.event, stored.conversation
        room = visitor_room(event.conversation_id or "")
        if event.type is EventType.MESSAGE:
            payload = visitor_line(event, self.name_of(event))
            await self._sio.emit("message", payload, room=room, namespace=CUSTOMER_NS)
        elif event.type is EventType.ASSIGNED and conv is not None and conv.assignee_id:
            joined = {"name": self._names.get(conv.assignee_id, conv.assignee_id)}
            await self._sio.emit("agent", joined, room=room, namespace=CUSTOMER_NS)

    def name_of(self, event: ChatEvent) -> str | None:
        """The name the customer sees for an agent's message (the roster's, else the
        message's own); None for the customer's and automatic messages."""
        if event.sender_role is not SenderRole.AGENT:
            return None
        return self._names.get(event.sender_id or "", event.sender_name or event.sender_id)

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
