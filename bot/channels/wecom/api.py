"""The WeCom server API calls the customer-service channel makes: ``gettoken`` (cached,
refreshed before it expires), ``kf/sync_msg`` and ``kf/send_msg``.

Every answer carries ``errcode`` (0 = ok); an expired or invalid access token
(40001, 40014, 42001) is refreshed once and the call repeated. The access token
and the corp secret only ever appear in query strings sent to WeCom, never in a
log line or an error message.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from bot.settings import WeComChannelSettings

TOKEN_ERRORS = frozenset({40001, 40014, 42001})
#: System busy and rate limits: worth another try later.
TRANSIENT = frozenset({-1, 45009, 45033})


class WeComError(Exception):
    """An API call that failed: ``errcode`` (or -2 when WeCom could not be reached)."""

    def __init__(self, call: str, errcode: int, errmsg: str) -> None:
        super().__init__(f"WeCom {call}: {errcode} {errmsg}")
        self.errcode = errcode

    @property
    def transient(self) -> bool:
        """Whether trying again later may help."""
        return self.errcode in TRANSIENT or self.errcode == -2


@dataclass
class SyncPage:
    """One ``sync_msg`` answer."""

    messages: list[dict[str, Any]]
    next_cursor: str
    has_more: bool


@dataclass
class WeComApi:
    """The calls, with the access token cached per corp app."""

    settings: WeComChannelSettings
    clock: Any = time.time
    _token: str = ""
    _expires_at: float = 0.0
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def _get(self, http: aiohttp.ClientSession, path: str, **params: str) -> dict[str, Any]:
        return await self._answer(path, http.get(f"{self.settings.api_base}{path}", params=params))

    async def _answer(self, path: str, request: Any) -> dict[str, Any]:
        try:
            async with request as resp:
                data = await resp.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise WeComError(path, -2, f"unreachable ({type(exc).__name__})") from None
        if not isinstance(data, dict):
            raise WeComError(path, -2, "answer is not a JSON object")
        return data

    async def access_token(self, http: aiohttp.ClientSession) -> str:
        """A valid token, fetched again a little before the last one expires."""
        async with self._lock:
            if self._token and self.clock() < self._expires_at:
                return self._token
            data = await self._get(
                http,
                "/cgi-bin/gettoken",
                corpid=self.settings.corp_id,
                corpsecret=self.settings.corp_secret.get_secret_value(),
            )
            if data.get("errcode", 0) != 0 or not data.get("access_token"):
                raise WeComError("gettoken", int(data.get("errcode", -2)), str(data.get("errmsg")))
            lifetime = float(data.get("expires_in", 7200))
            self._token = str(data["access_token"])
            self._expires_at = self.clock() + lifetime - min(300.0, lifetime / 4)
            return self._token

    async def call(
        self, http: aiohttp.ClientSession, path: str, body: dict[str, Any]
    ) -> dict[str, Any]:
        """POST ``body`` to ``path`` with the access token; the answer when errcode is 0."""
        for attempt in (1, 2):
            token = await self.access_token(http)
            url = f"{self.settings.api_base}{path}"
            data = await self._answer(
                path, http.post(url, params={"access_token": token}, json=body)
            )
            errcode = int(data.get("errcode", 0))
            if errcode in TOKEN_ERRORS and attempt == 1:
                self._token = ""  # revoked or expired early: fetch a new one
                continue
            if errcode != 0:
                raise WeComError(path.rsplit("/", 1)[-1], errcode, str(data.get("errmsg", "")))
            return data
        raise AssertionError("unreachable")

    async def sync_msg(
        self, http: aiohttp.ClientSession, open_kfid: str, cursor: str, token: str | None
    ) -> SyncPage:
        """Messages after ``cursor`` (``token`` from a callback lifts the rate limit)."""
        body: dict[str, Any] = {"open_kfid": open_kfid, "limit": 1000, "voice_format": 0}
        if cursor:
            body["cursor"] = cursor
        if token:
            body["token"] = token
        data = await self.call(http, "/cgi-bin/kf/sync_msg", body)
        return SyncPage(
            messages=[m for m in data.get("msg_list", []) if isinstance(m, dict)],
            next_cursor=str(data.get("next_cursor") or cursor),
            has_more=bool(data.get("has_more")),
        )

    async def send_text(
        self, http: aiohttp.ClientSession, open_kfid: str, to: str, text: str, msgid: str
    ) -> str:
        """``send_msg`` a text; the message id."""
        body = {
            "touser": to,
            "open_kfid": open_kfid,
            "msgid": msgid,
            "msgtype": "text",
            "text": {"content": text},
        }
        data = await self.call(http, "/cgi-bin/kf/send_msg", body)
        return str(data.get("msgid", msgid))
