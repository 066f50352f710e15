"""Query-string and JSON-body validation and opaque paging cursors shared by the HTTP
handlers."""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any, TypeVar

from aiohttp import web
from pydantic import BaseModel, ConfigDict, ValidationError

from bot import safejson
from bot.bodies import read_json
from bot.errors import BadRequest, NotFound
from bot.schemas import validation_details


class Query(BaseModel):
    """Base of query-string models: unknown parameters are refused."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class NoQuery(Query):
    """An endpoint without parameters: any given one is refused like elsewhere."""


Q = TypeVar("Q", bound=Query)


def query(request: web.Request, model: type[Q]) -> Q:
    """Validated query parameters (400 naming each bad one)."""
    try:
        return model.model_validate(dict(request.query))
    except ValidationError as exc:
        raise BadRequest("invalid query", validation_details(exc)) from exc


M = TypeVar("M", bound=BaseModel)


async def body(request: web.Request, model: type[M], what: str) -> M:
    """The JSON body validated as ``model`` (400 ``invalid <what>`` naming each problem)."""
    try:
        return model.model_validate(await read_json(request))
    except ValidationError as exc:
        raise BadRequest(f"invalid {what}", validation_details(exc)) from exc


def encode_cursor(after: Any) -> str:
    """An opaque cursor for the item ``after`` (a JSON value)."""
    return base64.urlsafe_b64encode(json.dumps({"after": after}).encode()).decode()


def decode_cursor(cursor: str | None, kind: type | tuple[type, ...]) -> Any:
    """The value inside ``cursor`` (None without one); 400 unless it is a ``kind``."""
    if cursor is None:
        return None
    try:
        after = safejson.loads(base64.urlsafe_b64decode(cursor.encode()))["after"]
    except (binascii.Error, ValueError, KeyError, TypeError) as exc:
        raise BadRequest("invalid cursor") from exc
    if not _fits(after, kind):
        raise BadRequest("invalid cursor")
    return after


#: Cursor numbers are row ids and epoch seconds: both fit a signed 64-bit column.
_LIMIT = 2**63 - 1


def _fits(value: Any, kind: type | tuple[type, ...]) -> bool:
    """A cursor value of the expected type whose numbers a database column can hold
    (``bool`` is not a number here, though Python says it is)."""
    if isinstance(value, bool) or not isinstance(value, kind):
        return False
    items = value if isinstance(value, list) else [value]
    return all(
        not isinstance(v, bool)
        and (not isinstance(v, int | float) or -_LIMIT <= v <= _LIMIT)
        and not isinstance(v, dict | list)
        for v in items
    )


def path_id(request: web.Request, what: str) -> int:
    """The ``{id}`` of the path as a row id; anything but 1-18 ASCII digits is a 404
    (``"²"`` and ``"١"`` are digits to Python, not ids)."""
    raw = request.match_info["id"]
    if not re.fullmatch(r"[0-9]{1,18}", raw):
        raise NotFound(f"no such {what}")
    return int(raw)
