"""Query-string validation and opaque paging cursors shared by the HTTP handlers."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any, TypeVar

from aiohttp import web
from pydantic import BaseModel, ConfigDict, ValidationError

from bot.http.errors import json_error
from bot.schemas import validation_details


class Query(BaseModel):
    """Base of query-string models: unknown parameters are refused."""

    model_config = ConfigDict(extra="forbid", frozen=True)


Q = TypeVar("Q", bound=Query)


def query(request: web.Request, model: type[Q]) -> Q:
    """Validated query parameters (400 naming each bad one)."""
    try:
        return model.model_validate(dict(request.query))
    except ValidationError as exc:
        raise json_error(web.HTTPBadRequest, "invalid query", validation_details(exc)) from exc


def encode_cursor(after: Any) -> str:
    """An opaque cursor for the item ``after`` (a JSON value)."""
    return base64.urlsafe_b64encode(json.dumps({"after": after}).encode()).decode()


def decode_cursor(cursor: str | None, kind: type | tuple[type, ...]) -> Any:
    """The value inside ``cursor`` (None without one); 400 unless it is a ``kind``."""
    if cursor is None:
        return None
    try:
        after = json.loads(base64.urlsafe_b64decode(cursor.encode()))["after"]
    except (binascii.Error, ValueError, KeyError, TypeError) as exc:
        raise json_error(web.HTTPBadRequest, "invalid cursor") from exc
    if not isinstance(after, kind):
        raise json_error(web.HTTPBadRequest, "invalid cursor")
    return after
