"""HTTP API of the script library: suggest, list, create, update, delete, import,
export and gaps (docs/http-api.md)."""

from __future__ import annotations

import time
from typing import Annotated, Any, Literal

from aiohttp import web
from pydantic import Field, ValidationError

from bot.auth import roles
from bot.bodies import read_body, read_json
from bot.errors import BadRequest, Conflict, NotFound, UnsupportedMediaType
from bot.http.params import Query, decode_cursor, encode_cursor, query
from bot.keys import ENGINE, LIBRARY
from bot.payloads import iso
from bot.schemas import Timestamp, validation_details
from scripts_library.files import Format, dump, parse
from scripts_library.gaps import group_gaps
from scripts_library.model import Script
from storage import library_repo

READ = ("agent", "supervisor", "qa", "admin")
WRITE = ("supervisor", "admin")
GAP_SCAN = 5000
WEEK = 7 * 86400.0


class SuggestQuery(Query):
    """``GET /api/v1/suggest`` parameters."""

    q: Annotated[str, Field(min_length=1, max_length=2000)]
    k: Annotated[int, Field(ge=1, le=50)] | None = None


class SearchQuery(Query):
    """``GET /api/v1/scripts/search`` parameters."""

    q: Annotated[str, Field(max_length=200)] = ""
    k: Annotated[int, Field(ge=1, le=50)] = 10


class ListQuery(Query):
    """``GET /api/v1/scripts`` parameters."""

    category: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    limit: Annotated[int, Field(ge=1, le=500)] = 100
    cursor: str | None = None


class ImportQuery(Query):
    """``POST /api/v1/scripts/import`` parameters."""

    format: Literal["toml", "csv"] | None = None
    mode: Literal["merge", "replace"] = "merge"


class ExportQuery(Query):
    """``GET /api/v1/scripts/export`` parameters."""

    format: Literal["toml", "csv"] = "toml"


class GapsQuery(Query):
    """``GET /api/v1/scripts/gaps`` parameters."""

    since: Timestamp | None = None
    limit: Annotated[int, Field(ge=1, le=500)] = 50


def _script_json(script: Script) -> dict[str, Any]:
    data = script.model_dump()
    data["questions"], data["keywords"] = list(script.questions), list(script.keywords)
    return data


def editable(request: web.Request) -> None:
    """Refuse (409) a library change when the library is a file."""
    library = request.app[LIBRARY]
    if library.file is not None:
        raise Conflict(
            "the library is file-backed: edit the file (matcher.library)",
            {"file": str(library.file)},
        )


async def _body_script(request: web.Request, script_id: str | None = None) -> Script:
    body = await read_json(request)
    if (
        isinstance(body, dict)
        and script_id is not None
        and body.setdefault("id", script_id) != script_id
    ):
        raise BadRequest("id in the body differs from the path")
    try:
        return Script.model_validate(body)
    except ValidationError as exc:
        raise BadRequest("invalid script", validation_details(exc)) from exc


async def _changed(request: web.Request) -> None:
    await request.app[LIBRARY].refresh()


@roles(*READ, "integration")
async def suggest(request: web.Request) -> web.Response:
    """Best scripts for a question."""
    params = query(request, SuggestQuery)
    found = await request.app[LIBRARY].suggest(params.q, params.k)
    return web.json_response({"items": found.items})


@roles(*READ)
async def search_scripts(request: web.Request) -> web.Response:
    """Entries with the query's words anywhere in them (title, questions, keywords, reply),
    best first: the console's library search, for when no suggestion fits."""
    params = query(request, SearchQuery)
    found = await request.app[LIBRARY].search(params.q, params.k)
    return web.json_response(
        {"items": [_script_json(script) | {"score": score} for script, score in found]}
    )


@roles(*READ)
async def list_scripts(request: web.Request) -> web.Response:
    """The library, a page at a time, ordered by id."""
    params = query(request, ListQuery)
    engine = request.app[ENGINE]
    items = await library_repo.page(
        engine,
        after=decode_cursor(params.cursor, str),
        limit=params.limit + 1,
        category=params.category,
    )
    more = len(items) > params.limit
    items = items[: params.limit]
    next_cursor = encode_cursor(items[-1].id) if more else None
    return web.json_response({"items": [_script_json(s) for s in items], "next": next_cursor})


