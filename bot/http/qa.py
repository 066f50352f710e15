"""HTTP API for agents, supervisors and QA: the alerts (docs/http-api.md)."""

from __future__ import annotations

from typing import Annotated

from aiohttp import web
from pydantic import Field

from bot.auth import PRINCIPAL, own_agent, roles, scope_of
from bot.errors import BadRequest
from bot.http.params import Query, decode_cursor, encode_cursor, query
from bot.keys import ENGINE
from bot.payloads import alert_payload
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


routes = [
    web.get("/api/v1/alerts", list_alerts),
]
