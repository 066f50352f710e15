"""Every object the app shares between handlers, each under one typed ``web.AppKey``.

Set by :func:`bot.app.create_app` (or its cleanup contexts) and read by handlers as
``request.app[SERVICES]``. The types are imported for the type checker only, so any
module of ``bot`` can import its keys from here without import cycles.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    import socketio
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    from bot.channels.gateway import Channels
    from bot.console.sessions import Sessions
    from bot.delivery.alerts import AlertDispatch
    from bot.http.auth import Authenticator
    from bot.http.kpis import TodayCache
    from bot.metrics import Metrics
    from bot.realtime.publisher import Publisher
    from bot.services import Services
    from bot.settings import Settings

SETTINGS: web.AppKey[Settings] = web.AppKey("settings")
#: The configured tokens (the middleware, the namespaces and console sessions share it).
AUTHENTICATOR: web.AppKey[Authenticator] = web.AppKey("authenticator")
METRICS: web.AppKey[Metrics] = web.AppKey("metrics")
SIO: web.AppKey[socketio.AsyncServer] = web.AppKey("sio")
SCHEDULER: web.AppKey[AsyncIOScheduler] = web.AppKey("scheduler")
PUBLISHER: web.AppKey[Publisher] = web.AppKey("publisher")
ALERTS: web.AppKey[AlertDispatch] = web.AppKey("alerts")
CHANNELS: web.AppKey[Channels] = web.AppKey("channels")
SERVICES: web.AppKey[Services] = web.AppKey("services")
#: Today's KPI figures, reused by the live view for a while (``GET /api/v1/agents``).
KPI_TODAY: web.AppKey[TodayCache] = web.AppKey("kpi_today")
#: Console sign-ins (set once storage is up).
CONSOLE_SESSIONS: web.AppKey[Sessions] = web.AppKey("console_sessions")
