"""The console's pages: sign-in at ``/``, sign-out, the language switch, and the
server-rendered shells under ``/console/`` that load plain ES modules from ``/static/``.

A page without a valid session redirects to ``/``; a session of the wrong role gets
403. Every response carries a Content-Security-Policy that allows only this origin's
scripts and styles (no inline script), so customer text can never run as code.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp_jinja2
import jinja2
from aiohttp import web

from bot.console import i18n, webchat
from bot.console.assets import STATIC, asset
from bot.errors import TooManyRequests, Unauthorized
from bot.keys import CONSOLE_SESSIONS, SETTINGS, SIGN_IN
from bot.payloads import rules_json
from bot.security import same_origin
from bot.sessions import SignedIn

HOME = {
    "agent": "/console/agent",
    "supervisor": "/console/supervisor",
    "admin": "/console/supervisor",
    "group_leader": "/console/supervisor",
    "qa": "/console/qa",
}
#: Who may open each console page.
PAGES: dict[str, tuple[str, ...]] = {
    "agent": ("agent",),
    "quality": ("agent",),
    "supervisor": ("supervisor", "group_leader", "admin"),
    "qa": ("qa", "supervisor", "group_leader", "admin"),
    "library": ("supervisor", "admin"),
    "reports": ("supervisor", "qa", "admin"),
    "assessment": ("supervisor", "group_leader", "qa", "admin"),
    "complaints": ("agent", "supervisor", "group_leader", "qa", "admin"),
    "team": ("admin",),
}


def _language(request: web.Request) -> i18n.Language:
    return i18n.choose(request, request.app[SETTINGS].console.default_language)


def _context(request: web.Request, signed_in: SignedIn | None, **extra: Any) -> dict[str, Any]:
    language = _language(request)
    principal = signed_in.principal if signed_in else None
    nav = [
        (f"/console/{page}", f"nav.{page}")
        for page, allowed in PAGES.items()
        if principal is not None and principal.role in allowed
    ]
    return {
        "lang": language,
        "other": "en" if language == "zh-CN" else "zh-CN",
        "t": i18n.dictionary(language),
        "asset": asset,
        "user": principal,
        "csrf": signed_in.session.csrf if signed_in else "",
        "nav": nav,
        "path": request.path,
        **extra,
    }


def _same_origin(request: web.Request) -> bool:
    return same_origin(request.headers.get("Origin"), request.host)


async def signin_page(request: web.Request) -> web.StreamResponse:
    """The sign-in form (a signed-in browser goes straight to its home page)."""
    signed_in = await request.app[CONSOLE_SESSIONS].from_request(request)
    if signed_in is not None and signed_in.principal.role in HOME:
        raise web.HTTPFound(HOME[signed_in.principal.role])
    return aiohttp_jinja2.render_template("signin.html", request, _context(request, None))


def _refused(
    request: web.Request, key: str, status: int, headers: dict[str, str] | None = None
) -> web.Response:
    context = _context(request, None, error=key)
    response = aiohttp_jinja2.render_template("signin.html", request, context, status=status)
    response.headers.update(headers or {})
    return response


async def sign_in(request: web.Request) -> web.StreamResponse:
    """Check the name and password (or a token), open a session, and send the browser to
    its role's home page."""
    if not _same_origin(request):
        return _refused(request, "signin.error.origin", 403)
    form = await request.post()
    token, username = _field(form, "token").strip(), _field(form, "username").strip()
    password = _field(form, "password")  # as typed: spaces may belong to it
    sessions = request.app[CONSOLE_SESSIONS]
    if token:
        opened = await sessions.sign_in(token)
        if opened is None:
            return _refused(request, "signin.error.unknown", 401)
        lifetime = sessions.lifetime
    elif username and password:
        try:
            user = await request.app[SIGN_IN].check(username, password)
        except TooManyRequests as exc:
            return _refused(request, "signin.error.throttled", 429, exc.headers)
        except Unauthorized:
            return _refused(request, "signin.error.password", 401)
        raw, signed_in = await sessions.open_for(user)
        opened, lifetime = (sessions.cookie_value(raw), signed_in), sessions.account_lifetime
    else:
        return _refused(request, "signin.error.empty", 400)
    cookie, signed_in = opened
    home = HOME.get(signed_in.principal.role)
    if home is None:
        await sessions.sign_out(signed_in)
        return _refused(request, "signin.error.role", 403)
    response = web.HTTPSeeOther(home)
    sessions.set_cookie(response, cookie, lifetime)
    raise response


def _field(form: Any, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


async def sign_out(request: web.Request) -> web.StreamResponse:
    """End the session (form post with the session's CSRF token) and go back to ``/``."""
    sessions = request.app[CONSOLE_SESSIONS]
    signed_in = await sessions.from_request(request)
    form = await request.post()
    given = form.get("csrf")
    if signed_in is not None:
        if not signed_in.csrf_ok(given if isinstance(given, str) else None):
            raise web.HTTPForbidden(text="missing or wrong CSRF token")
        await sessions.sign_out(signed_in)
    response = web.HTTPSeeOther("/")
    sessions.clear_cookie(response)
    raise response


async def switch_language(request: web.Request) -> web.StreamResponse:
    """``/lang/<zh-CN|en>``: remember the choice and go back where the switch was."""
    language = request.match_info["language"]
    if language not in i18n.LANGUAGES:
        raise web.HTTPNotFound(text="unknown language")
    back = request.query.get("next", "/")
    if not back.startswith("/") or back.startswith("//"):
        back = "/"
    response = web.HTTPSeeOther(back)
    response.set_cookie(
        i18n.COOKIE, language, max_age=365 * 86_400, path="/", samesite="Strict", httponly=True
    )
    raise response


def page(name: str) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """A console page shell for the roles in :data:`PAGES`."""

    async def handler(request: web.Request) -> web.StreamResponse:
        signed_in = await request.app[CONSOLE_SESSIONS].from_request(request)
        if signed_in is None:
            raise web.HTTPFound("/")
        if signed_in.principal.role not in PAGES[name]:
            context = _context(request, signed_in, page=name)
            return aiohttp_jinja2.render_template("forbidden.html", request, context, status=403)
        config = {
            "page": name,
            "lang": _language(request),
            "agent_id": signed_in.principal.agent_id,
            "role": signed_in.principal.role,
            "csrf": signed_in.session.csrf,
            "qa_categories": [
                {"id": c.id, "name": c.name, "points": c.points}
                for c in request.app[SETTINGS].qa.category
            ],
            "rules": rules_json(request.app[SETTINGS].monitor),
            "adjustment_limit": request.app[SETTINGS].assessment.adjustment_limit,
            "complaint_categories": request.app[SETTINGS].complaints.categories,
        }
        context = _context(request, signed_in, page=name, config=config)
        return aiohttp_jinja2.render_template(f"{name}.html", request, context)

    handler.__name__ = f"{name}_page"
    return handler


def setup(app: web.Application) -> None:
    """Templates, static files and the console's routes."""
    aiohttp_jinja2.setup(
        app,
        loader=jinja2.PackageLoader("bot.console", "templates"),
        autoescape=jinja2.select_autoescape(default=True),
        undefined=jinja2.StrictUndefined,
    )
    app.add_routes(
        [
            web.get("/", signin_page),
            web.post("/", sign_in),
            web.post("/signout", sign_out),
            web.get("/lang/{language}", switch_language),
            *(web.get(f"/console/{name}", page(name)) for name in PAGES),
            *webchat.routes,
            web.static("/static", STATIC, append_version=False),
        ]
    )
