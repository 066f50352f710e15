"""What people do to a conversation over HTTP: an agent replies or closes it, a
supervisor hands it to another agent, a console checks a draft for forbidden phrases
before sending it."""

from __future__ import annotations

import time
import uuid
from typing import Annotated

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, StrictInt, ValidationError

from bot.auth import PRINCIPAL, in_scope, roles, scope_of
from bot.errors import BadRequest, Conflict, Forbidden
from bot.http.conversations import may_see, one_conversation
from bot.http.params import body
from bot.http.qa import QA
from bot.keys import ENGINE, PIPELINE, SETTINGS
from bot.payloads import iso
from bot.replies import ReplyIn, record_reply
from bot.schemas import Ident, validation_details
from monitors import rules
from monitors.events import ChatEvent, EventType
from storage import queries, satisfaction


class AssignIn(BaseModel):
    """``POST /api/v1/conversations/{id}/assign`` body."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    agent_id: Ident
    channel: Annotated[str, Field(min_length=1, max_length=64)] | None = None


class CheckIn(BaseModel):
    """``POST /api/v1/replies/check`` body: a draft reply."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    text: Annotated[str, Field(max_length=20_000)]


@roles("supervisor", "group_leader", "admin")
async def assign(request: web.Request) -> web.Response:
    """A supervisor hands a conversation to another agent: stored as a
    ``conversation.assigned`` event through the pipeline, so the agent gets it live, with
    the suggestions for the customer's latest message."""
    assignment = await body(request, AssignIn, "assignment")
    conv = await one_conversation(request, request.match_info["id"], assignment.channel)
    engine = request.app[ENGINE]
    agent_id = assignment.agent_id
    if agent_id not in request.app[SETTINGS].auth.agent_ids() and not await queries.agent_known(
        engine, agent_id
    ):
        raise BadRequest("unknown agent", {"agent_id": agent_id})
    in_scope(scope_of(request), conv, agent_id)
    now = time.time()
    event = ChatEvent(
        id=f"rw-assign-{uuid.uuid4()}",
        channel=conv.channel,
        type=EventType.ASSIGNED,
        ts=now,
        received_at=now,
        conversation_id=conv.external_id,
        agent_id=agent_id,
    )
    await request.app[PIPELINE].handle([event])
    return web.json_response(
        {
            "conversation_id": conv.external_id,
            "channel": conv.channel,
            "agent_id": agent_id,
            "previous_agent_id": conv.assignee_id,
            "event_id": event.id,
        }
    )


class CloseIn(BaseModel):
    """``POST /api/v1/conversations/{id}/close`` body (``{}``; ``channel`` when ids repeat)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    channel: Annotated[str, Field(min_length=1, max_length=64)] | None = None


@roles("agent", "supervisor", "group_leader", "admin")
async def close_conversation(request: web.Request) -> web.Response:
    """The conversation's agent (or a supervisor) closes it: a ``conversation.closed``
    event through the pipeline, so its open turn ends and the survey goes out (with
    ``[csat] survey_script``). 409 when it is closed already."""
    given = await body(request, CloseIn, "close")
    conv = await one_conversation(request, request.match_info["id"], given.channel)
    principal = request[PRINCIPAL]
    if principal.role == "agent" and conv.assignee_id != principal.agent_id:
        raise Forbidden("only the conversation's agent (or a supervisor) may close it")
    if not may_see(principal, conv, scope_of(request)):
        raise Forbidden("this conversation is outside your groups")
    if not conv.is_open:
        raise Conflict("conversation is closed already")
    now = time.time()
    event = ChatEvent(
        id=f"rw-close-{uuid.uuid4()}",
        channel=conv.channel,
        type=EventType.CLOSED,
        ts=now,
        received_at=now,
        conversation_id=conv.external_id,
        agent_id=principal.agent_id,
    )
    await request.app[PIPELINE].handle([event])
    payload = {"conversation_id": conv.external_id, "channel": conv.channel}
    return web.json_response(payload | {"status": "closed", "event_id": event.id})


class RatingIn(BaseModel):
    """``POST /api/v1/conversations/{id}/rating`` body."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    rating: Annotated[StrictInt, Field(ge=1, le=5)]
    channel: Annotated[str, Field(min_length=1, max_length=64)] | None = None


@roles("integration", "admin")
async def rate_conversation(request: web.Request) -> web.Response:
    """An integration's satisfaction rating of a closed conversation (its platform's own
    survey or buttons): 201; 409 while it is open or when that close is rated already."""
    given = await body(request, RatingIn, "rating")
    conv = await one_conversation(request, request.match_info["id"], given.channel)
    now = time.time()
    current, stored = await satisfaction.post(request.app[ENGINE], conv.pk, given.rating, now)
    if current is None or current.is_open:
        raise Conflict("conversation is open: a rating follows a close")
    if not stored:
        raise Conflict("this close of the conversation is rated already")
    answer = {
        "conversation_id": conv.external_id,
        "channel": conv.channel,
        "rating": given.rating,
        "agent_id": current.assignee_id,
        "at": iso(now),
    }
    return web.json_response(answer, status=201)


@roles("agent", *QA)
async def check_reply(request: web.Request) -> web.Response:
    """Whether a draft holds a forbidden phrase (the same check QA's alerts use)."""
    draft = await body(request, CheckIn, "draft")
    thresholds = request.app[SETTINGS].rules()
    return web.json_response({"phrase": rules.forbidden_phrase(draft.text, thresholds)})


class HttpReplyIn(BaseModel):
    """``POST /api/v1/conversations/{id}/reply`` body."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    text: str
    script_id: str | None = None
    channel: str | None = None
    id: str | None = None


@roles("agent")
async def post_reply(request: web.Request) -> web.Response:
    """An agent's reply over HTTP, exactly as the Socket.IO ``reply``: stored, then sent
    out through the conversation's channel; 201 (200 for a repeated ``id``)."""
    agent_id = request[PRINCIPAL].agent_id
    given = await body(request, HttpReplyIn, "reply")
    try:
        reply = ReplyIn(conversation_id=request.match_info["id"], **given.model_dump())
    except ValidationError as exc:
        raise BadRequest("invalid reply", validation_details(exc)) from exc
    if agent_id is None:  # agent tokens always carry one (settings check)
        raise Forbidden("token has no agent_id")
    ack = await record_reply(request.app, agent_id, reply)
    return web.json_response(ack, status=200 if ack["duplicate"] else 201)


routes = [
    web.post("/api/v1/conversations/{id}/reply", post_reply),
    web.post("/api/v1/conversations/{id}/assign", assign),
    web.post("/api/v1/conversations/{id}/close", close_conversation),
    web.post("/api/v1/conversations/{id}/rating", rate_conversation),
    web.post("/api/v1/replies/check", check_reply),
]
