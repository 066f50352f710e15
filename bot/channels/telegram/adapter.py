"""Telegram Bot API: a bot customers write to; agents answer from ReplyWatch.

In: Telegram POSTs each Update to the webhook with the secret token set by
``setWebhook`` in ``X-Telegram-Bot-Api-Secret-Token``; a ``message`` from a user
becomes a customer message (the chat is the conversation). Out: ``sendMessage``,
split at Telegram's 4,096-character limit.
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Sequence
from typing import Any

import aiohttp
from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.bodies import read_json
from bot.channels import Parsed, Receive
from bot.errors import BadRequest, DeliveryError, Unauthorized
from bot.schemas import validation_details
from bot.settings import TelegramChannelSettings
from monitors.events import ChatEvent, EventType, SenderRole

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_TEXT = 4096
#: Non-text messages are stored as a marker so that they still start a reply clock.
MEDIA = ("photo", "sticker", "voice", "audio", "video", "video_note", "document", "location")


class _Model(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)


class UserIn(_Model):
    """A Telegram ``User``."""

    id: int
    is_bot: bool = False
    first_name: str = ""
    last_name: str | None = None
    username: str | None = None


class ChatIn(_Model):
    """A Telegram ``Chat``."""

    id: int
    type: str


class MessageIn(_Model):
    """The fields of a Telegram ``Message`` the adapter reads."""

    message_id: int
    date: int = Field(ge=0)
    chat: ChatIn
    from_: UserIn | None = Field(default=None, alias="from")
    text: str | None = Field(default=None, max_length=MAX_TEXT)
    caption: str | None = Field(default=None, max_length=1024)


class UpdateIn(_Model):
    """A Telegram ``Update``; only ``message`` updates carry customer messages."""

    update_id: int
    message: MessageIn | None = None


def _name(user: UserIn) -> str:
    full = " ".join(part for part in (user.first_name, user.last_name) if part)
    return full or user.username or str(user.id)


def _text(message: MessageIn) -> str:
    if message.text is not None:
        return message.text
    kind = next((k for k in MEDIA if (message.model_extra or {}).get(k) is not None), "message")
    return f"[{kind}] {message.caption}" if message.caption else f"[{kind}]"


def chunks(text: str, size: int = MAX_TEXT) -> list[str]:
    """``text`` cut into pieces Telegram accepts."""
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


class TelegramChannel:
    """One Telegram bot."""

    def __init__(self, settings: TelegramChannelSettings) -> None:
        self.name = settings.name
        self._settings = settings

    def routes(self, receive: Receive) -> list[web.RouteDef]:
        """``POST /channels/<name>``: the URL to give ``setWebhook``."""
        return [web.post(f"/channels/{self.name}", receive)]

    async def parse(self, request: web.Request) -> Parsed:
        """Check the secret token, read the Update, map a user's message."""
        given = request.headers.get(SECRET_HEADER, "").encode()
        expected = self._settings.secret_token.get_secret_value().encode()
        if not hmac.compare_digest(given, expected):
            raise Unauthorized("missing or wrong secret token")
        try:
            update = UpdateIn.model_validate(await read_json(request))
        except ValidationError as exc:
            raise BadRequest("invalid update", validation_details(exc)) from exc
        message = update.message
        if message is None or message.from_ is None:
            return Parsed()  # edits, channel posts, callbacks...: nothing to answer
        now = time.time()
        sender = message.from_
        event = ChatEvent(
            id=f"{message.chat.id}:{message.message_id}",
            channel=self.name,
            type=EventType.MESSAGE,
            ts=min(float(message.date), now),
            received_at=now,
            conversation_id=str(message.chat.id),
            sender_role=SenderRole.BOT if sender.is_bot else SenderRole.CUSTOMER,
            sender_id=str(sender.id),
            sender_name=_name(sender),
            text=_text(message),
        )
        return Parsed([event])

    async def send(
        self,
        http: aiohttp.ClientSession,
        conversation_id: str,
        text: str,
        choices: Sequence[str] = (),
    ) -> str | None:
        """``sendMessage`` (in pieces when long); the first piece's message id. With
        ``choices``, the last piece carries them as a one-time reply keyboard: a press
        sends the button's text back as the customer's message."""
        token = self._settings.bot_token.get_secret_value()
        # The token is part of the URL: never log the URL or the client's exception text.
        url = f"{self._settings.api_base}/bot{token}/sendMessage"
        first: str | None = None
        pieces = chunks(text)
        for index, piece in enumerate(pieces):
            body: dict[str, Any] = {"chat_id": conversation_id, "text": piece}
            if choices and index == len(pieces) - 1:
                body["reply_markup"] = {
                    "keyboard": [[{"text": choice}] for choice in choices],
                    "one_time_keyboard": True,
                    "resize_keyboard": True,
                }
            sent = await self._post(http, url, body)
            first = first or sent
        return first

    async def _post(self, http: aiohttp.ClientSession, url: str, body: dict[str, Any]) -> str:
        try:
            async with http.post(url, json=body) as resp:
                status = resp.status
                try:
                    data = await resp.json(content_type=None)
                except ValueError:
                    data = None
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise DeliveryError(
                f"Telegram unreachable ({type(exc).__name__})", retry=True
            ) from None
        if isinstance(data, dict) and data.get("ok"):
            return str(data.get("result", {}).get("message_id", ""))
        data = data if isinstance(data, dict) else {}
        code = int(data.get("error_code", status))
        reason = f"Telegram {code}: {str(data.get('description', 'no description'))[:200]}"
        retry_after = (data.get("parameters") or {}).get("retry_after")
        raise DeliveryError(reason, retry=code == 429 or code >= 500, retry_after=retry_after)
