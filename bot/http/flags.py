"""The QA queue over HTTP (DESIGN.md section 12): flags, reviews, manual flags and
appeals (docs/http-api.md). Every step is published to the flag's agent at once."""

from __future__ import annotations

import time
from typing import Annotated, Any, Literal

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from bot.auth import PRINCIPAL, own_agent, roles, scope_of
from bot.errors import BadRequest, Conflict, Forbidden, NotFound
from bot.http.conversations import one_conversation
from bot.http.params import Query, body, decode_cursor, encode_cursor, path_id, query
from bot.http.qa import QA
from bot.keys import ENGINE, PUBLISHER, SETTINGS
from bot.payloads import flag_payload
from bot.schemas import Ident, Timestamp
from monitors.quality import FlagKind, appeal_open
from storage import flags

#: Who decides an appeal: anyone but the agent and the first reviewer (the manuals' 复核).
DECIDERS = ("supervisor", "qa", "admin")
Limit = Annotated[int, Field(ge=1, le=500)]
Note = Annotated[str, Field(min_length=1, max_length=5000)]
#: A flag takes points away; praise is a merit (``POST /api/v1/merits``).
FlagPoints = Annotated[float, Field(ge=-100, le=0, allow_inf_nan=False)]
Kind = Literal[
    "reply.slow", "message.unanswered", "reply.forbidden_phrase", "qa.manual", "qa.sample"
]


class FlagsQuery(Query):
    """``GET /api/v1/flags`` parameters (``since``/``until`` bound the flagged moment)."""

    status: Literal["open", "reviewed", "appealed"] | None = None
    kind: Kind | None = None
    category: Ident | None = None
    agent_id: Ident | None = None
    since: Timestamp | None = None
    until: Timestamp | None = None
    limit: Limit = 100
    cursor: str | None = None


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ReviewIn(_Body):
    """``POST /api/v1/flags/{id}/review`` body; ``points`` default to the category's."""

    verdict: Literal["confirmed", "dismissed"]
    note: Annotated[str, Field(max_length=5000)] | None = None
    points: FlagPoints | None = None
    category: Ident | None = None


class FlagIn(_Body):
    """``POST /api/v1/flags`` body: a reviewer flags a conversation (or one message)."""

    conversation_id: Annotated[str, Field(min_length=1, max_length=200)]
    channel: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    message_id: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    agent_id: Ident | None = None
    category: Ident
    note: Note


class AppealIn(_Body):
    """``POST /api/v1/flags/{id}/appeal`` body."""

    reason: Note


class DecisionIn(_Body):
    """``POST /api/v1/flags/{id}/appeal/decision`` body."""

    decision: Literal["upheld", "overturned"]
    note: Note
    points: FlagPoints | None = None


def _json(
    request: web.Request, flag: flags.Flag, history: list[flags.Step] | None = None
) -> dict[str, Any]:
    return flag_payload(flag, request.app[SETTINGS].qa, history)


@roles("agent", *QA)
async def list_flags(request: web.Request) -> web.Response:
    """The QA queue, newest first; an agent sees only their own flags (and reviews)."""
    params = query(request, FlagsQuery)
    scope = scope_of(request)
    filters = flags.FlagFilter(
        status=params.status,
        kind=params.kind,
        category=params.category,
        agent_id=own_agent(request[PRINCIPAL], params.agent_id),
        since=params.since,
        until=params.until,
        agent_ids=None if scope.everything else scope.agents,
    )
    rows = await flags.flags(
        request.app[ENGINE],
        filters,
        after=decode_cursor(params.cursor, int),
        limit=params.limit + 1,
    )
    page, more = rows[: params.limit], len(rows) > params.limit
    next_cursor = encode_cursor(page[-1].id) if more else None
    return web.json_response({"items": [_json(request, r) for r in page], "next": next_cursor})


async def _visible(request: web.Request, flag_id: int) -> flags.Flag:
    """The flag, if the caller may see it (404 for an agent's someone else's flag)."""
    found = await flags.flag(request.app[ENGINE], flag_id)
    principal = request[PRINCIPAL]
    if found is None or (principal.role == "agent" and found.agent_id != principal.agent_id):
        raise NotFound("no such flag")
    if not scope_of(request).agent(found.agent_id):
        raise Forbidden("this flag is about an agent outside your groups")
    return found


@roles("agent", *QA)
async def get_flag(request: web.Request) -> web.Response:
    """One flag with its whole history."""
    found = await _visible(request, path_id(request, "flag"))
    steps = await flags.history(request.app[ENGINE], found.id)
    return web.json_response(_json(request, found, steps))


async def _published(request: web.Request, flag_id: int, status: int = 200) -> web.Response:
    """The flag as it is now, also pushed to its agent (``flag.reviewed``)."""
    row = await flags.flag(request.app[ENGINE], flag_id)
    if row is None:
        raise NotFound("no such flag")
    payload = _json(request, row, await flags.history(request.app[ENGINE], flag_id))
    if row.agent_id is not None:  # the manuals publish each verdict to the agent at once
        await request.app[PUBLISHER].to_agent(row.agent_id, "flag.reviewed", payload)
    return web.json_response(payload, status=status)


