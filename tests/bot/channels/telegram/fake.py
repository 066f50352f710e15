"""A local stand-in for telegram's API, speaking its documented protocol."""

from __future__ import annotations

import time

from aiohttp import web

from tests.support.platform import FakePlatform


class FakeTelegram(FakePlatform):
    """The Telegram Bot API's ``sendMessage``, speaking its documented JSON:
    ``{"ok": true, "result": Message}`` or ``{"ok": false, "error_code", "description",
    "parameters"?}``."""

    TOKEN = "7311092264:AAHk3mT-fake-token-for-tests"

    async def send_message(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.TOKEN:
            body = {"ok": False, "error_code": 401, "description": "Unauthorized"}
            return web.json_response(body, status=401)
        payload = await request.json()
        failed = self.failure()
        if failed is not None:
            return failed
        number = self.record(payload)
        message = {"message_id": 9000 + number, "date": int(time.time()), "text": payload["text"]}
        message["chat"] = {"id": int(payload["chat_id"]), "type": "private"}
        return web.json_response({"ok": True, "result": message})
