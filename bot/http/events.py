"""HTTP API: event ingest and health endpoints (DESIGN.md §5)."""

from __future__ import annotations

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

from bot.http.auth import roles
from bot.http.errors import json_error, read_json
from bot.keys import METRICS, SERVICES, SETTINGS
from bot.schemas import EventValidationError, parse_events
from storage.queries import ping
from storage.writer import StorageRejected, StorageUnavailable


@roles("integration", "admin")
async def post_events(request: web.Request) -> web.Response:
    """Store one event or a batch; answer 202 only after commit."""
    body = await read_json(request)
    settings = request.app[SETTINGS]
    try:
        events = parse_events(body, max_events=settings.server.max_batch_events)
    except EventValidationError as exc:
        raise json_error(web.HTTPBadRequest, "invalid event", exc.details) from exc
    try:
        result = await request.app[SERVICES].pipeline.handle(events)
    except StorageRejected as exc:
        raise json_error(
            web.HTTPUnprocessableEntity,
            "the database refused these events: nothing was stored, do not retry as is",
            {"reason": exc.reason},
        ) from exc
    except StorageUnavailable as exc:
        raise json_error(
            web.HTTPServiceUnavailable, "storage unavailable: nothing was stored, retry"
        ) from exc
    return web.json_response(
        {"accepted": result.accepted, "duplicates": result.duplicates}, status=202
    )


async def healthz(request: web.Request) -> web.Response:
    """The process is alive."""
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    """The database answers."""
    try:
        await ping(request.app[SERVICES].engine)
    except Exception as exc:  # any driver error means "not ready"
        raise json_error(
            web.HTTPServiceUnavailable, "database unreachable", {"reason": type(exc).__name__}
        ) from exc
    return web.json_response({"status": "ready"})


async def metrics(request: web.Request) -> web.Response:
    """Prometheus text exposition."""
    body = request.app[METRICS].render()
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})


routes = [
    web.post("/api/v1/events", post_events),
    web.get("/healthz", healthz),
    web.get("/readyz", readyz),
    web.get("/metrics", metrics),
]