@roles(*QA)
async def review_flag(request: web.Request) -> web.Response:
    """Record a QA verdict on an open flag (409 once reviewed)."""
    flag_id = path_id(request, "flag")
    review = await body(request, ReviewIn, "review")
    found = await _visible(request, flag_id)
    qa = request.app[SETTINGS].qa
    if review.category is not None and qa.by_id(review.category) is None:
        raise BadRequest("unknown category", {"category": review.category})
    chosen = review.category or found.category
    category = qa.by_id(chosen) if chosen else qa.for_kind(found.kind)
    points = review.points
    if points is None and review.verdict == "confirmed" and category is not None:
        points = category.points
    verdict = flags.Review(
        review.verdict, review.note, points, request[PRINCIPAL].name, time.time()
    )
    if not await flags.review(request.app[ENGINE], flag_id, verdict, review.category):
        raise Conflict("this flag was already reviewed", _json(request, found))
    return await _published(request, flag_id)


@roles("qa", "supervisor", "admin")
async def create_flag(request: web.Request) -> web.Response:
    """A reviewer flags a conversation from its transcript (kind ``qa.manual``)."""
    new = await body(request, FlagIn, "flag")
    qa = request.app[SETTINGS].qa
    if qa.by_id(new.category) is None:
        raise BadRequest("unknown category", {"category": new.category})
    conv = await one_conversation(request, new.conversation_id, new.channel)
    agent_id = new.agent_id
    if new.message_id is not None:
        sender = await flags.message_sender(request.app[ENGINE], conv.pk, new.message_id)
        if sender is None:
            raise BadRequest("no such message in this conversation", {"message_id": new.message_id})
        if agent_id is None and sender[0] == "agent":
            agent_id = sender[1]
    agent_id = agent_id or conv.assignee_id
    if agent_id is None:
        raise BadRequest("agent_id: the conversation has no agent to flag; name one")
    if not scope_of(request).agent(agent_id):
        raise Forbidden("this agent is outside your groups", {"agent_id": agent_id})
    flag_id = await flags.create(
        request.app[ENGINE],
        flags.NewFlag(
            FlagKind.MANUAL,
            conv.pk,
            conv.channel,
            new.message_id,
            agent_id,
            new.category,
            new.note,
            request[PRINCIPAL].name,
            time.time(),
        ),
    )
    return await _published(request, flag_id, status=201)


@roles("agent")
async def appeal_flag(request: web.Request) -> web.Response:
    """The flag's agent asks for a re-check of a confirmed review, within the window."""
    flag_id = path_id(request, "flag")
    reason = (await body(request, AppealIn, "appeal")).reason
    principal = request[PRINCIPAL]
    found = await flags.flag(request.app[ENGINE], flag_id)
    if found is None:
        raise NotFound("no such flag")
    if found.agent_id != principal.agent_id:
        raise Forbidden("only the flag's agent may appeal it")
    now = time.time()
    window = request.app[SETTINGS].qa.appeal_window_seconds
    review = found.review
    if found.appeal is not None:
        raise Conflict("this flag was already appealed", _json(request, found))
    if review is None or review.verdict != "confirmed":
        raise Conflict("only a confirmed review can be appealed", _json(request, found))
    if not appeal_open(review.reviewed_at, now, window):
        raise Conflict("the appeal window has passed", _json(request, found))
    assert principal.agent_id is not None  # an agent's principal names its agent
    done = await flags.appeal(
        request.app[ENGINE], flag_id, principal.agent_id, reason, now, now - window
    )
    if not done:
        raise Conflict("this flag was already appealed")
    return await _published(request, flag_id, status=201)


@roles(*DECIDERS)
async def decide_appeal(request: web.Request) -> web.Response:
    """Uphold or overturn an appealed flag; not by its first reviewer. One decision wins."""
    flag_id = path_id(request, "flag")
    decision = await body(request, DecisionIn, "decision")
    found = await _visible(request, flag_id)
    by = request[PRINCIPAL].name
    if found.review is not None and found.review.reviewer == by:
        raise Forbidden("the first reviewer cannot decide the appeal of their own review")
    if decision.decision == "overturned" and decision.points is not None:
        raise BadRequest("points: an overturned flag counts 0")
    done = await flags.decide(
        request.app[ENGINE],
        flag_id,
        decision.decision,
        decision.note,
        decision.points,
        by,
        time.time(),
    )
    if not done:
        raise Conflict("this flag has no appeal waiting", _json(request, found))
    return await _published(request, flag_id)


routes = [
    web.get("/api/v1/flags", list_flags),
    web.post("/api/v1/flags", create_flag),
    web.get("/api/v1/flags/{id}", get_flag),
    web.post("/api/v1/flags/{id}/review", review_flag),
    web.post("/api/v1/flags/{id}/appeal", appeal_flag),
    web.post("/api/v1/flags/{id}/appeal/decision", decide_appeal),
]
