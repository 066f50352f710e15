"""Local stand-ins for the supervisors' group-chat robots, speaking each platform's
documented webhook protocol and checking what ReplyWatch sends:

- WeCom group robot: ``POST /cgi-bin/webhook/send?key=K``, ``{"msgtype": "markdown",
  "markdown": {"content": ...}}`` (content at most 4,096 bytes); ``{"errcode": 0}``.
- DingTalk custom robot: ``POST /robot/send?access_token=T&timestamp=MS&sign=S`` where
  S = base64(HMAC-SHA256(key=secret, msg="MS\\nsecret")), the timestamp within an hour;
  ``{"msgtype": "markdown", "markdown": {"title", "text"}}``; errcode 310000 on a bad sign.
- Feishu custom bot: ``POST /open-apis/bot/v2/hook/ID``, body ``timestamp`` (s) and
  ``sign`` = base64(HMAC-SHA256(key="ts\\nsecret", msg="")), ``msg_type`` text;
  ``{"code": 0}``, 19021 on a bad sign.
- Slack incoming webhook: ``POST /services/T/B/X``, JSON with ``text``; ``ok``.

Each fake records the messages it accepted; ``answers`` scripts error answers first.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import time
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

PATHS = {
    "wecom": "/cgi-bin/webhook/send?key=robot-key",
    "dingtalk": "/robot/send?access_token=ding-token",
    "feishu": "/open-apis/bot/v2/hook/feishu-hook-id",
    "slack": "/services/T000/B000/slack-secret-part",
}


def _b64_hmac(key: bytes, message: bytes) -> str:
    return base64.b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode()


class ChatRobot:
    """One platform's robot endpoint on a local port."""

    def __init__(self, kind: str, secret: str = "", answers: list[Any] | None = None) -> None:
        self.kind = kind
        self.secret = secret
        self.answers = list(answers or [])
        self.messages: list[dict[str, Any]] = []
        self.rejected: list[str] = []
        self.arrived = asyncio.Event()
        self.server: TestServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("")).rstrip("/") + PATHS[self.kind]

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post(PATHS[self.kind].split("?")[0], self.handle)
        self.server = TestServer(app, host="127.0.0.1")
        await self.server.start_server()

    async def close(self) -> None:
        if self.server is not None:
            await self.server.close()

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.arrived.set()
        if self.answers:
            answer = self.answers.pop(0)
            if isinstance(answer, int):
                return web.Response(status=answer)
            return web.json_response(answer)
        body = await request.json()
        problem: tuple[web.StreamResponse, Any] | None = getattr(self, f"_check_{self.kind}")(
            request, body
        )
        if problem is not None:
            self.rejected.append(problem[1])
            return problem[0]
        self.messages.append(body)
        if self.kind == "slack":
            return web.Response(text="ok")
        if self.kind == "feishu":
            return web.json_response({"code": 0, "msg": "success"})
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    def _check_wecom(self, request: web.Request, body: dict[str, Any]) -> Any:
        if request.query.get("key") != "robot-key":
            return web.json_response({"errcode": 93000, "errmsg": "invalid webhook url"}), "key"
        content = body.get("markdown", {}).get("content")
        if body.get("msgtype") != "markdown" or not isinstance(content, str):
            return web.json_response({"errcode": 40008, "errmsg": "invalid message type"}), "shape"
        if len(content.encode()) > 4096:
            return web.json_response({"errcode": 40058, "errmsg": "content too long"}), "length"
        return None

    def _check_dingtalk(self, request: web.Request, body: dict[str, Any]) -> Any:
        stamp, signed = request.query.get("timestamp", ""), request.query.get("sign", "")
        expected = _b64_hmac(self.secret.encode(), f"{stamp}\n{self.secret}".encode())
        fresh = stamp.isdigit() and abs(int(stamp) / 1000 - time.time()) < 3600
        if not (fresh and hmac.compare_digest(signed, expected)):
            return web.json_response({"errcode": 310000, "errmsg": "sign not match"}), "sign"
        markdown = body.get("markdown", {})
        complete = markdown.get("title") and markdown.get("text")
        if body.get("msgtype") != "markdown" or not complete:
            return web.json_response({"errcode": 40035, "errmsg": "missing parameter"}), "shape"
        return None

    def _check_feishu(self, request: web.Request, body: dict[str, Any]) -> Any:
        stamp, signed = str(body.get("timestamp", "")), str(body.get("sign", ""))
        expected = _b64_hmac(f"{stamp}\n{self.secret}".encode(), b"")
        fresh = stamp.isdigit() and abs(int(stamp) - time.time()) < 3600
        if not (fresh and hmac.compare_digest(signed, expected)):
            return web.json_response({"code": 19021, "msg": "sign match fail"}), "sign"
        if body.get("msg_type") != "text" or not body.get("content", {}).get("text"):
            return web.json_response({"code": 9499, "msg": "Bad Request"}), "shape"
        return None

    def _check_slack(self, request: web.Request, body: dict[str, Any]) -> Any:
        if request.content_type != "application/json" or not isinstance(body.get("text"), str):
            return web.Response(status=400, text="invalid_payload"), "shape"
        return None

    def texts(self) -> list[str]:
        """The text of each accepted message."""
        out = []
        for body in self.messages:
            if self.kind == "wecom":
                out.append(body["markdown"]["content"])
            elif self.kind == "dingtalk":
                out.append(body["markdown"]["text"])
            elif self.kind == "feishu":
                out.append(body["content"]["text"])
            else:
                out.append(body["text"])
        return out

    async def wait_for(self, count: int, within: float = 5.0) -> None:
        async with asyncio.timeout(within):
            while len(self.messages) < count:
                self.arrived.clear()
                await self.arrived.wait()
