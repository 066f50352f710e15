"""JSON shapes the gateway sends out (HTTP answers and Socket.IO events)."""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from typing import Any

from bot.settings import MonitorSettings
from monitors.events import ChatEvent
from monitors.rules import FLAGGED, FOR_AGENT, AlertKind, Turn
from storage.alerts import Alert
from storage.ingest import Stored


def iso(ts: float | None) -> str | None:
    """Epoch seconds as ISO 8601 UTC with milliseconds (``2026-11-22T11:02:19.123Z``)."""
    if ts is None:
        return None
    return _iso(ts)


@functools.lru_cache(maxsize=32_768)
def _iso(ts: float) -> str:
    # Cached: the live views repeat the same turn times on every poll.
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def turn_payload(turn: Turn | None) -> dict[str, Any] | None:
    """The turn a customer is waiting in (None when nobody waits)."""
    return None if turn is None else turn_json(turn)


def turn_json(turn: Turn) -> dict[str, Any]:
    """An open turn: whose message started it, when, and its fixed deadline."""
    return {
        "message_id": turn.message_id,
        "since": iso(turn.started_at),
        "deadline_seconds": turn.deadline_seconds,
        "concurrency": turn.concurrency,
        "warn_at": iso(turn.warn_at),
        "due_at": iso(turn.due_at),
    }


def message_payload(event: ChatEvent) -> dict[str, Any]:
    """A stored message as clients see it."""
    payload: dict[str, Any] = {
        "id": event.id,
        "channel": event.channel,
        "conversation_id": event.conversation_id,
        "sender": {"role": event.sender_role, "id": event.sender_id, "name": event.sender_name},
        "text": event.text,
        "ts": iso(event.ts),
    }
    if event.script_id:
        payload["script_id"] = event.script_id
    return payload


def conversation_payload(stored: Stored) -> dict[str, Any]:
    """Conversation change notices (assigned, closed)."""
    conv = stored.conversation
    previous = stored.previous
    return {
        "conversation_id": stored.event.conversation_id,
        "channel": stored.event.channel,
        "status": conv.status if conv else None,
        "agent_id": conv.assignee_id if conv else None,
        "previous_agent_id": previous.assignee_id if previous else None,
        "ts": iso(stored.event.ts),
    } | _why(stored.event)


def _why(event: ChatEvent) -> dict[str, Any]:
    """Why ReplyWatch made an assignment, and a transfer's note and who made it."""
    if not event.reason:
        return {}
    if event.reason == "transfer":
        return {"reason": event.reason, "note": event.text, "by": event.sender_id}
    return {"reason": event.reason}


def agent_status_payload(event: ChatEvent) -> dict[str, Any]:
    """An agent's status change, for supervisors (``ts`` is ``at``'s older name)."""
    at = iso(event.ts)
    return {
        "agent_id": event.agent_id,
        "status": event.status,
        "at": at,
        "reason": event.reason,
        "ts": at,
    }


def alert_payload(alert: Alert) -> dict[str, Any]:
    """The contract's alert object (docs/socketio.md); ``response_seconds`` only when known."""
    payload: dict[str, Any] = {
        "id": alert.id,
        "kind": alert.kind.value,
        "conversation_id": alert.conversation_id,
        "message_id": alert.message_id,
        "agent_id": alert.agent_id,
        "deadline_seconds": alert.deadline_seconds,
        "waited_seconds": alert.waited_seconds,
        "at": iso(alert.at),
        "channel": alert.channel,
    }
    if alert.response_seconds is not None:
        payload["response_seconds"] = alert.response_seconds
    if alert.note is not None:
        payload["note"] = alert.note
    payload["acknowledged_by"] = alert.acknowledged_by
    payload["acknowledged_at"] = iso(alert.acknowledged_at)
    return payload


def rules_json(monitor: MonitorSettings) -> dict[str, Any]:
    """The response-time rules a console shows deadlines and tiers by, and the alert
    kinds (every one, those an agent is sent, those that reach QA review), so the pages
    never keep lists of their own."""
    return {
        "reply_seconds": monitor.reply_seconds,
        "busy_reply_seconds": monitor.busy_reply_seconds,
        "busy_concurrency": monitor.busy_concurrency,
        "warn_ratio": monitor.warn_ratio,
        "alert_kinds": {
            "all": [str(kind) for kind in AlertKind],
            "for_agent": [str(kind) for kind in AlertKind if kind in FOR_AGENT],
            "flagged": [str(kind) for kind in AlertKind if kind in FLAGGED],
        },
    }
