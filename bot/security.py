"""Browser security shared by the console, the API and Socket.IO: the headers every answer
carries (a Content-Security-Policy allowing only this origin's scripts and styles, no
inline script), the same-origin check for sign-in forms and WebSocket handshakes, and the
header that carries a session's CSRF token."""

from __future__ import annotations

from aiohttp import web
from aiohttp.typedefs import Handler
from yarl import URL

#: The header a console page sends its session's CSRF token in.
CSRF_HEADER = "X-CSRF-Token"
CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)


@web.middleware
async def security_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    """CSP and friends on every answer (pages, assets and API alike)."""
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        _harden(exc)
        raise
    _harden(response)
    return response


def _harden(response: web.StreamResponse) -> None:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]:
        # Pages that may be framed (the web chat) say where in their CSP instead.
        response.headers.setdefault("X-Frame-Options", "DENY")


def same_origin(origin: str | None, host: str | None) -> bool:
    """Whether a browser's ``Origin`` header names this server (its ``Host``); browsers
    send one on form posts and WebSocket handshakes, so a page of another site is
    refused. The scheme is not compared (TLS usually ends at a proxy in front). No
    header at all (a script, not a browser page) passes: the cookie still binds it."""
    if origin is None:
        return True
    theirs, ours = URL(origin), URL(f"//{host or ''}")
    if not theirs.is_absolute() or not ours.host:
        return False
    return (theirs.host, theirs.explicit_port) == (ours.host, ours.explicit_port)
