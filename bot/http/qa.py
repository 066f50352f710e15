"""HTTP API for supervisors and QA: alerts and the QA review queue (docs/http-api.md)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from bot.auth import PRINCIPAL, own_agent, roles, scope_of
from bot.errors import BadRequest, Conflict, Forbidden, NotFound
from bot.http.params import Query, body, decode_cursor, encode_cursor, path_id, query
from bot.keys import ENGINE, PUBLISHER
from bot.payloads import alert_payload, iso
from bot.schemas import Ident, Timestamp
from monitors.rules import AlertKind
from storage import qa_repo

QA = ("supervisor", "group_leader", "qa", "admin")
Limit = Annotated[int, Field(ge=1, le=500)]


class AlertsQuery(Query):
    """``GET /api/v1/alerts`` parameters."""

    kind: AlertKind | None = None
    agent_id: Ident | None = None
    since: Timestamp | None = None
    limit: Limit = 100
    cursor: str | None = None


class FlagsQuery(Query):
    """``GET /api/v1/flags`` parameters (``since``/``until`` bound the alert's time)."""

    status: Literal["open", "reviewed"] | None = None
    kind: AlertKind | None = None
    agent_id: Ident | None = None
    since: Timestamp | None = None
    until: Timestamp | None = None
    limit: Limit = 100
    cursor: str | None = None


class ReviewIn(BaseModel):
    """``POST /api/v1/flags/{id}/review`` body."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    verdict: Literal["confirmed", "dismissed"]
    note: Annotated[str, Field(max_length=5000)] | None = None
    points: Annotated[float, Field(ge=-1000, le=1000, allow_inf_nan=False)] | None = None


def flag_json(flag: qa_repo.Flag) -> dict[str, Any]:
    """A flag as the contract's flag object (``review`` once reviewed)."""
    alert = flag.alert
    data: dict[str, Any] = {
        "id": flag.id,
        "kind": alert.kind.value,
        "conversation_id": alert.conversation_id,
        "message_id": alert.message_id,
        "agent_id": alert.agent_id,
        "channel": alert.channel,
        "status": flag.status,
        "created_at": iso(flag.created_at),
        "at": iso(alert.at),
        "deadline_seconds": alert.deadline_seconds,
        "waited_seconds": alert.waited_seconds,
        "response_seconds": alert.response_seconds,
    }
    if flag.review is not None:
        data["review"] = {
            "verdict": flag.review.verdict,
            "note": flag.review.note,
            "points": flag.review.points,
            "reviewer": flag.review.reviewer,
            "at": iso(flag.review.reviewed_at),
            "reviewed_at": iso(flag.review.reviewed_at),
        }
    return data


@roles("agent", *QA)
async def list_alerts(request: web.Request) -> web.Response:
    """Alerts, newest first; an agent sees only their own."""
    params = query(request, AlertsQuery)
    agent_id = own_agent(request[PRINCIPAL], params.agent_id)
    after = decode_cursor(params.cursor, list)
    if after is not None and not (
        len(after) == 2 and all(isinstance(v, int | float) for v in after)
    ):
        raise BadRequest("invalid cursor")
    scope = scope_of(request)
    filters = qa_repo.AlertFilter(
        params.kind, agent_id, params.since, agent_ids=None if scope.everything else scope.agents
    )
    rows = await qa_repo.alerts(
        request.app[ENGINE],
        filters,
        after=tuple(after) if after else None,
        limit=params.limit + 1,
    )
    page, more = rows[: params.limit], len(rows) > params.limit
    next_cursor = encode_cursor([page[-1].at, page[-1].id]) if more else None
    return web.json_response({"items": [alert_payload(r) for r in page], "next": next_cursor})


@roles("agent", *QA)
async def list_flags(request: web.Request) -> web.Response:
    """The QA queue, newest first; an agent sees only their own flags (and reviews)."""
    params = query(request, FlagsQuery)
    filters = qa_repo.FlagFilter(
        status=params.status,
        kind=params.kind.value if params.kind else None,
        agent_id=own_agent(request[PRINCIPAL], params.agent_id),
        since=params.since,
        until=params.until,
        agent_ids=None if scope_of(request).everything else scope_of(request).agents,
    )
    rows = await qa_repo.flags(
        request.app[ENGINE],
        filters,
        after=decode_cursor(params.cursor, int),
        limit=params.limit + 1,
    )
    page, more = rows[: params.limit], len(rows) > params.limit
    next_cursor = encode_cursor(page[-1].id) if more else None
    return web.json_response({"items": [flag_json(r) for r in page], "next": next_cursor})


@roles(*QA)
async def review_flag(request: web.Request) -> web.Response:
    """Record a QA verdict on a flag; a flag is reviewed once (409 after that)."""
    flag_id = path_id(request, "flag")
    review = await body(request, ReviewIn, "review")
    engine = request.app[ENGINE]
    found = await qa_repo.flag(engine, flag_id)
    if found is not None and not scope_of(request).agent(found.alert.agent_id):
        raise Forbidden("this flag is about an agent outside your groups")
    done = await qa_repo.review(
        engine,
        flag_id,
        verdict=review.verdict,
        note=review.note,
        points=review.points,
        reviewer=request[PRINCIPAL].name,
    )
    row = await qa_repo.flag(engine, flag_id)
    if row is None:
        raise NotFound("no such flag")
    if not done:
        raise Conflict("this flag was already reviewed", flag_json(row))
    if row.alert.agent_id is not None:  # the manuals publish a verdict to the agent at once
        await request.app[PUBLISHER].to_agent(row.alert.agent_id, "flag.reviewed", flag_json(row))
    return web.json_response(flag_json(row))


routes = [
    web.get("/api/v1/alerts", list_alerts),
    web.get("/api/v1/flags", list_flags),
    web.post("/api/v1/flags/{id}/review", review_flag),
]
