"""Complaints over HTTP (投诉登记, DESIGN.md section 12): registered from a conversation,
acknowledged, resolved with a supervisor's approval (主管批示), followed up (回访)."""

from __future__ import annotations

import time
from typing import Annotated, Any, Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from bot.auth import PRINCIPAL, own_agent, roles, scope_of
from bot.errors import BadRequest, Conflict, Forbidden, NotFound
from bot.http.conversations import may_see, one_conversation
from bot.http.params import Query, body, decode_cursor, encode_cursor, path_id, query
from bot.keys import ENGINE, SETTINGS
from bot.payloads import iso
from bot.schemas import Ident
from monitors.complaints import deadlines, follow_up_by, overdue
from storage import complaints
from storage.complaints import STAGES, Complaint

Text = Annotated[str, Field(min_length=1, max_length=5000)]
Status = Literal["open", "acknowledged", "resolved", "followed_up"]
#: Who handles a complaint day to day (the agent: their own conversations').
HANDLERS = ("agent", "supervisor", "group_leader", "admin")


class ComplaintIn(BaseModel):
    """``POST /api/v1/complaints`` body."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    conversation_id: Annotated[str, Field(min_length=1, max_length=200)]
    channel: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    category: Annotated[str, Field(min_length=1, max_length=64)]
    summary: Text


class ResolutionIn(BaseModel):
    """``POST /api/v1/complaints/{id}/resolve`` body."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    resolution: Text


class FollowUpIn(BaseModel):
    """``POST /api/v1/complaints/{id}/follow-up`` body."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    note: Text


class ComplaintsQuery(Query):
    """``GET /api/v1/complaints`` parameters."""

    status: Status | None = None
    category: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    agent_id: Ident | None = None
    limit: Annotated[int, Field(ge=1, le=500)] = 100
    cursor: str | None = None


_TIMES = (
    "created_at", "acknowledge_by", "resolve_by", "follow_up_by",
    "acknowledged_at", "resolved_at", "followed_up_at",
)  # fmt: skip
_TEXT = (
    "channel", "agent_id", "category", "summary", "status", "created_by",
    "acknowledged_by", "resolved_by", "resolution", "followed_up_by", "follow_up_note",
)  # fmt: skip


def complaint_json(complaint: Complaint, now: float) -> dict[str, Any]:
    """A complaint as the API shows it, with the steps late at ``now``."""
    row = complaint.row
    data: dict[str, Any] = {"id": row.id, "conversation_id": row.conversation_id}
    data |= {name: getattr(row, name) for name in _TEXT}
    data |= {name: iso(getattr(row, name)) for name in _TIMES}
    data["overdue"] = [
        stage.value
        for stage, (deadline, done, _) in STAGES.items()
        if overdue(getattr(row, deadline), getattr(row, done), now)
    ]
    return data


async def _found(request: web.Request) -> Complaint:
    found = await complaints.get(request.app[ENGINE], path_id(request, "complaint"))
    principal = request[PRINCIPAL]
    if found is None or (principal.role == "agent" and found.agent_id != principal.agent_id):
        raise NotFound("no such complaint")
    if not scope_of(request).agent(found.agent_id):
        raise Forbidden("this complaint is about an agent outside your groups")
    return found


@roles("agent", "supervisor", "group_leader", "admin")
async def register(request: web.Request) -> web.Response:
    """Register a customer's complaint about a conversation; its clocks start now."""
    new = await body(request, ComplaintIn, "complaint")
    if new.category not in request.app[SETTINGS].complaints.categories:
        raise BadRequest(
            "unknown category", {"categories": request.app[SETTINGS].complaints.categories}
        )
    conv = await one_conversation(request, new.conversation_id, new.channel)
    if not may_see(request[PRINCIPAL], conv, scope_of(request)):
        raise Forbidden("this conversation is another agent's, or outside your groups")
    now = time.time()
    acknowledge_by, resolve_by = deadlines(now, request.app[SETTINGS].complaint_clock())
    values = {
        "conversation_pk": conv.pk,
        "channel": conv.channel,
        "agent_id": conv.assignee_id,
        "category": new.category,
        "summary": new.summary,
        "created_by": request[PRINCIPAL].name,
        "created_at": now,
        "acknowledge_by": acknowledge_by,
        "resolve_by": resolve_by,
    }
    complaint_id = await complaints.create(request.app[ENGINE], values)
    return await _current(request, complaint_id, status=201)


