"""The questions customers asked most (the manuals' "15 most common questions"), whether
the library answers them and how often agents accepted its answer (docs/library.md)."""

from __future__ import annotations

import time
from typing import Annotated, Any

from aiohttp import web
from pydantic import Field

from bot.auth import roles
from bot.errors import BadRequest
from bot.http.params import Query, query
from bot.http.scripts import GAP_SCAN, READ, WEEK
from bot.keys import ENGINE, LIBRARY
from bot.schemas import Timestamp
from scripts_library.gaps import MOST_ASKED, Asked, group_gaps, most_asked
from storage import library_repo


class AskedQuery(Query):
    """``GET /api/v1/scripts/asked`` parameters (default: the last 7 days)."""

    since: Timestamp | None = None
    until: Timestamp | None = None
    limit: Annotated[int, Field(ge=1, le=100)] = MOST_ASKED


async def gather(
    request: web.Request, since: float, until: float, limit: int = MOST_ASKED
) -> list[Asked]:
    """The most asked questions between ``since`` and ``until``."""
    engine = request.app[ENGINE]
    answered = await library_repo.answered(engine, since, until)
    unmatched = await library_repo.unmatched(engine, since, GAP_SCAN, until=until)
    library = {s.id: s for s in request.app[LIBRARY].index.scripts}
    return most_asked(answered, library, group_gaps(unmatched), limit)


def asked_json(item: Asked) -> dict[str, Any]:
    """One most-asked question as the API and the console show it."""
    return {
        "question": item.question,
        "count": item.count,
        "answered": item.script_id is not None,
        "script_id": item.script_id,
        "title": item.title,
        "accepted": item.accepted,
        "acceptance": None if item.acceptance is None else round(item.acceptance, 3),
        "examples": list(item.examples),
    }


@roles(*READ)
async def asked(request: web.Request) -> web.Response:
    """The questions customers asked most, answered by the library or not."""
    params = query(request, AskedQuery)
    until = params.until if params.until is not None else time.time()
    since = params.since if params.since is not None else until - WEEK
    if since >= until:
        raise BadRequest("since must be before until (default: now)")
    found = await gather(request, since, until, params.limit)
    return web.json_response({"items": [asked_json(a) for a in found], "next": None})


routes = [web.get("/api/v1/scripts/asked", asked)]
