"""Slack Events API: customers write in the team's Slack (Connect) channels.

In: every request is signed (``X-Slack-Signature``: ``v0=`` HMAC-SHA256 with the
app's signing secret over ``v0:<timestamp>:<body>``; timestamps older than five
minutes are refused as replays). ``url_verification`` is answered with its
challenge; ``message`` events in the configured channels become messages, one
conversation per thread, from an agent when the Slack user is listed in
``agents``, else from a customer. Slack's retries (``X-Slack-Retry-Num``) carry
the same message and are stored once. Messages posted by bots, ReplyWatch's own
replies among them, and edits or deletions are not stored.
Out: ``chat.postMessage`` in the conversation's thread.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Sequence
from typing import Any

import aiohttp
from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.bodies import read_body
from bot.channels import Parsed, Receive, fresh
from bot.errors import BadRequest, DeliveryError, Unauthorized
from bot.schemas import validation_details
from bot.settings import SlackChannelSettings
from monitors.events import ChatEvent, EventType, SenderRole

#: Slack ``error`` values worth retrying.
TRANSIENT = frozenset({"ratelimited", "internal_error", "fatal_error", "service_unavailable"})
TS_PATTERN = r"^\d{1,12}\.\d{1,9}$"


class MessageEventIn(BaseModel):
    """The fields of a Slack ``message`` event the adapter reads."""

    model_config = ConfigDict(extra="allow", frozen=True)
    type: str
    channel: str | None = None
    user: str | None = None
    text: str | None = Field(default=None, max_length=40_000)
    ts: str | None = Field(default=None, pattern=TS_PATTERN)
    thread_ts: str | None = Field(default=None, pattern=TS_PATTERN)
    subtype: str | None = None
    bot_id: str | None = None


class EnvelopeIn(BaseModel):
    """An Events API request body."""

    model_config = ConfigDict(extra="allow", frozen=True)
    type: str
    challenge: str | None = Field(default=None, max_length=200)
    event: MessageEventIn | None = None


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """Slack's ``v0`` request signature."""
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


class SlackChannel:
    """One Slack app in one workspace."""

    def __init__(self, settings: SlackChannelSettings) -> None:
        self.name = settings.name
        self._settings = settings
        self._channels = frozenset(settings.channels)

    def routes(self, receive: Receive) -> list[web.RouteDef]:
        """``POST /channels/<name>``: the Events API request URL."""
        return [web.post(f"/channels/{self.name}", receive)]

    def _verify(self, request: web.Request, body: bytes, now: float) -> None:
        stamp = request.headers.get("X-Slack-Request-Timestamp", "")
        given = request.headers.get("X-Slack-Signature", "")
        if not fresh(stamp, now):
            raise Unauthorized("missing, malformed or stale request timestamp")
        expected = signature(self._settings.signing_secret.get_secret_value(), stamp, body)
        if not hmac.compare_digest(expected.encode(), given.encode()):
            raise Unauthorized("invalid request signature")

    async def parse(self, request: web.Request) -> Parsed:
        """Verify the signature, answer the URL check, map a message event."""
        body = await read_body(request)
        now = time.time()
        self._verify(request, body, now)
        try:
            envelope = EnvelopeIn.model_validate(json.loads(body))
        except (ValueError, ValidationError) as exc:
            details = validation_details(exc) if isinstance(exc, ValidationError) else None
            raise BadRequest("invalid event", details) from exc
        if envelope.type == "url_verification":
            return Parsed(response=web.json_response({"challenge": envelope.challenge}))
        event = envelope.event
        if envelope.type != "event_callback" or event is None:
            return Parsed()
        message = self._message(event, now)
        return Parsed([message] if message else [])

    def _message(self, event: MessageEventIn, now: float) -> ChatEvent | None:
        """A new human message in a followed channel (not an edit, a join or a bot)."""
        if (
            event.type != "message"
            or event.subtype not in (None, "file_share", "thread_broadcast")
            or event.bot_id is not None
            or event.channel not in self._channels
            or event.user is None
            or event.ts is None
        ):
            return None
        agent = self._settings.agents.get(event.user)
        return ChatEvent(
            id=f"{event.channel}:{event.ts}",
            channel=self.name,
            type=EventType.MESSAGE,
            ts=min(float(event.ts), now),
            received_at=now,
            conversation_id=f"{event.channel}:{event.thread_ts or event.ts}",
            sender_role=SenderRole.AGENT if agent else SenderRole.CUSTOMER,
            sender_id=agent or event.user,
            text=event.text or "",
        )

    async def send(
        self,
        http: aiohttp.ClientSession,
        conversation_id: str,
        text: str,
        choices: Sequence[str] = (),  # no answer buttons here: the text says what to reply
    ) -> str | None:
        """``chat.postMessage`` into the conversation's thread; the message's ``ts``."""
        channel, _, thread = conversation_id.partition(":")
        headers = {"Authorization": f"Bearer {self._settings.bot_token.get_secret_value()}"}
        body: dict[str, Any] = {"channel": channel, "text": text}
        if thread:
            body["thread_ts"] = thread
        url = f"{self._settings.api_base}/chat.postMessage"
        try:
            async with http.post(url, json=body, headers=headers) as resp:
                status, retry_after = resp.status, resp.headers.get("Retry-After")
                data = await resp.json(content_type=None) if status < 500 else None
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise DeliveryError(f"Slack unreachable ({type(exc).__name__})", retry=True) from None
        if isinstance(data, dict) and data.get("ok"):
            return str(data.get("ts") or "") or None
        error = (
            str(data.get("error", f"HTTP {status}")) if isinstance(data, dict) else f"HTTP {status}"
        )
        wait = float(retry_after) if retry_after and retry_after.isdigit() else None
        retry = status == 429 or status >= 500 or error in TRANSIENT
        raise DeliveryError(f"Slack: {error}", retry=retry, retry_after=wait)
