"""Conversations over HTTP: the open ones (a console's list) and a transcript.

Agents see and answer only their own conversations and unassigned ones; supervisors,
QA and admins see every conversation.
"""

from __future__ import annotations

import time
from typing import Annotated, Any

from aiohttp import web
from pydantic import Field

from bot.auth import PRINCIPAL, roles, scope_of
from bot.directory import EVERYTHING, Scope
from bot.errors import Conflict, Forbidden, NotFound
from bot.http.params import Query, query
from bot.http.qa import QA
from bot.keys import ENGINE, SETTINGS
from bot.payloads import flag_payload, iso, rules_json, turn_json
from bot.principals import Principal
from bot.schemas import Ident
from bot.settings import QaSettings
from storage import conversations, deliveries, flags, library_repo, qa_repo, satisfaction
from storage.alerts import Alert
from storage.conversations import OpenConversation
from storage.deliveries import DeliveryStatus
from storage.flags import Flag
from storage.qa_repo import Message, TurnRecord
from storage.queries import conversations_by_external_id
from storage.state import ConversationState


class ListQuery(Query):
    """``GET /api/v1/conversations`` parameters."""

    agent_id: Ident | None = None
    unassigned: bool = False
    limit: Annotated[int, Field(ge=1, le=2000)] = 500


async def one_conversation(
    request: web.Request, conversation_id: str, channel: str | None
) -> ConversationState:
    """The conversation with this id (404 when none; 409 when several channels use it)."""
    found = await conversations_by_external_id(request.app[ENGINE], conversation_id, channel)
    if not found:
        raise NotFound("no such conversation")
    if len(found) > 1:
        raise Conflict(
            "conversation id is ambiguous: pass channel",
            {"channels": [c.channel for c in found]},
        )
    return found[0]


def may_see(principal: Principal, conv: ConversationState, scope: Scope = EVERYTHING) -> bool:
    """Agents see their own and unassigned conversations; group leaders their groups';
    other roles all."""
    if principal.role == "agent":
        return conv.assignee_id is None or conv.assignee_id == principal.agent_id
    return scope.conversation(conv.assignee_id, conv.group_name)


def _open_json(conv: OpenConversation, now: float) -> dict[str, Any]:
    turn, last = conv.turn, conv.last
    return {
        "conversation_id": conv.conversation_id,
        "channel": conv.channel,
        "agent_id": conv.agent_id,
        "customer": {"id": conv.customer_id, "name": conv.customer_name},
        "opened_at": iso(conv.opened_at),
        "updated_at": iso(conv.updated_at),
        "waiting": None
        if turn is None
        else turn_json(turn)
        | {
            "waited_seconds": round(max(0.0, now - turn.started_at), 3),
            "overdue": now > turn.due_at,
        },
        "last_message": None
        if last is None
        else {
            "id": last.id,
            "role": last.role,
            "name": last.sender_name,
            "text": last.text,
            "ts": iso(last.ts),
        },
    }


@roles("agent", *QA)
async def list_conversations(request: web.Request) -> web.Response:
    """Open conversations, customers waiting longest first; an agent gets their own."""
    params = query(request, ListQuery)
    principal = request[PRINCIPAL]
    agent_id = params.agent_id
    if principal.role == "agent":
        if agent_id not in (None, principal.agent_id) or params.unassigned:
            raise Forbidden("agents list only their own conversations")
        agent_id = principal.agent_id
    now = time.time()
    async with request.app[ENGINE].connect() as conn:
        found = await conversations.open_conversations(
            conn, agent_id, unassigned=params.unassigned, limit=params.limit
        )
    scope = scope_of(request)
    found = [c for c in found if scope.agent(c.agent_id)]
    return web.json_response(
        {
            "items": [_open_json(c, now) for c in found],
            "at": iso(now),
            "rules": rules_json(request.app[SETTINGS].monitor),
        }
    )


class ConversationQuery(Query):
    """``GET /api/v1/conversations/{id}`` parameters."""

    channel: Annotated[str, Field(min_length=1, max_length=64)] | None = None


