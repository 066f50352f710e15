"""HTTP API for supervisors and QA: alerts, the QA review queue, transcripts (DESIGN.md §5)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.http.auth import PRINCIPAL, roles
from bot.http.errors import json_error, read_json
from bot.http.params import Query, decode_cursor, encode_cursor, query
from bot.keys import SERVICES
from bot.payloads import alert_payload, iso
from bot.replies import ReplyIn, ReplyProblem, record_reply
from bot.schemas import Ident, Timestamp, validation_details
from monitors.rules import AlertKind
from storage import deliveries, qa_repo
from storage.queries import conversations_by_external_id

QA = ("supervisor", "qa", "admin")
Limit = Annotated[int, Field(ge=1, le=500)]


class AlertsQuery(Query):
    """``GET /api/v1/alerts`` parameters."""

    kind: AlertKind | None = None
    agent_id: Ident | None = None
    since: Timestamp | None = None
    limit: Limit = 100
    cursor: str | None = None


class FlagsQuery(Query):
    """``GET /api/v1/flags`` parameters."""

    status: Literal["open", "reviewed"] | None = None
    kind: AlertKind | None = None
    limit: Limit = 100
    cursor: str | None = None


class ConversationQuery(Query):
    """``GET /api/v1/conversations/{id}`` parameters."""

    channel: Annotated[str, Field(min_length=1, max_length=64)] | None = None


class ReviewIn(BaseModel):
    """``POST /api/v1/flags/{id}/review`` body."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    verdict: Literal["confirmed", "dismissed"]
    note: Annotated[str, Field(max_length=5000)] | None = None
    points: Annotated[float, Field(ge=-1000, le=1000, allow_inf_nan=False)] | None = None


def flag_json(row: Any) -> dict[str, Any]:
    """A flag row as the contract's flag object (``review`` once reviewed)."""
    data: dict[str, Any] = {
        "id": row.id,
        "kind": row.kind,
        "conversation_id": row.conversation_id,
        "message_id": row.message_id,
        "agent_id": row.agent_id,
        "channel": row.channel,
        "status": row.status,
        "created_at": iso(row.created_at),
    }
    if row.status == "reviewed":
        data["review"] = {
            "verdict": row.verdict,
            "note": row.note,
            "points": row.points,
            "reviewer": row.reviewer,
            "reviewed_at": iso(row.reviewed_at),
        }
    return data


@roles("agent", *QA)
async def list_alerts(request: web.Request) -> web.Response:
    """Alerts, newest first; an agent sees only their own."""
    params = query(request, AlertsQuery)
    principal = request[PRINCIPAL]
    agent_id = principal.agent_id if principal.role == "agent" else params.agent_id
    after = decode_cursor(params.cursor, list)
    if after is not None and not (
        len(after) == 2 and all(isinstance(v, int | float) for v in after)
    ):
        raise json_error(web.HTTPBadRequest, "invalid cursor")
    filters = qa_repo.AlertFilter(params.kind, agent_id, params.since)
    rows = await qa_repo.alerts(
        request.app[SERVICES].engine,
        filters,
        after=tuple(after) if after else None,
        limit=params.limit + 1,
    )
    page, more = rows[: params.limit], len(rows) > params.limit
    next_cursor = encode_cursor([page[-1].at, page[-1].id]) if more else None
    return web.json_response({"items": [alert_payload(r) for r in page], "next": next_cursor})


@roles(*QA)
async def list_flags(request: web.Request) -> web.Response:
    """The QA queue, newest first."""
    params = query(request, FlagsQuery)
    rows = await qa_repo.flags(
        request.app[SERVICES].engine,
        status=params.status,
        kind=params.kind.value if params.kind else None,
        after=decode_cursor(params.cursor, int),
        limit=params.limit + 1,
    )
    page, more = rows[: params.limit], len(rows) > params.limit
    next_cursor = encode_cursor(page[-1].id) if more else None
    return web.json_response({"items": [flag_json(r) for r in page], "next": next_cursor})


def _flag_id(request: web.Request) -> int:
    raw = request.match_info["id"]
    if not raw.isdigit() or len(raw) > 18:
        raise json_error(web.HTTPNotFound, "no such flag")
    return int(raw)


