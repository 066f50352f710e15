"""Presence over HTTP (DESIGN.md section 11): an agent's status set by them or a
supervisor, their status history, and the attendance it adds up to."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, model_validator

from bot.auth import PRINCIPAL, roles, scope_of
from bot.errors import BadRequest, Forbidden, NotFound
from bot.http.params import NoQuery, Query, body, query
from bot.keys import ENGINE, PRESENCE, SETTINGS
from bot.payloads import iso
from bot.schemas import Day, Timestamp
from monitors import attendance, periods
from storage import live_queries, queries, status_history, users

#: The longest attendance report, in days.
MAX_DAYS = 62


class StatusIn(BaseModel):
    """``PUT /api/v1/agents/{id}/status`` body."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    status: Literal["online", "away", "offline"]


class HistoryQuery(Query):
    """``GET /api/v1/agents/{id}/status-history``: a time range (default: today)."""

    from_: Timestamp | None = Field(default=None, alias="from")
    to: Timestamp | None = None


class AttendanceQuery(Query):
    """``GET /api/v1/agents/{id}/attendance``: days, in ``kpi.timezone`` (default: today)."""

    from_: Day | None = Field(default=None, alias="from")
    to: Day | None = None

    @model_validator(mode="after")
    def _ordered(self) -> AttendanceQuery:
        if self.from_ and self.to and self.from_ > self.to:
            raise ValueError("from must not be after to")
        return self


def _may_see(request: web.Request, agent_id: str) -> None:
    """Agents see and set their own status only; group leaders their groups' agents';
    supervisors and admins anyone's."""
    principal = request[PRINCIPAL]
    if principal.role == "agent" and principal.agent_id != agent_id:
        raise Forbidden("agents see and set their own status only")
    if not scope_of(request).agent(agent_id):
        raise Forbidden("this agent is outside your groups", {"agent_id": agent_id})


async def _known(request: web.Request, agent_id: str) -> None:
    engine = request.app[ENGINE]
    if await users.get(engine, agent_id) is None and not await queries.agent_known(
        engine, agent_id
    ):
        raise NotFound("unknown agent", {"agent_id": agent_id})


@roles("agent", "supervisor", "group_leader", "admin")
async def set_status(request: web.Request) -> web.Response:
    """The agent (or a supervisor or admin for them) sets their status."""
    agent_id, principal = request.match_info["id"], request[PRINCIPAL]
    await _known(request, agent_id)
    _may_see(request, agent_id)
    given = await body(request, StatusIn, "status")
    reason = "chosen" if principal.agent_id == agent_id else "supervisor"
    await request.app[PRESENCE].choose(agent_id, given.status, reason)
    return web.json_response({"agent_id": agent_id, "status": given.status})


@roles("agent", "supervisor", "group_leader", "qa", "admin")
async def history(request: web.Request) -> web.Response:
    """Every status change of the agent in a time range (default: today so far)."""
    agent_id = request.match_info["id"]
    await _known(request, agent_id)
    _may_see(request, agent_id)
    params = query(request, HistoryQuery)
    now = time.time()
    tz = ZoneInfo(request.app[SETTINGS].kpi.timezone)
    start = params.from_ if params.from_ is not None else periods.day_start(now, tz)
    end = params.to if params.to is not None else max(now, start + 1)
    if start >= end:
        raise BadRequest("invalid query", [{"field": "to", "error": "must be after from"}])
    before, found = await status_history.changes(request.app[ENGINE], agent_id, start, end)
    return web.json_response(
        {
            "agent_id": agent_id,
            "from": iso(start),
            "to": iso(end),
            "status_before": before,
            "items": [{"status": c.status, "at": iso(c.at), "reason": c.reason} for c in found],
        }
    )


@roles("agent", "supervisor", "group_leader", "qa", "admin")
async def attendance_report(request: web.Request) -> web.Response:
    """Per day: time online and away, away spells over 5 minutes, stretches over 8 hours."""
    agent_id = request.match_info["id"]
    await _known(request, agent_id)
    _may_see(request, agent_id)
    params = query(request, AttendanceQuery)
    now = time.time()
    tz = ZoneInfo(request.app[SETTINGS].kpi.timezone)
    first = params.from_ or periods.today(now, tz)
    last = params.to or max(first, periods.today(now, tz))
    if last < first:
        raise BadRequest("invalid query", [{"field": "to", "error": "must not be before from"}])
    if (last - first).days >= MAX_DAYS:
        raise BadRequest("invalid query", [{"field": "to", "error": f"at most {MAX_DAYS} days"}])
    days = [
        (day, periods.midnight(day, tz), periods.midnight(day + timedelta(days=1), tz))
        for day in (first + timedelta(days=n) for n in range((last - first).days + 1))
    ]
    before, found = await status_history.changes(
        request.app[ENGINE], agent_id, days[0][1], days[-1][2]
    )
    result = attendance.attendance(before, [(c.at, c.status) for c in found], days, now)
    return web.json_response({"agent_id": agent_id, "days": [_day_json(d) for d in result]})


@roles("agent", "supervisor", "group_leader", "qa", "admin")
async def team_presence(request: web.Request) -> web.Response:
    """Everyone's status, load and cap right now: whom a chat can be transferred to."""
    query(request, NoQuery)
    app, now = request.app, time.time()
    async with app[ENGINE].connect() as conn:
        known = await live_queries.statuses(conn)
        load = await live_queries.concurrency(
            conn, now, app[SETTINGS].monitor.active_window_seconds
        )
    accounts = {u.id: u for u in await users.all_users(app[ENGINE])}
    default = app[SETTINGS].routing.max_concurrency
    items = []
    for agent_id in sorted(set(known) | {u.id for u in accounts.values() if u.role == "agent"}):
        account, status = accounts.get(agent_id), known.get(agent_id)
        if account is not None and (not account.active or account.role != "agent"):
            continue
        items.append(
            {
                "agent_id": agent_id,
                "name": (account.name if account else None) or (status.name if status else None),
                "status": status.status if status else "offline",
                "concurrency": load.get(agent_id, 0),
                "max_concurrency": (account.max_concurrency if account else None) or default,
                "groups": list(account.groups) if account else [],
            }
        )
    return web.json_response({"items": items, "at": iso(now)})


def _spell_json(spell: attendance.Spell) -> dict[str, Any]:
    return {"from": iso(spell.start), "to": iso(spell.end), "seconds": round(spell.seconds, 3)}


def _day_json(day: attendance.Day) -> dict[str, Any]:
    return {
        "date": day.day.isoformat(),
        "online_seconds": round(day.online_seconds, 3),
        "away_seconds": round(day.away_seconds, 3),
        "away_over_5_minutes": [_spell_json(s) for s in day.long_away],
        "stretches_over_8_hours": [_spell_json(s) for s in day.long_stretches],
    }


routes = [
    web.get("/api/v1/agents/presence", team_presence),
    web.put("/api/v1/agents/{id}/status", set_status),
    web.get("/api/v1/agents/{id}/status-history", history),
    web.get("/api/v1/agents/{id}/attendance", attendance_report),
]
