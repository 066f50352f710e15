"""Sends agents' replies out through their IM channel, from the durable outbox.

A reply is stored with its outbox row first (``storage.deliveries``); this loop
claims due rows (woken at once by the pipeline after a commit, and every
``delivery.poll_seconds`` for retries and for rows another process left), sends
them, and records the outcome: sent, retried later with backoff, or failed with
its reason, which raises a ``delivery.failed`` alert to the reply's author.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Collection, Sequence

from bot.delivery.alerts import AlertDispatch
from bot.delivery.webhooks import backoff
from bot.errors import DeliveryError
from bot.logs import Incident
from bot.metrics import Metrics
from bot.publisher import Publisher
from bot.settings import DeliverySettings
from monitors.satisfaction import SURVEY, survey_choices
from storage import deliveries, leases
from storage.deliveries import Claimed
from storage.writer import GroupWriter

log = logging.getLogger(__name__)
BATCH = 50
#: Sends a reply through a channel's adapter: (channel, conversation id, text, answer
#: buttons) -> the platform's message id; raises :class:`~bot.errors.DeliveryError`.
Send = Callable[[str, str, str, Sequence[str]], Awaitable[str | None]]


class Outbox:
    """The delivery loop of one process."""

    def __init__(
        self,
        writer: GroupWriter,
        channels: Collection[str],
        send: Send,
        publisher: Publisher,
        alerts: AlertDispatch,
        settings: DeliverySettings,
        metrics: Metrics,
    ) -> None:
        self._alerts = alerts
        self._metrics = metrics
        self._writer = writer
        self._channels = sorted(channels)
        self._send_through = send
        self._publisher = publisher
        self._settings = settings
        self._wake = asyncio.Event()
        self._incident = Incident(log, "claiming deliveries")
        self._sending: set[asyncio.Task[None]] = set()

    def kick(self) -> None:
        """Look for due deliveries now (a reply was just stored)."""
        self._wake.set()

    async def run(self) -> None:
        """Claim and send until cancelled."""
        names = self._channels
        if not names:
            return
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._settings.poll_seconds)
            self._wake.clear()
            try:
                claimed = await self._writer.call(
                    deliveries.claim, names, time.time(), self._settings.lease_seconds, BATCH
                )
            except Exception as exc:
                self._incident.failed(exc)
                continue
            self._incident.ok()
            for delivery in claimed:
                task = asyncio.create_task(self._send(delivery), name=f"deliver-{delivery.pk}")
                self._sending.add(task)
                task.add_done_callback(self._sending.discard)
            if len(claimed) == BATCH:
                self._wake.set()  # more may be due

    async def _send(self, delivery: Claimed) -> None:
        try:
            choices = survey_choices(delivery.text) if delivery.reason == SURVEY else ()
            remote = await self._send_through(
                delivery.channel, delivery.conversation_id, delivery.text, choices
            )
        except DeliveryError as exc:
            await self._failed(delivery, exc)
            return
        except Exception:
            log.exception("delivery %s: the %s adapter failed", delivery.pk, delivery.channel)
            await self._failed(delivery, DeliveryError("adapter error", retry=True))
            return
        await self._writer.call(deliveries.sent, delivery.pk, remote, time.time())
        self._metrics.deliveries.labels(delivery.channel, "sent").inc()
        await self._notify(delivery, leases.SENT, None)

    async def _failed(self, delivery: Claimed, error: DeliveryError) -> None:
        now = time.time()
        settings = self._settings
        if error.retry and delivery.attempts <= settings.retries:
            delay = backoff(
                delivery.attempts,
                settings.backoff_seconds,
                settings.max_backoff_seconds,
                error.retry_after,
            )
            await self._writer.call(deliveries.retry, delivery.pk, error.reason, now + delay, now)
            self._metrics.deliveries.labels(delivery.channel, "retried").inc()
            log.warning(
                "delivery %s on %s failed (%s); retry in %.1fs",
                delivery.pk,
                delivery.channel,
                error.reason,
                delay,
            )
            return
        alerts = await self._writer.call(deliveries.failed, delivery, error.reason, now)
        self._metrics.deliveries.labels(delivery.channel, "failed").inc()
        log.error("delivery %s on %s failed: %s", delivery.pk, delivery.channel, error.reason)
        await self._notify(delivery, leases.FAILED, error.reason)
        await self._alerts.deliver(alerts)

    async def _notify(self, delivery: Claimed, state: str, error: str | None) -> None:
        if delivery.agent_id is None:
            return
        payload = {
            "conversation_id": delivery.conversation_id,
            "channel": delivery.channel,
            "message_id": delivery.message_id,
            "state": state,
            "error": error,
        }
        try:
            await self._publisher.to_agent(delivery.agent_id, "message.delivery", payload)
        except Exception:
            log.exception("could not tell %s about delivery %s", delivery.agent_id, delivery.pk)

    async def stop(self) -> None:
        """Let sends in flight finish (their leases cover a cut-off)."""
        if self._sending:
            await asyncio.wait(set(self._sending), timeout=10)
