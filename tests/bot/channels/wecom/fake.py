"""A local stand-in for wecom's API, speaking its documented protocol."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from tests.support.platform import FakePlatform


class FakeWeCom(FakePlatform):
    """WeCom's server API for 微信客服: ``gettoken``, ``kf/sync_msg`` (``messages`` served
    from the cursor, ``page`` at a time) and ``kf/send_msg``, answering ``errcode``/
    ``errmsg`` as documented; an unknown or revoked access token gets 40014."""

    CORP_ID = "wwa4c2f8e1b9d07c3e"
    SECRET = "bM8xS2fJq9Lr4TzW6yV1nKc3Pd7Ge5Ha0Uo"

    def __init__(self) -> None:
        super().__init__()
        self.messages: list[dict[str, Any]] = []
        self.page = 2
        self.expires_in = 7200
        self.tokens_issued = 0
        self.token = ""
        self.sync_requests: list[dict[str, Any]] = []
        self.sync_busy = 0  # answer sync_msg with "system busy" this many times

    def revoke(self) -> None:
        """Invalidate the current access token (as WeCom may at any time)."""
        self.token = "revoked"

    async def gettoken(self, request: web.Request) -> web.Response:
        query = request.query
        if query.get("corpid") != self.CORP_ID or query.get("corpsecret") != self.SECRET:
            return web.json_response({"errcode": 40013, "errmsg": "invalid corpid"})
        self.tokens_issued += 1
        self.token = f"access-token-{self.tokens_issued}"
        body = {"errcode": 0, "errmsg": "ok", "access_token": self.token}
        return web.json_response(body | {"expires_in": self.expires_in})

    def _authorized(self, request: web.Request) -> bool:
        return request.query.get("access_token") == self.token

    async def sync_msg(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return web.json_response({"errcode": 40014, "errmsg": "invalid access_token"})
        body = await request.json()
        if self.sync_busy:
            self.sync_busy -= 1
            return web.json_response({"errcode": -1, "errmsg": "system busy"})
        self.sync_requests.append(body)
        start = int(body.get("cursor") or 0)
        mine = [m for m in self.messages if m["open_kfid"] == body["open_kfid"]]
        batch = mine[start : start + self.page]
        end = start + len(batch)
        answer = {"errcode": 0, "errmsg": "ok", "next_cursor": str(end), "msg_list": batch}
        return web.json_response(answer | {"has_more": int(end < len(mine))})

    async def send_msg(self, request: web.Request) -> web.Response:
        if not self._authorized(request):
            return web.json_response({"errcode": 40014, "errmsg": "invalid access_token"})
        payload = await request.json()
        failed = self.failure()
        if failed is not None:
            return failed
        self.record(payload)
        return web.json_response({"errcode": 0, "errmsg": "ok", "msgid": payload["msgid"]})
