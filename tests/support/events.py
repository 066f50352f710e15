"""The tests' one event vocabulary: what happens in a chat, as an integration posts it
to ``POST /api/v1/events`` (a customer says..., alice replies..., the chat is assigned...).

Storage-level tests use the same builders and turn them into typed events with
:func:`typed`, through the API's own schema, so both levels speak alike.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from bot.schemas import EventIn
from monitors.events import ChatEvent

Event = dict[str, Any]


def _when(ts: float | str | None) -> Event:
    return {} if ts is None else {"ts": ts}


def customer_says(
    mid: str,
    conv: str = "c1",
    text: str = "你好",
    *,
    name: str | None = None,
    ts: float | str | None = None,
    **extra: Any,
) -> Event:
    """The customer of ``conv`` (``u-<conv>``) writes ``text``."""
    sender = {"role": "customer", "id": f"u-{conv}", **({"name": name} if name else {})}
    return {"id": mid, "conversation_id": conv, "sender": sender, "text": text} | _when(ts) | extra


def agent_replies(
    mid: str,
    agent: str,
    conv: str = "c1",
    text: str = "您好",
    *,
    name: str | None = None,
    ts: float | str | None = None,
    **extra: Any,
) -> Event:
    """Agent ``agent`` answers in ``conv``."""
    sender = {"role": "agent", "id": agent, **({"name": name} if name else {})}
    return {"id": mid, "conversation_id": conv, "sender": sender, "text": text} | _when(ts) | extra


def bot_says(
    mid: str, conv: str = "c1", text: str = "自动回复", *, ts: float | None = None
) -> Event:
    """The shop's bot writes (it neither starts nor ends a turn)."""
    sender = {"role": "bot", "id": "shop-bot"}
    return {"id": mid, "conversation_id": conv, "sender": sender, "text": text} | _when(ts)


def assigned(
    conv: str,
    agent: str,
    mid: str | None = None,
    *,
    ts: float | str | None = None,
    **extra: Any,
) -> Event:
    """The chat ``conv`` is routed to ``agent``."""
    event = {"id": mid or f"assign-{conv}-{agent}", "type": "conversation.assigned"}
    return event | {"conversation_id": conv, "agent_id": agent} | _when(ts) | extra


def closed(conv: str, mid: str | None = None, *, ts: float | None = None) -> Event:
    """The chat ``conv`` is closed."""
    event = {"id": mid or f"close-{conv}", "type": "conversation.closed"}
    return event | {"conversation_id": conv} | _when(ts)


def agent_status(agent: str, status: str, mid: str, *, ts: float | None = None) -> Event:
    """``agent`` goes online, away or offline."""
    return {"id": mid, "type": "agent.status", "agent_id": agent, "status": status} | _when(ts)


def typed(*events: Event) -> list[ChatEvent]:
    """The events as the pipeline sees them, validated by the API's schema; their times
    are kept as given (not clamped to now) and they arrive when they happen."""
    out = []
    for event in events:
        chat = EventIn.model_validate(event).to_event(now=float("inf"))
        out.append(dataclasses.replace(chat, received_at=chat.ts))
    return out
