"""Alerts out to the supervisors' group chats and webhooks, durably (docs/rules.md).

Every recorded alert has an outbox row (:mod:`storage.sinks`); this relay, woken by
the alert dispatch and every ``alerts.poll_seconds``, fans the outbox out to one
delivery per sink, leases each sink's due deliveries (after ``merge_seconds`` for a
burst), sends them in the sink's format (:mod:`bot.delivery.sink_formats`) and
records the outcome: sent, retried with backoff, or given up after ``retries``.
Deliveries live in the database, so a crash or restart loses none, and any process
may send them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Sequence

import aiohttp
from yarl import URL

from bot.delivery import sink_formats
from bot.delivery.sink_formats import Context, Outgoing
from bot.delivery.webhooks import Failure, backoff, retry_after
from bot.logs import Incident
from bot.metrics import Metrics
from bot.settings import AlertsSettings, SinkSettings
from storage import sinks
from storage.sinks import Claimed, Route
from storage.writer import GroupWriter

log = logging.getLogger(__name__)
BATCH = 50


class Sink:
    """One configured sink: its settings, a loggable name and its send loop's state."""

    def __init__(self, settings: SinkSettings) -> None:
        self.settings = settings
        self.key = settings.key
        # Only the origin is logged: robot URLs carry their access token.
        self.name = f"{settings.type} {URL(settings.url).origin()} ({self.key})"


class SinkRelay:
    """Fans alerts out to the sinks and sends them (one relay per process)."""

    def __init__(
        self, writer: GroupWriter, settings: AlertsSettings, metrics: Metrics, context: Context
    ) -> None:
        self._writer = writer
        self._settings = settings
        self._metrics = metrics
        self._context = context
        self._sinks = [Sink(s) for s in settings.sinks()]
        self._routes = [Route(s.key, s.settings.wanted) for s in self._sinks]
        self._wake = asyncio.Event()
        self._incident = Incident(log, "relaying alerts to the sinks")
        self._sending: set[asyncio.Task[None]] = set()
        self._stopping = False

    def kick(self) -> None:
        """New alerts were recorded: relay them now."""
        self._wake.set()

    async def run(self, session: aiohttp.ClientSession) -> None:
        """Relay until :meth:`stop` (outbox rows are cleared even with no sink configured).
        A pass is never cut in the middle, so no delivery is left claimed but unsent.
        Without sinks there is nothing to retry: it wakes only when alerts are recorded
        (and once at start), so an idle service makes no write transaction for it."""
        self._wake.set()
        while not self._stopping:
            wait: float | None = None
            if self._sinks:
                poll = self._settings.poll_seconds
                wait = min([poll, *(s.settings.merge or poll for s in self._sinks)])
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), wait)
            self._wake.clear()
            if self._stopping:
                return
            try:
                await self.pass_once(session)
            except Exception as exc:
                self._incident.failed(exc)
                continue
            self._incident.ok()

    async def pass_once(self, session: aiohttp.ClientSession) -> None:
        """Fan out the outbox, then claim and start sending each sink's due deliveries."""
        taken = sinks.FAN_OUT_BATCH
        while taken == sinks.FAN_OUT_BATCH:
            taken = await self._writer.call(sinks.fan_out, self._routes, time.time())
        for sink in self._sinks:
            claimed = await self._writer.call(
                sinks.claim,
                sink.key,
                time.time(),
                self._settings.lease_seconds,
                sink.settings.merge,
                BATCH,
            )
            if not claimed:
                continue
            task = asyncio.create_task(self._send(session, sink, claimed), name=f"sink-{sink.key}")
            self._sending.add(task)
            task.add_done_callback(self._sending.discard)
            if len(claimed) == BATCH:
                self._wake.set()

    async def _send(
        self, session: aiohttp.ClientSession, sink: Sink, claimed: list[Claimed]
    ) -> None:
        attempts = {c.pk: c.attempts for c in claimed}
        pairs = [(c.pk, c.alert) for c in claimed]
        try:
            for request in sink_formats.requests(sink.settings, pairs, self._context):
                failure = await self._post(session, sink, request)
                tries = max(attempts[pk] for pk in request.covers)
                await self._record(sink, request.covers, failure, tries)
        except Exception:
            # Left "sending": the lease runs out and a later pass retries them.
            log.exception("alert sink %s: sending failed", sink.name)

    async def _post(
        self, session: aiohttp.ClientSession, sink: Sink, request: Outgoing
    ) -> Failure | None:
        timeout = aiohttp.ClientTimeout(total=sink.settings.timeout_seconds)
        try:
            async with session.post(
                request.url, data=request.body, headers=request.headers, timeout=timeout
            ) as resp:
                text = await resp.text(errors="replace")
                return sink_formats.outcome(
                    sink.settings.type, resp.status, text, retry_after(resp.headers)
                )
        except (aiohttp.ClientError, TimeoutError) as exc:
            return Failure(type(exc).__name__, retry=True)

    async def _record(
        self, sink: Sink, pks: Sequence[int], failure: Failure | None, attempts: int
    ) -> None:
        now = time.time()
        settings = sink.settings
        if failure is None:
            await self._writer.call(sinks.sent, pks, now)
            self._metrics.sink_deliveries.labels(settings.type, "sent").inc(len(pks))
            return
        if failure.retry and attempts <= settings.retries:
            cap = settings.max_backoff_seconds
            delay = backoff(attempts, settings.backoff_seconds, cap, failure.retry_after)
            await self._writer.call(sinks.retry, pks, failure.reason, now + delay)
            self._metrics.sink_deliveries.labels(settings.type, "retried").inc(len(pks))
            log.warning("alert sink %s: %s; retry in %.1fs", sink.name, failure.reason, delay)
            return
        await self._writer.call(sinks.failed, pks, failure.reason)
        self._metrics.sink_deliveries.labels(settings.type, "failed").inc(len(pks))
        log.error(
            "alert sink %s: gave up on %d alert(s) after %d attempt(s): %s",
            sink.name,
            len(pks),
            attempts,
            failure.reason,
        )

    async def stop(self, running: asyncio.Task[None] | None) -> None:
        """Finish the current pass, then give sends in flight ``drain_seconds`` (what is
        not sent stays stored, and its lease lets any process retry it)."""
        self._stopping = True
        self._wake.set()
        if running is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(running), self._settings.drain_seconds)
        if self._sending:
            await asyncio.wait(set(self._sending), timeout=self._settings.drain_seconds)
        for task in list(self._sending):
            task.cancel()