@roles(*QA)
async def review_flag(request: web.Request) -> web.Response:
    """Record a QA verdict on a flag; a flag is reviewed once (409 after that)."""
    flag_id = _flag_id(request)
    try:
        body = ReviewIn.model_validate(await read_json(request))
    except ValidationError as exc:
        raise json_error(web.HTTPBadRequest, "invalid review", validation_details(exc)) from exc
    engine = request.app[SERVICES].engine
    done = await qa_repo.review(
        engine,
        flag_id,
        verdict=body.verdict,
        note=body.note,
        points=body.points,
        reviewer=request[PRINCIPAL].name,
    )
    row = await qa_repo.flag(engine, flag_id)
    if row is None:
        raise json_error(web.HTTPNotFound, "no such flag")
    if not done:
        raise json_error(web.HTTPConflict, "this flag was already reviewed", flag_json(row))
    return web.json_response(flag_json(row))


@roles("agent", *QA)
async def conversation(request: web.Request) -> web.Response:
    """The transcript: each message with its turn's response time, alerts and flags."""
    params = query(request, ConversationQuery)
    engine = request.app[SERVICES].engine
    found = await conversations_by_external_id(engine, request.match_info["id"], params.channel)
    if len(found) != 1:
        if not found:
            raise json_error(web.HTTPNotFound, "no such conversation")
        raise json_error(
            web.HTTPConflict,
            "conversation id is ambiguous: pass ?channel=",
            {"channels": [c.channel for c in found]},
        )
    conv = found[0]
    messages, turns = await qa_repo.transcript(engine, conv.pk)
    alert_rows = await qa_repo.alerts(
        engine, qa_repo.AlertFilter(conversation_pk=conv.pk), after=None, limit=10_000
    )
    flag_rows = await qa_repo.flags(engine, conversation_pk=conv.pk)
    sent_out = await deliveries.of_events(engine, [m.id for m in messages])
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
            "messages": _annotated(messages, turns, alert_rows, flag_rows, sent_out),
            "turns": [_turn_json(t) for t in sorted(turns, key=lambda t: t.started_at)],
        }
    )


def _turn_json(turn: Any) -> dict[str, Any]:
    return {
        "message_id": turn.message_id,
        "started_at": iso(turn.started_at),
        "agent_id": turn.agent_id,
        "concurrency": turn.concurrency,
        "deadline_seconds": turn.deadline_seconds,
        "ended_at": iso(turn.ended_at),
        "end_reason": turn.end_reason,
        "reply_message_id": turn.reply_message_id,
        "replied_by": turn.replied_by,
        "response_seconds": turn.response_seconds,
    }


def _annotated(
    messages: list[Any],
    turns: list[Any],
    alerts: list[Any],
    flags: list[Any],
    sent_out: dict[int, dict[str, Any]],
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
                {"id": a.id, "kind": a.kind} for a in alerts if a.message_id == m.external_id
            ],
            "flags": [flag_json(f) for f in flags if f.message_id == m.external_id],
        }
        if m.id in sent_out:
            item["delivery"] = sent_out[m.id]
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


class HttpReplyIn(BaseModel):
    """``POST /api/v1/conversations/{id}/reply`` body."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    text: str
    script_id: str | None = None
    channel: str | None = None
    id: str | None = None


_PROBLEMS: dict[int, type[web.HTTPException]] = {
    404: web.HTTPNotFound,
    409: web.HTTPConflict,
    503: web.HTTPServiceUnavailable,
}


@roles("agent")
async def post_reply(request: web.Request) -> web.Response:
    """An agent's reply over HTTP, exactly as the Socket.IO ``reply``: stored, then sent
    out through the conversation's channel; 201 (200 for a repeated ``id``)."""
    agent_id = request[PRINCIPAL].agent_id
    try:
        body = HttpReplyIn.model_validate(await read_json(request))
        reply = ReplyIn(conversation_id=request.match_info["id"], **body.model_dump())
    except ValidationError as exc:
        raise json_error(web.HTTPBadRequest, "invalid reply", validation_details(exc)) from exc
    if agent_id is None:  # agent tokens always carry one (settings check)
        raise json_error(web.HTTPForbidden, "token has no agent_id")
    try:
        ack = await record_reply(request.app, agent_id, reply)
    except ReplyProblem as problem:
        raise json_error(_PROBLEMS[problem.status], problem.message, problem.details) from None
    return web.json_response(ack, status=200 if ack["duplicate"] else 201)


routes = [
    web.get("/api/v1/alerts", list_alerts),
    web.get("/api/v1/flags", list_flags),
    web.post("/api/v1/flags/{id}/review", review_flag),
    web.get("/api/v1/conversations/{id}", conversation),
    web.post("/api/v1/conversations/{id}/reply", post_reply),
]
