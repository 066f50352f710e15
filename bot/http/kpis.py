"""HTTP API for the numbers supervisors run the team on: ``GET /api/v1/kpis`` (docs/http-api.md)
and ``GET /api/v1/agents`` (the live view, cheap enough to poll every second)."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web
from pydantic import Field, model_validator

from bot.auth import PRINCIPAL, own_agent, roles, scope_of
from bot.errors import BadRequest, Forbidden
from bot.http.params import NoQuery, Query, query
from bot.keys import ENGINE, SETTINGS
from bot.payloads import iso
from bot.reports import kpis as kpi_documents
from bot.schemas import Day, Ident, Timestamp
from monitors import periods
from storage import live_queries, users
from storage.users import User

MAX_SPAN = 400 * 86400


@dataclass
class TodayCache:
    """Today's per-agent figures, when they were computed and how long that took.

    They are refreshed at most every ``max(1 s, 10 x the time they took)``, so
    however many consoles poll, computing them never takes more than a tenth of
    the database's time; while one refresh runs (in the background), pollers get
    the previous figures.
    """

    at: float = 0.0
    took: float = 0.0
    agents: dict[str, Any] = field(default_factory=dict)
    #: The refresh under way (a reference kept so it is not collected mid-way).
    refreshing: asyncio.Task[None] | None = None

    def fresh(self, now: float) -> bool:
        """Whether the figures are recent enough to serve."""
        return now - self.at < max(1.0, 10 * self.took)


#: Today's KPI figures, reused by the live view for a while (``GET /api/v1/agents``).
KPI_TODAY = web.AppKey("kpi_today", TodayCache)


class KpisQuery(Query):
    """``GET /api/v1/kpis``: a ``from``/``to`` range, or the ``period`` holding ``date``
    (default: today so far, in ``kpi.timezone``)."""

    from_: Timestamp | None = Field(default=None, alias="from")
    to: Timestamp | None = None
    period: periods.Period | None = None
    day: Day | None = Field(default=None, alias="date")
    agent_id: Ident | None = None
    by: str | None = Field(default=None, pattern="^day$")

    @model_validator(mode="after")
    def _one_way(self) -> KpisQuery:
        if (self.period or self.day) and (self.from_ is not None or self.to is not None):
            raise ValueError("give either from/to or period/date, not both")
        if self.from_ is not None and self.to is not None and self.from_ >= self.to:
            raise ValueError("from must be before to")
        return self


def _range(params: KpisQuery, tz: ZoneInfo, now: float) -> tuple[float, float]:
    if params.period or params.day:
        period = params.period or periods.Period.DAY
        return periods.bounds(period, params.day or periods.today(now, tz), tz)
    start = params.from_
    if start is None:
        start = periods.day_start(now, tz)
    end = params.to if params.to is not None else max(now, start + 1)
    if start >= end:
        raise BadRequest("invalid query", {"from": "must be before to"})
    if end - start > MAX_SPAN:
        raise BadRequest("invalid query", {"to": "at most 400 days"})
    return start, end


@roles("agent", "supervisor", "group_leader", "qa", "admin")
async def kpis(request: web.Request) -> web.Response:
    """Per-agent and team figures with band scores, for a range or a period."""
    params = query(request, KpisQuery)
    settings = request.app[SETTINGS].kpi
    now = time.time()
    start, end = _range(params, ZoneInfo(settings.timezone), now)
    agent_id = own_agent(request[PRINCIPAL], params.agent_id)
    scope = scope_of(request)
    if agent_id is not None and not scope.agent(agent_id):
        raise Forbidden("this agent is outside your groups", {"agent_id": agent_id})
    document = await kpi_documents.build(
        request.app[ENGINE], settings, start, end, agent_id, params.by == "day", now
    )
    # A group leader sees their agents' figures (and the team's, as on a team wall).
    document["agents"] = [a for a in document["agents"] if scope.agent(a["agent_id"])]
    return web.json_response(document)


async def _today(app: web.Application, now: float) -> tuple[float, dict[str, Any]]:
    """Today's per-agent figures and when they were computed (see :class:`TodayCache`).
    Stale figures are served at once while a background task refreshes them; only the
    first request of the process waits for them."""
    cache = app[KPI_TODAY]
    if cache.fresh(now):
        return cache.at, cache.agents
    if cache.refreshing is None or cache.refreshing.done():
        cache.refreshing = asyncio.create_task(_refresh_today(app), name="replywatch-kpi-today")
    if not cache.at:
        await asyncio.shield(cache.refreshing)
    return cache.at, cache.agents


async def _refresh_today(app: web.Application) -> None:
    cache, settings = app[KPI_TODAY], app[SETTINGS].kpi
    now = time.time()
    start = periods.day_start(now, ZoneInfo(settings.timezone))
    started = time.perf_counter()
    end = max(now, start + 1)
    document = await kpi_documents.build(app[ENGINE], settings, start, end, now=now)
    cache.took = time.perf_counter() - started
    cache.agents = {item.pop("agent_id"): item for item in document["agents"]}
    cache.at = now


def _waiting_json(item: live_queries.Waiting, now: float) -> dict[str, Any]:
    turn = item.turn
    return {
        "conversation_id": item.conversation_id,
        "channel": item.channel,
        "message_id": turn.message_id,
        "since": iso(turn.started_at),
        "waited_seconds": round(max(0.0, now - turn.started_at), 3),
        "deadline_seconds": turn.deadline_seconds,
        "overdue": now >= turn.due_at,
    }


#: Waiting customers listed per agent (longest waiting first); the counts cover all.
WAITING_SHOWN = 20


@roles("agent", "supervisor", "group_leader", "qa", "admin")
async def agents(request: web.Request) -> web.Response:
    """Each agent: status, current concurrency, customers waiting (the
    :data:`WAITING_SHOWN` longest, and counts of all and of those past due), today's
    figures."""
    query(request, NoQuery)
    app = request.app
    now = time.time()
    monitor = app[SETTINGS].monitor
    async with app[ENGINE].connect() as conn:
        known = await live_queries.statuses(conn)
        busy = await live_queries.concurrency(conn, now, monitor.active_window_seconds)
        open_turns, counts = await live_queries.waiting(conn, now, WAITING_SHOWN)
    today_at, today = await _today(app, now)
    accounts = {u.id: u for u in await users.all_users(app[ENGINE])}
    default_cap = app[SETTINGS].routing.max_concurrency
    ids = set(known) | set(busy) | {a for a in counts if a} | set(today)
    roster = app[SETTINGS].agent_names()
    ids |= app[SETTINGS].auth.agent_ids() | set(roster)
    own = own_agent(request[PRINCIPAL], None)
    scope = scope_of(request)
    ids = {i for i in ids if scope.agent(i)}
    waiting_for: dict[str | None, list[dict[str, Any]]] = {}
    for turn in open_turns:  # longest waiting first
        waiting_for.setdefault(turn.agent_id, []).append(_waiting_json(turn, now))
    items = []
    for agent_id in sorted(i for i in ids if own is None or i == own):
        status = known.get(agent_id)
        items.append(
            {
                "agent_id": agent_id,
                "name": roster.get(agent_id) or (status.name if status else None),
                "status": status.status if status else "offline",
                "status_at": iso(status.status_at) if status else None,
                "concurrency": busy.get(agent_id, 0),
                "max_concurrency": _cap(accounts.get(agent_id), default_cap),
                "busy": busy.get(agent_id, 0) >= monitor.busy_concurrency,
                "waiting": waiting_for.get(agent_id, []),
                "waiting_count": counts.get(agent_id, (0, 0))[0],
                "overdue_count": counts.get(agent_id, (0, 0))[1],
                "today": today.get(agent_id),
            }
        )
    unassigned = waiting_for.get(None, [])
    body = {
        "items": items,
        "unassigned": unassigned if own is None and scope.everything else [],
        "unassigned_count": counts.get(None, (0, 0))[0] if own is None and scope.everything else 0,
        "unassigned_overdue_count": counts.get(None, (0, 0))[1]
        if own is None and scope.everything
        else 0,
        "at": iso(now),
        "today_at": iso(today_at),
    }
    return web.json_response(body)


def _cap(account: User | None, default: int) -> int:
    """How many chats routing gives the agent at most."""
    return (account.max_concurrency if account else None) or default


routes = [
    web.get("/api/v1/kpis", kpis),
    web.get("/api/v1/agents", agents),
]
