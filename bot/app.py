"""The app factory: ``create_app(settings) -> web.Application``."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import aiohttp
from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.accounts import SignIn
from bot.auth import auth_middleware
from bot.automation import Automation
from bot.availability import Availability
from bot.channels.gateway import CHANNELS, Channels
from bot.console import pages as console
from bot.delivery.alerts import AlertDispatch
from bot.delivery.outbox import Outbox
from bot.delivery.sink_formats import Context
from bot.delivery.sinks import SinkRelay
from bot.directory import Directory
from bot.errors import error_middleware
from bot.http import routes
from bot.http.kpis import KPI_TODAY, TodayCache
from bot.jobs.reports import ReportJob
from bot.jobs.scheduler import Jobs
from bot.jobs.sweeper import SWEEPER, Sweeper
from bot.keys import (
    ALERTS,
    AUTHENTICATOR,
    AVAILABILITY,
    CONSOLE_SESSIONS,
    DIRECTORY,
    ENGINE,
    LIBRARY,
    METRICS,
    PIPELINE,
    PRESENCE,
    PUBLISHER,
    SCHEDULER,
    SETTINGS,
    SIGN_IN,
    SIO,
    SUGGESTER,
    VISITORS,
    WRITER,
)
from bot.library import Library
from bot.logs import ServerLog
from bot.metrics import Metrics
from bot.pipeline import Pipeline
from bot.presence import Presence
from bot.principals import Authenticator
from bot.publisher import Publisher
from bot.realtime.customers import CustomerNamespace
from bot.realtime.janitor import Janitor, Limits
from bot.realtime.namespaces import AgentNamespace, SupervisorNamespace, make_server
from bot.rooms import PATH, SUPERVISOR_NS
from bot.security import security_headers
from bot.sessions import Sessions
from bot.settings import Settings, cron_trigger
from bot.suggester import Suggester
from bot.tasks import cancel
from bot.visitors import Visitors
from storage import users
from storage.cursors import Cursors
from storage.engine import make_engine, upgrade
from storage.engine import writer as writer_engine
from storage.kpi import rollups
from storage.writer import GroupWriter

log = logging.getLogger(__name__)
#: The longest request line or header accepted (bytes).
MAX_LINE = 64 * 1024
#: How long a stopping gateway keeps matching the messages it stored (seconds).
SUGGESTIONS_ON_CLOSE = 10.0


async def _delivery(app: web.Application) -> AsyncIterator[None]:
    """The publisher (Socket.IO pushes) and the one alert path; closed last, so the final
    sweep's alerts still go out."""
    settings = app[SETTINGS]
    await app[CHANNELS].start()
    widget = settings.widget
    publisher = Publisher(
        app[SIO],
        app[DIRECTORY],
        widget.channel if widget.enabled else None,
        settings.agent_names(),
    )
    app[PUBLISHER] = publisher
    alerts = AlertDispatch(
        publisher, app[METRICS], settings.alerts.merge_overdue_seconds, settings.agent_names()
    )
    app[ALERTS] = alerts
    try:
        yield
    finally:
        await alerts.close()
        await app[CHANNELS].close()


async def _storage(app: web.Application) -> AsyncIterator[None]:
    """Engine, migrations, script library, group writer and pipeline; everything opened
    is closed again, also when start-up fails part-way."""
    settings = app[SETTINGS]
    storage = settings.storage
    engine = make_engine(
        storage.url, pool_size=storage.pool_size, lock_timeout=storage.lock_timeout_seconds
    )
    library = Library(engine, settings.matcher)
    writer: GroupWriter | None = None
    task: asyncio.Task[None] | None = None
    outbox: Outbox | None = None
    sending: asyncio.Task[None] | None = None
    relay: SinkRelay | None = None
    relaying: asyncio.Task[None] | None = None
    heartbeat: asyncio.Task[None] | None = None
    opening: asyncio.Task[None] | None = None
    sink_session: aiohttp.ClientSession | None = None
    suggester: Suggester | None = None
    suggesting: asyncio.Task[None] | None = None
    try:
        if settings.storage.auto_migrate:
            await upgrade(engine)
        async with writer_engine(engine).begin() as conn:
            await conn.run_sync(rollups.ensure, settings.kpi.timezone)
        await library.start()
        metrics, rules, names = app[METRICS], settings.rules(), settings.agent_names()
        writer = GroupWriter(
            engine,
            max_group_events=settings.storage.max_group_events,
            on_commit=metrics.observe_commit,
            thresholds=rules,
            lock_timeout=storage.lock_timeout_seconds,
        )
        task = asyncio.create_task(writer.run(), name="replywatch-group-writer")
        publisher, alerts = app[PUBLISHER], app[ALERTS]
        sweeper = Sweeper(writer, alerts, metrics, rules, settings.roster())
        channels = app[CHANNELS]
        outbox = Outbox(
            writer, channels.adapters, channels.send, publisher, alerts, settings.delivery, metrics
        )
        sending = asyncio.create_task(outbox.run(), name="replywatch-outbox")
        context = Context(ZoneInfo(settings.kpi.timezone), names)
        relay = SinkRelay(writer, settings.alerts, metrics, context)
        alerts.on_recorded(relay.kick)
        sink_session = aiohttp.ClientSession()
        relaying = asyncio.create_task(relay.run(sink_session), name="replywatch-alert-sinks")
        automation = Automation(
            settings.automation,
            rules.hours,
            library,
            settings.has_channel,
            names,
            settings.csat.survey_script,
        )
        automation.check()
        suggester = Suggester(
            library, writer, publisher, metrics, within=settings.matcher.suggest_within_seconds
        )
        suggesting = asyncio.create_task(suggester.run(), name="replywatch-suggester")
        pipeline = Pipeline(
            writer=writer,
            publisher=publisher,
            alerts=alerts,
            metrics=metrics,
            suggester=suggester,
            engine=engine,
            wake_sweeper=sweeper.wake_at,
            on_outgoing=outbox.kick,
            automation=automation,
        )
        sweeper.on_assigned(pipeline.announce)
        app[ENGINE], app[LIBRARY], app[PIPELINE], app[SWEEPER] = engine, library, pipeline, sweeper
        app[SUGGESTER] = suggester
        app[VISITORS] = await Visitors.open(engine, settings.widget)
        app[AVAILABILITY] = availability = Availability(engine, app[SIO], rules.hours)
        if settings.widget.enabled:
            publisher.tell_visitors(availability)
            opening = asyncio.create_task(availability.run(), name="replywatch-web-chat-hours")
        app[WRITER] = writer
        sessions = Sessions(engine, app[AUTHENTICATOR], settings.console, settings.accounts)
        await sessions.start()
        app[CONSOLE_SESSIONS] = sessions
        app[SIGN_IN] = SignIn(engine, settings.accounts)
        presence = Presence(engine, writer, app[SIO], settings.presence, rules)
        presence.attach(pipeline.handle, pipeline.announce)
        app[PRESENCE] = presence
        heartbeat = asyncio.create_task(presence.run(), name="replywatch-presence")
        await users.ensure_roster(engine, settings.roster_accounts(), time.time())
        await app[DIRECTORY].refresh(engine)
        app[CHANNELS].pull(Cursors(engine), pipeline.handle)
        log.info("storage ready: %s", engine.url.render_as_string(hide_password=True))
        yield
    finally:
        # These tasks use the engine closed below.
        await cancel([app[KPI_TODAY].refreshing, heartbeat, opening])
        if PRESENCE in app:
            await app[PRESENCE].close()
        await app[CHANNELS].stop_pulling()
        if suggester is not None:  # stored messages' suggestions, before the writer stops
            await suggester.close(suggesting, SUGGESTIONS_ON_CLOSE)
        await cancel([sending])
        if outbox is not None:
            await outbox.stop()  # sends in flight still record their outcome
        if relay is not None:
            await relay.stop(relaying)
        await cancel([relaying])
        if sink_session is not None:
            await sink_session.close()
        await cancel([task])
        if writer is not None:
            writer.close()
        library.close()
        await engine.dispose()


