"""Reading request bodies safely (the HTTP API and the channels' webhooks alike)."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.web_protocol import RequestPayloadError

from bot import safejson
from bot.errors import BadRequest, TooLarge


async def read_body(request: web.Request) -> bytes:
    """The request body: 413 over the size limit, 400 when empty or undecodable (a corrupt
    or unsupported ``Content-Encoding``). Both answers close the connection: the rest of
    the body was never read, so the connection cannot carry another request."""
    limit = request.app._client_max_size
    try:
        raw = await request.read()
    except web.HTTPRequestEntityTooLarge as exc:
        raise TooLarge("request body too large", {"max_bytes": limit}, close=True) from exc
    except (HttpProcessingError, RequestPayloadError, OSError, ValueError, RuntimeError) as exc:
        # aiohttp decompresses Content-Encoding while reading: a corrupt gzip body or an
        # encoding it cannot decode (br without brotli) ends up here.
        encoding = request.headers.get("Content-Encoding")
        raise BadRequest(
            "the body could not be read", {"content_encoding": encoding}, close=True
        ) from exc
    if not raw:
        raise BadRequest("empty body")
    return raw


async def read_json(request: web.Request) -> Any:
    """The request body as JSON: 413 over the size limit, 400 if it is not JSON."""
    raw = await read_body(request)
    try:
        return safejson.loads(raw)
    except safejson.JsonProblem as exc:
        raise BadRequest("malformed JSON", {"reason": str(exc)}) from exc
