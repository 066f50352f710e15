"""Outgoing webhooks: alerts POSTed as signed JSON, with retries, off the alerting path.

The alert row is committed before anything is sent, and sending only puts the
delivery on a bounded queue, so a slow or dead endpoint never delays an alert
nor loses one: at worst the webhook delivery is dropped (logged and counted)
and the alert stays listed in ``GET /api/v1/alerts``.

Each request carries ``X-ReplyWatch-Timestamp`` (unix seconds) and
``X-ReplyWatch-Signature: v1=<hex>``, the HMAC-SHA256 with the endpoint's secret
of ``v1:<timestamp>:<body>``; :func:`verify` is the receiver's side.
``X-ReplyWatch-Delivery`` stays the same across retries so receivers can drop
repeats.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
import time
import uuid
from dataclasses import dataclass
from typing import Any

import aiohttp
from yarl import URL

from bot.jobs.scheduler import cancel
from bot.metrics import Metrics
from bot.settings import AlertsSettings, WebhookSettings

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-ReplyWatch-Signature"
TIMESTAMP_HEADER = "X-ReplyWatch-Timestamp"
DELIVERY_HEADER = "X-ReplyWatch-Delivery"
EVENT_HEADER = "X-ReplyWatch-Event"
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature header's value for ``body`` sent at ``timestamp``."""
    mac = hmac.new(secret.encode(), b"v1:" + timestamp.encode() + b":" + body, hashlib.sha256)
    return "v1=" + mac.hexdigest()


def verify(
    secret: str, timestamp: str, body: bytes, signature: str, now: float, tolerance: float = 300
) -> bool:
    """Whether a received webhook is genuine and fresh (within ``tolerance`` seconds)."""
    try:
        sent = int(timestamp)
    except ValueError:
        return False
    if abs(now - sent) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


def backoff(attempt: int, base: float, cap: float, retry_after: float | None = None) -> float:
    """Seconds to wait before retry number ``attempt`` (1 = first retry): doubling from
    ``base``, at least the server's ``Retry-After``, at most ``cap``."""
    delay = base * 2.0 ** (attempt - 1)
    if retry_after is not None:
        delay = max(delay, retry_after)
    return min(delay, cap)


@dataclass(frozen=True, slots=True)
class Delivery:
    """One webhook message, the same bytes on every attempt."""

    id: str
    event: str
    body: bytes


@dataclass(frozen=True, slots=True)
class Failure:
    """Why an attempt failed, and whether trying again may help."""

    reason: str
    retry: bool
    retry_after: float | None = None


def _retry_after(resp: aiohttp.ClientResponse) -> float | None:
    try:
        return max(0.0, float(resp.headers.get("Retry-After", "")))
    except ValueError:
        return None