async def _scheduler(app: web.Application) -> AsyncIterator[None]:
    """Periodic jobs: the monitor's sweep and the library refresh."""
    settings = app[SETTINGS]
    sweeper, library = app[SWEEPER], app[LIBRARY]
    jobs = Jobs(app[SCHEDULER])
    jobs.every(
        settings.monitor.sweep_seconds,
        sweeper.tick,
        "monitor-sweep",
        next_run_time=datetime.now(UTC),
    )
    jobs.every(settings.matcher.reload_seconds, library.tick, "library-refresh")
    directory, engine = app[DIRECTORY], app[ENGINE]
    jobs.every(
        settings.presence.heartbeat_seconds, lambda: directory.refresh(engine), "directory-refresh"
    )
    for index, schedule in enumerate(settings.reports.schedule):
        job = ReportJob(app[ENGINE], settings, schedule, app[METRICS])
        trigger = cron_trigger(schedule.cron, settings.kpi.timezone)
        jobs.cron(trigger, job.run, f"report-{index}-{schedule.period}")
    jobs.scheduler.start()
    try:
        yield
    finally:
        await jobs.stop()
        await sweeper.stop()


async def _realtime(app: web.Application) -> AsyncIterator[None]:
    """The socket janitor while the app runs; Socket.IO shut down last."""
    realtime = app[SETTINGS].realtime
    janitor = Janitor(
        app[SIO],
        Limits(
            join_seconds=realtime.join_seconds,
            max_queued=realtime.max_queued_messages,
            every_seconds=min(2.0, realtime.join_seconds / 2),
        ),
    )
    task = asyncio.create_task(janitor.run(), name="replywatch-socket-janitor")
    try:
        yield
    finally:
        await cancel([task])
        await app[SIO].shutdown()


def create_app(settings: Settings) -> web.Application:
    """Build the gateway: HTTP API, Socket.IO namespaces, storage and background tasks."""
    authenticator = Authenticator(settings.auth)
    app = web.Application(
        client_max_size=settings.server.max_body_bytes,
        middlewares=[security_headers, error_middleware, auth_middleware(authenticator)],
        # Longer request lines and headers than aiohttp's 8 KiB, so that every query the
        # API accepts (a 2,000-character question, percent-encoded) reaches validation.
        handler_args={
            "max_line_size": MAX_LINE,
            "max_field_size": MAX_LINE,
            "logger": ServerLog(),
        },
    )
    app[SETTINGS] = settings
    app[AUTHENTICATOR] = authenticator
    app[METRICS] = Metrics()
    app[DIRECTORY] = Directory()
    sio = make_server(settings.realtime, web_chat=settings.widget.enabled)
    sio.register_namespace(AgentNamespace(authenticator, app))
    sio.register_namespace(SupervisorNamespace(SUPERVISOR_NS, authenticator, app))
    if settings.widget.enabled:
        sio.register_namespace(CustomerNamespace(app))
    sio.attach(app, socketio_path=PATH)
    app[SIO] = sio
    app[SCHEDULER] = AsyncIOScheduler(timezone="UTC")
    app.cleanup_ctx.extend([_delivery, _storage, _scheduler, _realtime])
    app.add_routes(routes())
    app[CHANNELS] = Channels(settings)
    app.add_routes(app[CHANNELS].routes())
    app[KPI_TODAY] = TodayCache()
    console.setup(app)
    return app
