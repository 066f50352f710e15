"""Fixtures: the platform's API on a local port."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from tests.bot.channels.wecom.fake import FakeWeCom


@pytest.fixture
async def fake_wecom() -> AsyncIterator[FakeWeCom]:
    """A local stand-in for qyapi.weixin.qq.com."""
    fake = FakeWeCom()
    async with fake.serving(
        web.get("/cgi-bin/gettoken", fake.gettoken),
        web.post("/cgi-bin/kf/sync_msg", fake.sync_msg),
        web.post("/cgi-bin/kf/send_msg", fake.send_msg),
    ):
        yield fake
