"""JSON errors: every error answer is ``{"error": "...", "details": ...}`` with its status."""

from __future__ import annotations

import json
import logging
from typing import Any

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.typedefs import Handler
from aiohttp.web_protocol import RequestPayloadError

from bot import safejson

log = logging.getLogger(__name__)


def json_error(
    status: type[web.HTTPException], message: str, details: Any = None, **kwargs: Any
) -> web.HTTPException:
    """An HTTP exception whose body is the contract's JSON error object."""
    body = json.dumps({"error": message, "details": details}, ensure_ascii=False)
    return status(text=body, content_type="application/json", **kwargs)


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Turn every HTTP error into JSON, and never leak a traceback to the client."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.content_type == "application/json" or exc.status < 400:
            raise
        return web.json_response(
            {"error": exc.reason, "details": None}, status=exc.status, headers=_kept_headers(exc)
        )
    except Exception:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return web.json_response({"error": "internal error", "details": None}, status=500)


def _kept_headers(exc: web.HTTPException) -> dict[str, str]:
    return {k: v for k, v in exc.headers.items() if k in ("Allow", "WWW-Authenticate")}


async def read_body(request: web.Request) -> bytes:
    """The request body: 413 over the size limit, 400 when empty or undecodable
    (a corrupt or unsupported ``Content-Encoding``)."""
    try:
        raw = await request.read()
    except web.HTTPRequestEntityTooLarge as exc:
        raise json_error(
            web.HTTPRequestEntityTooLarge,
            "request body too large",
            {"max_bytes": request.app._client_max_size},
            max_size=request.app._client_max_size,
            actual_size=request.content_length or 0,
        ) from exc
    except (HttpProcessingError, RequestPayloadError, OSError, ValueError, RuntimeError) as exc:
        # aiohttp decompresses Content-Encoding while reading: a corrupt gzip body or an
        # encoding it cannot decode (br without brotli) ends up here.
        encoding = request.headers.get("Content-Encoding")
        raise json_error(
            web.HTTPBadRequest, "the body could not be read", {"content_encoding": encoding}
        ) from exc
    if not raw:
        raise json_error(web.HTTPBadRequest, "empty body")
    return raw


async def read_json(request: web.Request) -> Any:
    """The request body as JSON: 413 over the size limit, 400 if it is not JSON."""
    raw = await read_body(request)
    try:
        return safejson.loads(raw)
    except safejson.JsonProblem as exc:
        raise json_error(web.HTTPBadRequest, "malformed JSON", {"reason": str(exc)}) from exc
