"""The one typed chat event every channel produces.

Adapters turn vendor payloads into :class:`ChatEvent` at the boundary; nothing
after them knows which platform an event came from. It lives here, in the
domain, so that the rules and storage below the gateway can use it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class EventType(StrEnum):
    """What an event does to a conversation."""

    MESSAGE = "message"
    ASSIGNED = "conversation.assigned"
    CLOSED = "conversation.closed"
    AGENT_STATUS = "agent.status"


class SenderRole(StrEnum):
    """Who wrote a message."""

    CUSTOMER = "customer"
    AGENT = "agent"
    BOT = "bot"


@dataclass(frozen=True, slots=True)
class ChatEvent:
    """One chat event, platform-neutral; ``ts`` and ``received_at`` are epoch seconds."""

    id: str
    channel: str
    type: EventType
    ts: float
    received_at: float
    conversation_id: str | None = None
    sender_role: SenderRole | None = None
    sender_id: str | None = None
    sender_name: str | None = None
    text: str | None = None
    agent_id: str | None = None
    status: str | None = None
    script_id: str | None = None
    #: An agent reply given to ReplyWatch that must be sent out through its IM channel.
    deliver: bool = False
    #: Why ReplyWatch made this assignment ("escalation").
    reason: str | None = None
    #: The team the conversation belongs to (routing), when the channel says.
    group: str | None = None

    @property
    def key(self) -> tuple[str, str]:
        """The idempotency key: an id is unique within its channel."""
        return (self.channel, self.id)


def assignment(
    event_id: str,
    channel: str,
    conversation_id: str | None,
    agent_id: str,
    ts: float,
    reason: str,
    **more: str | None,
) -> ChatEvent:
    """A ``conversation.assigned`` event ReplyWatch makes (routing, handover, transfer)."""
    return ChatEvent(
        id=event_id,
        channel=channel,
        type=EventType.ASSIGNED,
        ts=ts,
        received_at=ts,
        conversation_id=conversation_id,
        agent_id=agent_id,
        reason=reason,
        **more,  # type: ignore[arg-type]
    )
