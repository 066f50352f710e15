"""JSON shapes the gateway sends out (HTTP answers and Socket.IO events)."""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from typing import Any

from bot.settings import MonitorSettings, QaSettings
from monitors.events import ChatEvent
from monitors.rules import FLAGGED, FOR_AGENT, AlertKind, Turn
from monitors.satisfaction import SURVEY
from storage.alerts import Alert
from storage.flags import Flag, Step
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


def visitor_line(event: ChatEvent, name: str | None) -> dict[str, Any]:
    """A web chat message as its customer sees it: no agent ids, no scripts (``survey``:
    the satisfaction question, which the page answers with buttons)."""
    role = event.sender_role.value if event.sender_role else "customer"
    return customer_view(event.id, role, name, event.text or "", event.ts, event.reason == SURVEY)


def customer_view(
    message_id: str, role: str, name: str | None, text: str, ts: float, survey: bool
) -> dict[str, Any]:
    """The one shape of a message the web chat's page gets (pushed or in ``history``)."""
    return {
        "id": message_id,
        "role": role,
        "name": name,
        "text": text,
        "ts": iso(ts),
        "survey": survey,
    }


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


def flag_payload(flag: Flag, qa: QaSettings, history: list[Step] | None = None) -> dict[str, Any]:
    """A flag as the contract's flag object: its review and appeal once there, the
    category it is scored by, what it counts and until when it may be appealed."""
    category = qa.by_id(flag.category) if flag.category else qa.for_kind(flag.kind)
    timing = flag.timing
    data: dict[str, Any] = {
        "id": flag.id,
        "kind": flag.kind,
        "category": category.id if category else flag.category,
        "category_name": category.name if category else None,
        "default_points": category.points if category else None,
        "demerit": bool(category and category.demerit),
        "conversation_id": flag.conversation_id,
        "message_id": flag.message_id,
        "agent_id": flag.agent_id,
        "channel": flag.channel,
        "status": flag.status,
        "created_at": iso(flag.created_at),
        "created_by": flag.created_by,
        "at": iso(flag.at),
        "note": flag.description,
        "deadline_seconds": timing.deadline_seconds if timing else None,
        "waited_seconds": timing.waited_seconds if timing else None,
        "response_seconds": timing.response_seconds if timing else None,
        "counted_points": flag.counted,
        "appeal_until": None,
        "review": None,
        "appeal": None,
    }
    review, appeal = flag.review, flag.appeal
    if review is not None:
        data["review"] = {
            "verdict": review.verdict,
            "note": review.note,
            "points": review.points,
            "reviewer": review.reviewer,
            "at": iso(review.reviewed_at),
            "reviewed_at": iso(review.reviewed_at),
        }
        if review.verdict == "confirmed" and appeal is None:
            data["appeal_until"] = iso(review.reviewed_at + qa.appeal_window_seconds)
    if appeal is not None:
        data["appeal"] = {
            "reason": appeal.reason,
            "at": iso(appeal.at),
            "decision": appeal.decision,
            "note": appeal.note,
            "points": appeal.points,
            "decided_by": appeal.decided_by,
            "decided_at": iso(appeal.decided_at),
        }
    if history is not None:
        data["history"] = [
            {
                "at": iso(s.at),
                "actor": s.actor,
                "action": s.action,
                "verdict": s.verdict,
                "points": s.points,
                "note": s.note,
            }
            for s in history
        ]
    return data
