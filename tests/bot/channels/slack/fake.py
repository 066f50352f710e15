"""A local stand-in for slack's API, speaking its documented protocol."""

from __future__ import annotations

import time

from aiohttp import web

from tests.support.platform import FakePlatform


class FakeSlack(FakePlatform):
    """Slack's Web API ``chat.postMessage``: ``{"ok": true, "channel", "ts", "message"}``
    or ``{"ok": false, "error"}`` (HTTP 429 with ``Retry-After`` when rate limited)."""

    TOKEN = "xoxb-17653672481-19874698323-fake-for-tests"

    async def post_message(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Bearer {self.TOKEN}":
            return web.json_response({"ok": False, "error": "invalid_auth"})
        payload = await request.json()
        failed = self.failure()
        if failed is not None:
            return failed
        number = self.record(payload)
        ts = f"{int(time.time())}.{number:06d}"
        message = {"type": "message", "text": payload["text"], "ts": ts}
        return web.json_response(
            {"ok": True, "channel": payload["channel"], "ts": ts, "message": message}
        )
