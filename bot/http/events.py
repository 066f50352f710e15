"""HTTP API: event ingest and health endpoints (docs/http-api.md)."""

from __future__ import annotations

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

from bot.auth import roles
from bot.bodies import read_json
from bot.errors import BadRequest, Unavailable
from bot.keys import ENGINE, METRICS, PIPELINE, SETTINGS
from bot.schemas import EventValidationError, parse_events
from storage.queries import ping


@roles("integration", "admin")
async def post_events(request: web.Request) -> web.Response:
    """Store one event or a batch; answer 202 only after commit."""
    body = await read_json(request)
    settings = request.app[SETTINGS]
    try:
        events = parse_events(body, max_events=settings.server.max_batch_events)
    except EventValidationError as exc:
        raise BadRequest("invalid event", exc.details) from exc
    result = await request.app[PIPELINE].handle(events)
    return web.json_response(
        {"accepted": result.accepted, "duplicates": result.duplicates}, status=202
    )


async def healthz(request: web.Request) -> web.Response:
    """The process is alive."""
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    """The database answers."""
    try:
        await ping(request.app[ENGINE])
    except Exception as exc:  # any driver error means "not ready"
        raise Unavailable("database unreachable", {"reason": type(exc).__name__}) from exc
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