@roles(*READ)
async def get_script(request: web.Request) -> web.Response:
    """One script."""
    script = await library_repo.get(request.app[ENGINE], request.match_info["id"])
    if script is None:
        raise NotFound("no such script")
    return web.json_response(_script_json(script))


@roles(*WRITE)
async def create_script(request: web.Request) -> web.Response:
    """Add a script (409 if its id exists)."""
    editable(request)
    script = await _body_script(request)
    if not await library_repo.create(request.app[ENGINE], script):
        raise Conflict("a script with this id exists", {"id": script.id})
    await _changed(request)
    return web.json_response(_script_json(script), status=201)


@roles(*WRITE)
async def put_script(request: web.Request) -> web.Response:
    """Create or replace a script."""
    editable(request)
    script = await _body_script(request, request.match_info["id"])
    created = await library_repo.put(request.app[ENGINE], script)
    await _changed(request)
    return web.json_response(_script_json(script), status=201 if created else 200)


@roles(*WRITE)
async def delete_script(request: web.Request) -> web.Response:
    """Remove a script."""
    editable(request)
    if not await library_repo.remove(request.app[ENGINE], request.match_info["id"]):
        raise NotFound("no such script")
    await _changed(request)
    return web.Response(status=204)


def _format(request: web.Request, given: Format | None) -> Format:
    if given is not None:
        return given
    kind = request.content_type
    if kind in ("text/csv", "application/csv"):
        return "csv"
    if kind in ("application/toml", "text/toml", "text/x-toml"):
        return "toml"
    raise UnsupportedMediaType(
        "say the format: ?format=csv|toml, or Content-Type text/csv or application/toml",
    )


@roles(*WRITE)
async def import_scripts(request: web.Request) -> web.Response:
    """Import a TOML or CSV library: merged by id, or replacing everything; all or nothing."""
    editable(request)
    params = query(request, ImportQuery)
    fmt = _format(request, params.format)
    raw = await read_body(request)
    try:
        scripts = parse(raw.decode("utf-8"), fmt)
    except UnicodeDecodeError as exc:
        raise BadRequest("the file is not UTF-8 text") from exc
    result = await library_repo.import_scripts(
        request.app[ENGINE], scripts, replace=params.mode == "replace"
    )
    await _changed(request)
    return web.json_response(
        {
            "created": result.created,
            "updated": result.updated,
            "deleted": result.deleted,
            "total": len(scripts),
        }
    )


@roles(*READ)
async def export_scripts(request: web.Request) -> web.Response:
    """The whole library as CSV or TOML."""
    params = query(request, ExportQuery)
    _, scripts = await library_repo.load(request.app[ENGINE])
    kind = "text/csv" if params.format == "csv" else "application/toml"
    return web.Response(
        text=dump(scripts, params.format),
        content_type=kind,
        charset="utf-8",
        headers={"Content-Disposition": f'attachment; filename="scripts.{params.format}"'},
    )


@roles(*READ)
async def gaps(request: web.Request) -> web.Response:
    """Unmatched customer questions, near-duplicates grouped, most frequent first."""
    params = query(request, GapsQuery)
    since = params.since if params.since is not None else time.time() - WEEK
    rows = await library_repo.unmatched(request.app[ENGINE], since, GAP_SCAN)
    groups = group_gaps(rows)[: params.limit]
    return web.json_response(
        {
            "items": [
                {
                    "question": g.question,
                    "count": g.count,
                    "examples": g.examples,
                    "first_seen": iso(g.first_seen),
                    "last_seen": iso(g.last_seen),
                }
                for g in groups
            ],
            "next": None,
        }
    )


routes = [
    web.get("/api/v1/suggest", suggest),
    web.get("/api/v1/scripts", list_scripts),
    web.post("/api/v1/scripts", create_script),
    web.post("/api/v1/scripts/import", import_scripts),
    web.get("/api/v1/scripts/export", export_scripts),
    web.get("/api/v1/scripts/gaps", gaps),
    web.get("/api/v1/scripts/search", search_scripts),
    web.get("/api/v1/scripts/{id}", get_script),
    web.put("/api/v1/scripts/{id}", put_script),
    web.delete("/api/v1/scripts/{id}", delete_script),
]
