"""The objects the app shares between handlers, each under one typed ``web.AppKey``.

Set by :func:`bot.app.create_app` (or its cleanup contexts) and read by the adapters as
``request.app[PIPELINE]``. Every type here belongs to the core, so the keys need no
import an adapter could close into a cycle; an object only one adapter reads has its key
in that adapter (``bot.channels.CHANNELS``, ``bot.http.kpis.KPI_TODAY``,
``bot.jobs.sweeper.SWEEPER``).
"""

from __future__ import annotations

import socketio
from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.accounts import SignIn
from bot.availability import Availability
from bot.delivery.alerts import AlertDispatch
from bot.directory import Directory
from bot.library import Library
from bot.metrics import Metrics
from bot.pipeline import Pipeline
from bot.presence import Presence
from bot.principals import Authenticator
from bot.publisher import Publisher
from bot.sessions import Sessions
from bot.settings import Settings
from bot.suggester import Suggester
from bot.visitors import Visitors
from storage.writer import GroupWriter

SETTINGS = web.AppKey("settings", Settings)
#: The configured tokens (the middleware, the namespaces and console sessions share it).
AUTHENTICATOR = web.AppKey("authenticator", Authenticator)
METRICS = web.AppKey("metrics", Metrics)
SIO = web.AppKey("sio", socketio.AsyncServer)
SCHEDULER = web.AppKey("scheduler", AsyncIOScheduler)
PUBLISHER = web.AppKey("publisher", Publisher)
#: Agents' groups (what group leaders see).
DIRECTORY = web.AppKey("directory", Directory)
ALERTS = web.AppKey("alerts", AlertDispatch)
#: The database (set once storage is up, like everything below).
ENGINE = web.AppKey("engine", AsyncEngine)
#: The live script library.
LIBRARY = web.AppKey("library", Library)
#: The one entry point for events.
PIPELINE = web.AppKey("pipeline", Pipeline)
SUGGESTER = web.AppKey("suggester", Suggester)
#: Console sign-ins.
CONSOLE_SESSIONS = web.AppKey("console_sessions", Sessions)
#: People's sign-in with name and password.
SIGN_IN = web.AppKey("sign_in", SignIn)
#: Live connections and agents' presence, on record for every process.
PRESENCE = web.AppKey("presence", Presence)
#: The group writer: write transactions serialised with ingest (routing, transfers).
WRITER = web.AppKey("writer", GroupWriter)
#: Web chat visitor tokens and identities (DESIGN.md section 13).
VISITORS = web.AppKey("visitors", Visitors)
#: What the web chat's customers are told about being answered.
AVAILABILITY = web.AppKey("availability", Availability)
