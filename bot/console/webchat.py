"""The web chat page ``/chat`` (DESIGN.md section 13): the customer's side of a
conversation, for links and QR codes, and what ``/widget.js`` opens in a frame.

The page may be framed by this service's pages and by ``[widget] allowed_origins``
only (CSP ``frame-ancestors``); a browser loading it into a frame of any other site is
refused with 403. It carries a fresh visitor token, which the page keeps only when the
browser has none yet (so a returning browser keeps its conversation).
"""

from __future__ import annotations

import aiohttp_jinja2
from aiohttp import web
from yarl import URL

from bot.console import i18n
from bot.console.assets import STATIC, asset
from bot.keys import SETTINGS, VISITORS
from bot.security import CSP
from bot.settings import WidgetSettings
from bot.visitors import allowed_origin
from monitors.satisfaction import CHOICES_EN, CHOICES_ZH


def _framed_by_stranger(request: web.Request, settings: WidgetSettings) -> bool:
    """Whether the browser loads the page into a frame of a site not allowed to."""
    if request.headers.get("Sec-Fetch-Dest") not in ("iframe", "frame"):
        return False
    if request.headers.get("Sec-Fetch-Site") in ("same-origin", None):
        return False
    referer = request.headers.get("Referer")
    if referer is None:
        return True  # a cross-site frame that hides where it is: not provably allowed
    try:
        origin = str(URL(referer).origin())
    except ValueError:  # not an absolute URL
        return True
    return not allowed_origin(origin, request.host, settings)


def frame_policy(settings: WidgetSettings) -> str:
    """The CSP with the embedding sites allowed as frame ancestors."""
    ancestors = " ".join(["'self'", *settings.allowed_origins])
    return CSP.replace("frame-ancestors 'none'", f"frame-ancestors {ancestors}")


async def chat_page(request: web.Request) -> web.StreamResponse:
    """``GET /chat``: the customer's chat (``?embed=1`` inside the widget's frame)."""
    settings = request.app[SETTINGS]
    widget = settings.widget
    if not widget.enabled:
        raise web.HTTPNotFound(text="the web chat is off")
    if _framed_by_stranger(request, widget):
        raise web.HTTPForbidden(text="this site may not embed the chat")
    language = i18n.choose(request, settings.console.default_language)
    strings = {k: v for k, v in i18n.dictionary(language).items() if k.startswith("chat.")}
    config = {
        "visitor": request.app[VISITORS].issue(),
        "max_chars": widget.max_message_chars,
        "embedded": request.query.get("embed") == "1",
        "survey_choices": CHOICES_ZH if language == "zh-CN" else CHOICES_EN,
    }
    context = {"lang": language, "t": strings, "config": config, "asset": asset}
    response = aiohttp_jinja2.render_template("chat.html", request, context)
    response.headers["Content-Security-Policy"] = frame_policy(widget)
    return response


async def widget_script(request: web.Request) -> web.StreamResponse:
    """``GET /widget.js``: the embeddable button and panel (plain script, no build)."""
    if not request.app[SETTINGS].widget.enabled:
        raise web.HTTPNotFound(text="the web chat is off")
    body = (STATIC / "widget.js").read_bytes()
    headers = {"Cache-Control": "public, max-age=300"}
    return web.Response(body=body, content_type="text/javascript", charset="utf-8", headers=headers)


routes = [web.get("/chat", chat_page), web.get("/widget.js", widget_script)]