@roles("agent", *QA)
async def conversation(request: web.Request) -> web.Response:
    """The transcript: each message with its turn's response time, alerts and flags."""
    params = query(request, ConversationQuery)
    engine = request.app[ENGINE]
    conv = await one_conversation(request, request.match_info["id"], params.channel)
    if not may_see(request[PRINCIPAL], conv, scope_of(request)):
        raise Forbidden("this conversation is another agent's, or outside your groups")
    messages, turns = await qa_repo.transcript(engine, conv.pk)
    latest = await library_repo.latest_suggestion(engine, conv.pk)
    alert_rows = await qa_repo.alerts(
        engine, qa_repo.AlertFilter(conversation_pk=conv.pk), after=None, limit=10_000
    )
    flag_rows = await flags.flags(engine, flags.FlagFilter(conversation_pk=conv.pk))
    sent_out = await deliveries.of_events(engine, [m.pk for m in messages])
    ratings = await satisfaction.of_conversation(engine, conv.pk)
    qa = request.app[SETTINGS].qa
    return web.json_response(
        {
            "conversation": {
                "id": conv.external_id,
                "channel": conv.channel,
                "status": conv.status,
                "agent_id": conv.assignee_id,
                "customer_id": conv.customer_id,
                "opened_at": iso(conv.opened_at),
                "closed_at": iso(conv.closed_at),
            },
            "messages": _annotated(messages, turns, alert_rows, flag_rows, sent_out, qa),
            "flags": [flag_payload(f, qa) for f in flag_rows],
            "turns": [_turn_json(t) for t in turns],
            "ratings": [_rating_json(r) for r in ratings],
            "suggestions": None
            if latest is None
            else {"message_id": latest.message_id, "items": latest.items},
        }
    )


def _rating_json(rating: Any) -> dict[str, Any]:
    return {
        "rating": rating.rating,
        "agent_id": rating.agent_id,
        "at": iso(rating.at),
        "message_id": rating.external_id,
    }


def _turn_json(turn: TurnRecord) -> dict[str, Any]:
    return {
        "message_id": turn.message_id,
        "started_at": iso(turn.started_at),
        "agent_id": turn.agent_id,
        "concurrency": turn.concurrency,
        "deadline_seconds": turn.deadline_seconds,
        "warn_at": iso(turn.warn_at),
        "due_at": iso(turn.due_at),
        "unanswered_at": iso(turn.unanswered_at),
        "ended_at": iso(turn.ended_at),
        "end_reason": turn.end_reason,
        "reply_message_id": turn.reply_message_id,
        "replied_by": turn.replied_by,
        "response_seconds": turn.response_seconds,
    }


def _delivery_json(status: DeliveryStatus) -> dict[str, Any]:
    return {
        "state": status.state,
        "attempts": status.attempts,
        "error": status.error,
        "remote_id": status.remote_id,
    }


def _annotated(
    messages: list[Message],
    turns: list[TurnRecord],
    alerts: list[Alert],
    flags: list[Flag],
    sent_out: dict[int, DeliveryStatus],
    qa: QaSettings,
) -> list[dict[str, Any]]:
    by_start = {t.message_id: t for t in turns}
    out, current = [], None
    for m in messages:
        item: dict[str, Any] = {
            "id": m.external_id,
            "sender": {"role": m.sender_role, "id": m.sender_id, "name": m.sender_name},
            "text": m.text,
            "ts": iso(m.ts),
            "alerts": [
                {"id": a.id, "kind": a.kind.value} for a in alerts if a.message_id == m.external_id
            ],
            "flags": [flag_payload(f, qa) for f in flags if f.message_id == m.external_id],
        }
        if m.pk in sent_out:
            item["delivery"] = _delivery_json(sent_out[m.pk])
        if m.external_id in by_start:
            current = by_start[m.external_id]
        if m.sender_role == "customer" and current is not None:
            item["turn_id"] = current.message_id
            if current.message_id == m.external_id:
                item["deadline_seconds"] = current.deadline_seconds
                item["response_seconds"] = current.response_seconds
        if current is not None and m.external_id == current.reply_message_id:
            current = None
        out.append(item)
    return out


routes = [
    web.get("/api/v1/conversations", list_conversations),
    web.get("/api/v1/conversations/{id}", conversation),
]
