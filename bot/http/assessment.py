"""The monthly assessment over HTTP (DESIGN.md section 12): each agent's month score,
the supervisors' merits (加分) and reasoned adjustments, and the month as XLSX."""

from __future__ import annotations

import time
from datetime import date
from typing import Annotated
from zoneinfo import ZoneInfo

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from bot.assessments import (
    assessment_json,
    month_assessments,
    month_name,
    parse_month,
    this_month,
)
from bot.auth import PRINCIPAL, own_agent, roles, scope_of
from bot.errors import BadRequest, Forbidden, NotFound
from bot.http.params import Query, body, query
from bot.keys import ENGINE, SETTINGS
from bot.payloads import iso
from bot.schemas import Ident
from monitors.quality import Assessment
from monitors.report_files import assessment_workbook
from storage import assessment as store

Reason = Annotated[str, Field(min_length=1, max_length=2000)]


class AssessmentQuery(Query):
    """``GET /api/v1/assessment``: the month (default: this one) and one agent."""

    month: Annotated[str, Field(min_length=7, max_length=7)] | None = None
    agent_id: Ident | None = None


class AdjustmentIn(BaseModel):
    """``PUT /api/v1/assessment/{month}/{agent_id}`` body."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    adjustment: Annotated[float, Field(allow_inf_nan=False)]
    reason: Annotated[str, Field(max_length=2000)]


class MeritIn(BaseModel):
    """``POST /api/v1/merits`` body: praise, with its reason."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    agent_id: Ident
    points: Annotated[float, Field(gt=0, le=100, allow_inf_nan=False)]
    reason: Reason


def _month(request: web.Request, text: str | None) -> date:
    if text is None:
        return this_month(time.time(), ZoneInfo(request.app[SETTINGS].kpi.timezone))
    return parse_month(text)


async def _assessed(
    request: web.Request, month_text: str | None, agent_id: str | None
) -> list[Assessment]:
    first = _month(request, month_text)
    scope = scope_of(request)
    wanted = {agent_id} if agent_id else None
    if wanted is None and not scope.everything:
        wanted = set(scope.agents)
    items = await month_assessments(request.app[ENGINE], request.app[SETTINGS], first, wanted)
    return [item for item in items if scope.agent(item.agent_id)]


@roles("agent", "supervisor", "group_leader", "qa", "admin")
async def get_assessment(request: web.Request) -> web.Response:
    """The month's assessment of every agent (an agent: their own)."""
    params = query(request, AssessmentQuery)
    agent_id = own_agent(request[PRINCIPAL], params.agent_id)
    items = await _assessed(request, params.month, agent_id)
    qa = request.app[SETTINGS].qa
    return web.json_response({"items": [assessment_json(i, qa) for i in items]})


@roles("supervisor", "group_leader", "qa", "admin")
async def assessment_file(request: web.Request) -> web.Response:
    """The month's assessment as an XLSX workbook (team table and every entry)."""
    params = query(request, AssessmentQuery)
    items = await _assessed(request, params.month, params.agent_id)
    month = month_name(_month(request, params.month))
    content = assessment_workbook(items)
    return web.Response(
        body=content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={
            "Content-Disposition": f'attachment; filename="replywatch-assessment-{month}.xlsx"'
        },
    )


async def _agent_exists(request: web.Request, agent_id: str) -> None:
    if not await store.is_agent(request.app[ENGINE], agent_id):
        raise NotFound("no such agent", {"agent_id": agent_id})
    if not scope_of(request).agent(agent_id):
        raise Forbidden("this agent is outside your groups", {"agent_id": agent_id})


@roles("supervisor", "admin")
async def adjust(request: web.Request) -> web.Response:
    """A supervisor's reasoned adjustment of an agent's month, within ``adjustment_limit``."""
    first = parse_month(request.match_info["month"])
    agent_id = request.match_info["agent_id"]
    change = await body(request, AdjustmentIn, "adjustment")
    limit = request.app[SETTINGS].assessment.adjustment_limit
    if abs(change.adjustment) > limit:
        raise BadRequest(f"adjustment: at most {limit:g} either way", {"limit": limit})
    if not change.reason.strip():
        raise BadRequest("reason: an adjustment needs one")
    await _agent_exists(request, agent_id)
    await store.adjust(
        request.app[ENGINE],
        month_name(first),
        agent_id,
        change.adjustment,
        change.reason.strip(),
        request[PRINCIPAL].name,
        time.time(),
    )
    [item] = await month_assessments(request.app[ENGINE], request.app[SETTINGS], first, {agent_id})
    return web.json_response(assessment_json(item, request.app[SETTINGS].qa))


@roles("supervisor", "admin")
async def add_merit(request: web.Request) -> web.Response:
    """Praise an agent (加分): positive points with a reason, counted in this month."""
    merit = await body(request, MeritIn, "merit")
    await _agent_exists(request, merit.agent_id)
    now, by = time.time(), request[PRINCIPAL].name
    reason = merit.reason.strip()
    if not reason:
        raise BadRequest("reason: a merit needs one")
    merit_id = await store.add_merit(
        request.app[ENGINE], merit.agent_id, merit.points, reason, by, now
    )
    answer = {
        "id": merit_id,
        "agent_id": merit.agent_id,
        "points": merit.points,
        "reason": reason,
        "created_by": by,
        "at": iso(now),
    }
    return web.json_response(answer, status=201)


routes = [
    web.get("/api/v1/assessment", get_assessment),
    web.get("/api/v1/assessment/file", assessment_file),
    web.put("/api/v1/assessment/{month}/{agent_id}", adjust),
    web.post("/api/v1/merits", add_merit),
]
