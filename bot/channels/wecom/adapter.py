"""WeCom customer service (微信客服): customers write from WeChat to the shop's
customer-service account; agents answer from ReplyWatch or the WeCom client.

In: WeCom calls the callback URL. A GET with ``msg_signature``, ``timestamp``,
``nonce`` and ``echostr`` verifies the URL: the decrypted ``echostr`` is the
answer. A POST carries encrypted XML; a ``kf_msg_or_event`` event means new
messages, which are then fetched with ``sync_msg`` from the cursor kept in the
database (saved only after the messages are stored, so a restart neither loses
nor repeats any). Customer messages (``origin`` 3) and messages agents sent from
the WeCom client (``origin`` 5) become events; a conversation is one customer
on one account (``open_kfid:external_userid``).
Out: ``send_msg``, with a ``msgid`` starting ``rw-`` so that ReplyWatch's own
replies are recognised when ``sync_msg`` returns them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Any
from xml.etree.ElementTree import Element

import aiohttp
from aiohttp import web
from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from bot.bodies import read_body
from bot.channels import Parsed, Receive, fresh
from bot.channels.wecom.api import WeComApi, WeComError
from bot.channels.wecom.crypto import CryptoError, WeComCrypto
from bot.errors import BadRequest, DeliveryError, Unauthorized
from bot.settings import WeComChannelSettings
from monitors.events import ChatEvent, EventType, SenderRole
from storage.cursors import Cursors

log = logging.getLogger(__name__)
CUSTOMER, SERVICER = 3, 5
OWN_PREFIX = "rw-"
Handle = Callable[[Sequence[ChatEvent]], Awaitable[Any]]


def _xml(raw: bytes | str) -> Element:
    try:
        root = ElementTree.fromstring(raw)
    except (ElementTree.ParseError, DefusedXmlException, ValueError) as exc:
        raise BadRequest("malformed XML") from exc
    if not isinstance(root, Element):
        raise BadRequest("malformed XML")
    return root


def _text(message: dict[str, Any]) -> str:
    kind = str(message.get("msgtype", "message"))
    if kind == "text":
        return str((message.get("text") or {}).get("content", ""))
    return f"[{kind}]"


class WeComChannel:
    """One 微信客服 corp application."""

    def __init__(self, settings: WeComChannelSettings) -> None:
        self.name = settings.name
        self._settings = settings
        self._crypto = WeComCrypto(
            settings.token.get_secret_value(),
            settings.encoding_aes_key.get_secret_value(),
            settings.corp_id,
        )
        self.api = WeComApi(settings)
        self._wake = asyncio.Event()
        self._due: set[str] = set(settings.open_kfids)
        self._sync_tokens: dict[str, str] = {}

    def routes(self, receive: Receive) -> list[web.RouteDef]:
        """``GET`` and ``POST /channels/<name>``: the callback URL."""
        path = f"/channels/{self.name}"
        return [web.get(path, receive), web.post(path, receive)]

    def _signed(self, request: web.Request, encrypted: str) -> None:
        query = request.query
        stamp, nonce = query.get("timestamp", ""), query.get("nonce", "")
        if not fresh(stamp, time.time()):
            raise Unauthorized("missing, malformed or stale timestamp")
        if not self._crypto.verify(query.get("msg_signature", ""), stamp, nonce, encrypted):
            raise Unauthorized("invalid msg_signature")

    def _decrypt(self, encrypted: str) -> str:
        try:
            return self._crypto.decrypt(encrypted)
        except CryptoError as exc:
            raise BadRequest("undecryptable message", str(exc)) from exc

    async def parse(self, request: web.Request) -> Parsed:
        """URL check (GET) or callback (POST): verified, decrypted; new-message events
        wake the sync."""
        if request.method == "GET":
            echo = request.query.get("echostr", "")
            self._signed(request, echo)
            return Parsed(response=web.Response(text=self._decrypt(echo)))
        envelope = _xml(await read_body(request))
        encrypted = envelope.findtext("Encrypt") or ""
        self._signed(request, encrypted)
        inner = _xml(self._decrypt(encrypted))
        if inner.findtext("Event") == "kf_msg_or_event":
            account = inner.findtext("OpenKfId") or ""
            if account:
                self._sync_tokens[account] = inner.findtext("Token") or ""
                self._due.add(account)
                self._wake.set()
        return Parsed(response=web.Response(text="success"))

    async def run(self, http: aiohttp.ClientSession, cursors: Cursors, handle: Handle) -> None:
        """Sync the accounts callbacks named (and the configured ones every poll); a failed
        sync is tried again after 1, 2, 4... seconds (at most ``poll_seconds``)."""
        failures = 0
        while True:
            wait = self._settings.poll_seconds
            if failures:
                wait = min(wait, 2.0 ** (failures - 1))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), wait)
            self._wake.clear()
            due, self._due = self._due | set(self._settings.open_kfids), set()
            for account in sorted(due):
                try:
                    await self.sync(http, cursors, handle, account)
                except WeComError as exc:
                    log.warning("%s: sync of %s failed (%s); will retry", self.name, account, exc)
                    self._due.add(account)
                except Exception:
                    log.exception("%s: sync of %s failed; will retry", self.name, account)
                    self._due.add(account)
            failures = failures + 1 if self._due else 0

    async def sync(
        self, http: aiohttp.ClientSession, cursors: Cursors, handle: Handle, account: str
    ) -> int:
        """Fetch and store everything after the saved cursor; how many events were new."""
        cursor = await cursors.get(self.name, account)
        stored = 0
        while True:
            page = await self.api.sync_msg(http, account, cursor, self._sync_tokens.get(account))
            now = time.time()
            events = [e for m in page.messages if (e := self._event(m, now)) is not None]
            if events:
                stored += (await handle(events)).accepted
            await cursors.put(self.name, account, page.next_cursor)
            cursor = page.next_cursor
            if not page.has_more:
                return stored

    def _event(self, message: dict[str, Any], now: float) -> ChatEvent | None:
        origin, msgid = message.get("origin"), str(message.get("msgid") or "")
        account, customer = message.get("open_kfid"), message.get("external_userid")
        if not msgid or not account or not customer or origin not in (CUSTOMER, SERVICER):
            return None  # system events (origin 4) and incomplete records
        if origin == SERVICER and msgid.startswith(OWN_PREFIX):
            return None  # ReplyWatch's own reply, already stored
        servicer = str(message.get("servicer_userid") or "")
        agent = self._settings.agents.get(servicer, servicer) if origin == SERVICER else None
        sent = message.get("send_time")
        return ChatEvent(
            id=msgid,
            channel=self.name,
            type=EventType.MESSAGE,
            ts=min(float(sent), now) if isinstance(sent, int | float) and sent > 0 else now,
            received_at=now,
            conversation_id=f"{account}:{customer}",
            sender_role=SenderRole.AGENT if agent else SenderRole.CUSTOMER,
            sender_id=agent or str(customer),
            text=_text(message),
        )

    async def send(
        self,
        http: aiohttp.ClientSession,
        conversation_id: str,
        text: str,
        choices: Sequence[str] = (),  # no answer buttons here: the text says what to reply
    ) -> str | None:
        """``send_msg`` to the conversation's customer."""
        account, _, customer = conversation_id.partition(":")
        if not account or not customer:
            raise DeliveryError("not a WeCom conversation id (open_kfid:external_userid)", False)
        msgid = OWN_PREFIX + uuid.uuid4().hex[:29]
        try:
            return await self.api.send_text(http, account, customer, text, msgid)
        except WeComError as exc:
            raise DeliveryError(str(exc), retry=exc.transient) from None