async def _current(request: web.Request, complaint_id: int, status: int = 200) -> web.Response:
    stored = await complaints.get(request.app[ENGINE], complaint_id)
    if stored is None:
        raise NotFound("no such complaint")
    return web.json_response(complaint_json(stored, time.time()), status=status)


async def _moved(
    request: web.Request, allowed: tuple[str, ...], values: dict[str, Any], refusal: str
) -> web.Response:
    found = await _found(request)
    if not await complaints.step(request.app[ENGINE], found.id, allowed, values):
        now = time.time()
        raise Conflict(refusal, complaint_json(found, now))
    return await _current(request, found.id)


@roles(*HANDLERS)
async def acknowledge(request: web.Request) -> web.Response:
    """The complaint is taken in hand (the customer has been contacted)."""
    values = {
        "status": "acknowledged",
        "acknowledged_at": time.time(),
        "acknowledged_by": request[PRINCIPAL].name,
    }
    return await _moved(request, ("open",), values, "this complaint was already acknowledged")


@roles("supervisor", "admin")
async def resolve(request: web.Request) -> web.Response:
    """A supervisor or admin approves the resolution; the follow-up clock starts."""
    resolution = (await body(request, ResolutionIn, "resolution")).resolution
    found = await _found(request)
    now, by = time.time(), request[PRINCIPAL].name
    values = {
        "status": "resolved",
        "resolved_at": now,
        "resolved_by": by,
        "resolution": resolution,
        "follow_up_by": follow_up_by(now, request.app[SETTINGS].complaint_clock()),
        "acknowledged_at": found.row.acknowledged_at or now,
        "acknowledged_by": found.row.acknowledged_by or by,
    }
    return await _moved(
        request, ("open", "acknowledged"), values, "this complaint was already resolved"
    )


@roles(*HANDLERS)
async def follow_up(request: web.Request) -> web.Response:
    """The call back to the customer after the resolution (回访)."""
    note = (await body(request, FollowUpIn, "follow-up")).note
    values = {
        "status": "followed_up",
        "followed_up_at": time.time(),
        "followed_up_by": request[PRINCIPAL].name,
        "follow_up_note": note,
    }
    return await _moved(
        request, ("resolved",), values, "only a resolved complaint is followed up, once"
    )


@roles("agent", "supervisor", "group_leader", "qa", "admin")
async def list_complaints(request: web.Request) -> web.Response:
    """Complaints, newest first; an agent sees those about their own conversations."""
    params = query(request, ComplaintsQuery)
    scope = scope_of(request)
    filters = complaints.ComplaintFilter(
        params.status,
        params.category,
        own_agent(request[PRINCIPAL], params.agent_id),
        None if scope.everything else scope.agents,
    )
    rows = await complaints.listing(
        request.app[ENGINE],
        filters,
        after=decode_cursor(params.cursor, int),
        limit=params.limit + 1,
    )
    page, now = rows[: params.limit], time.time()
    next_cursor = encode_cursor(page[-1].id) if len(rows) > params.limit else None
    return web.json_response({"items": [complaint_json(c, now) for c in page], "next": next_cursor})


@roles("agent", "supervisor", "group_leader", "qa", "admin")
async def get_complaint(request: web.Request) -> web.Response:
    """One complaint."""
    return web.json_response(complaint_json(await _found(request), time.time()))


routes = [
    web.get("/api/v1/complaints", list_complaints),
    web.post("/api/v1/complaints", register),
    web.get("/api/v1/complaints/{id}", get_complaint),
    web.post("/api/v1/complaints/{id}/acknowledge", acknowledge),
    web.post("/api/v1/complaints/{id}/resolve", resolve),
    web.post("/api/v1/complaints/{id}/follow-up", follow_up),
]