class Webhook:
    """One endpoint: a bounded queue and a few workers that POST with retries."""

    def __init__(self, settings: WebhookSettings, metrics: Metrics) -> None:
        self.settings = settings
        # Only the origin is ever logged: paths and queries of webhook URLs often hold secrets.
        self.name = str(URL(settings.url).origin())
        self._metrics = metrics
        self._queue: asyncio.Queue[Delivery] = asyncio.Queue(settings.queue_size)
        self._pending = 0

    def wants(self, event: str, kind: str | None) -> bool:
        """Whether this endpoint takes the event (alerts are filtered by ``kinds``)."""
        return event != "alert" or kind in self.settings.kinds

    def offer(self, delivery: Delivery) -> None:
        """Queue a delivery; when the queue is full it is dropped, logged and counted."""
        try:
            self._queue.put_nowait(delivery)
            self._pending += 1
        except asyncio.QueueFull:
            self._metrics.webhook_deliveries.labels("dropped").inc()
            log.error("webhook %s: queue full, dropped delivery %s", self.name, delivery.id)

    def pending(self) -> int:
        """Deliveries queued or in flight."""
        return self._pending

    async def drained(self) -> None:
        """Return when every queued delivery has been sent or given up."""
        await self._queue.join()

    async def work(self, session: aiohttp.ClientSession) -> None:
        """Deliver from the queue forever (run ``settings.concurrency`` of these)."""
        while True:
            delivery = await self._queue.get()
            try:
                sent = await self.deliver(session, delivery)
                self._metrics.webhook_deliveries.labels("sent" if sent else "failed").inc()
            finally:
                self._pending -= 1
                self._queue.task_done()

    async def deliver(self, session: aiohttp.ClientSession, delivery: Delivery) -> bool:
        """POST with retries and backoff; True once the endpoint answered 2xx."""
        attempt = 0
        while True:
            failure = await self._attempt(session, delivery)
            if failure is None:
                return True
            attempt += 1
            if not failure.retry or attempt > self.settings.retries:
                log.error(
                    "webhook %s: gave up on delivery %s after %d attempt(s): %s",
                    self.name,
                    delivery.id,
                    attempt,
                    failure.reason,
                )
                return False
            hook = self.settings
            delay = backoff(
                attempt, hook.backoff_seconds, hook.max_backoff_seconds, failure.retry_after
            )
            log.warning(
                "webhook %s: delivery %s failed (%s), retry in %.1fs",
                self.name,
                delivery.id,
                failure.reason,
                delay,
            )
            await asyncio.sleep(delay)

    async def _attempt(self, session: aiohttp.ClientSession, delivery: Delivery) -> Failure | None:
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            EVENT_HEADER: delivery.event,
            DELIVERY_HEADER: delivery.id,
            TIMESTAMP_HEADER: timestamp,
            SIGNATURE_HEADER: sign(
                self.settings.secret.get_secret_value(), timestamp, delivery.body
            ),
        }
        timeout = aiohttp.ClientTimeout(total=self.settings.timeout_seconds)
        try:
            async with session.post(
                self.settings.url, data=delivery.body, headers=headers, timeout=timeout
            ) as resp:
                if 200 <= resp.status < 300:
                    return None
                return Failure(
                    f"HTTP {resp.status}", resp.status in RETRY_STATUSES, _retry_after(resp)
                )
        except (aiohttp.ClientError, TimeoutError) as exc:
            return Failure(type(exc).__name__, retry=True)


class Webhooks:
    """Every configured endpoint, with the HTTP session and workers the app owns."""

    def __init__(self, settings: AlertsSettings, metrics: Metrics) -> None:
        self._settings = settings
        self._hooks = [Webhook(hook, metrics) for hook in settings.webhook]
        self._session: aiohttp.ClientSession | None = None
        self._workers: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        """Open the HTTP session and start the workers (nothing when none configured)."""
        if not self._hooks:
            return
        self._session = aiohttp.ClientSession()
        for hook in self._hooks:
            for n in range(hook.settings.concurrency):
                task = asyncio.create_task(hook.work(self._session), name=f"webhook-{n}")
                self._workers.append(task)

    def send(self, event: str, data: dict[str, Any], kind: str | None = None) -> None:
        """Queue ``{"event": event, event: data}`` for every endpoint that wants it."""
        hooks = [hook for hook in self._hooks if hook.wants(event, kind)]
        if not hooks or self._session is None:
            return
        body = json.dumps({"event": event, event: data}, ensure_ascii=False).encode()
        delivery = Delivery(uuid.uuid4().hex, event, body)
        for hook in hooks:
            hook.offer(delivery)

    async def close(self) -> None:
        """Give queued deliveries ``drain_seconds`` to go out, then stop."""
        if self._hooks and self._session is not None:
            drains = [hook.drained() for hook in self._hooks]
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.gather(*drains), self._settings.drain_seconds)
            left = sum(hook.pending() for hook in self._hooks)
            if left:
                log.warning("webhooks: %d delivery(ies) not sent at shutdown", left)
        await cancel(self._workers)
        self._workers.clear()
        if self._session is not None:
            await self._session.close()
            self._session = None
