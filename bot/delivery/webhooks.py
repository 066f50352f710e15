"""ReplyWatch's signed webhook: signing, verifying, backoff, and one endpoint's POST
with retries (report announcements use it directly; alerts go through the durable
sink relay, :mod:`bot.delivery.sinks`, which signs them the same way).

Each request carries ``X-ReplyWatch-Timestamp`` (unix seconds) and
``X-ReplyWatch-Signature: v1=<hex>``, the HMAC-SHA256 with the endpoint's secret
of ``v1:<timestamp>:<body>``; :func:`verify` is the receiver's side.
``X-ReplyWatch-Delivery`` stays the same across retries so receivers can drop
repeats.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass

import aiohttp
from yarl import URL

from bot.settings import WebhookSettings

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


def retry_after(headers: Mapping[str, str]) -> float | None:
    """The seconds a ``Retry-After`` header asks for (None when absent or not a number)."""
    try:
        return max(0.0, float(headers.get("Retry-After", "")))
    except ValueError:
        return None


class Webhook:
    """One endpoint, POSTed to with retries and backoff."""

    def __init__(self, settings: WebhookSettings) -> None:
        self.settings = settings
        # Only the origin is ever logged: paths and queries of webhook URLs often hold secrets.
        self.name = str(URL(settings.url).origin())

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
                    f"HTTP {resp.status}", resp.status in RETRY_STATUSES, retry_after(resp.headers)
                )
        except (aiohttp.ClientError, TimeoutError) as exc:
            return Failure(type(exc).__name__, retry=True)
