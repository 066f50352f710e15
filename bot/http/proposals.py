"""Proposed paraphrases (learning from use): listed for supervisors and QA, accepted
into the library or rejected by a supervisor or admin (see :mod:`bot.learning`)."""

from __future__ import annotations

from typing import Annotated

from aiohttp import web
from pydantic import Field

from bot.auth import PRINCIPAL, roles
from bot.errors import NotFound
from bot.http.params import Query, decode_cursor, encode_cursor, path_id, query
from bot.http.scripts import WRITE, editable
from bot.keys import ENGINE, LIBRARY
from scripts_library.model import MAX_QUESTIONS
from storage import learning

LIST = ("supervisor", "qa", "admin")


class ProposalsQuery(Query):
    """``GET /api/v1/scripts/proposals`` parameters."""

    state: learning.ProposalState = "pending"
    limit: Annotated[int, Field(ge=1, le=500)] = 100
    cursor: str | None = None


@roles(*LIST)
async def list_proposals(request: web.Request) -> web.Response:
    """Proposed paraphrases in one state, oldest first."""
    params = query(request, ProposalsQuery)
    rows = await learning.proposals(
        request.app[ENGINE],
        params.state,
        after=decode_cursor(params.cursor, int),
        limit=params.limit + 1,
    )
    page, more = rows[: params.limit], len(rows) > params.limit
    next_cursor = encode_cursor(page[-1].id) if more else None
    return web.json_response({"items": [p.as_json() for p in page], "next": next_cursor})


async def _decide(request: web.Request, accept: bool) -> web.Response:
    proposal_id = path_id(request, "proposal")
    if accept:
        editable(request)
    decided = await learning.decide(
        request.app[ENGINE], proposal_id, accept, request[PRINCIPAL].name, MAX_QUESTIONS
    )
    if decided is None:
        raise NotFound("no such proposal")
    if accept:
        await request.app[LIBRARY].refresh()
    return web.json_response(decided.as_json())


@roles(*WRITE)
async def accept_proposal(request: web.Request) -> web.Response:
    """Add the proposed wording to its script's questions (matching uses it at once)."""
    return await _decide(request, True)


@roles(*WRITE)
async def reject_proposal(request: web.Request) -> web.Response:
    """Decline the proposal (the same wording is not proposed again for the script)."""
    return await _decide(request, False)


routes = [
    web.get("/api/v1/scripts/proposals", list_proposals),
    web.post("/api/v1/scripts/proposals/{id}/accept", accept_proposal),
    web.post("/api/v1/scripts/proposals/{id}/reject", reject_proposal),
]
