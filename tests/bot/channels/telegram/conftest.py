"""Fixtures: the platform's API on a local port."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from tests.bot.channels.telegram.fake import FakeTelegram


@pytest.fixture
async def fake_telegram() -> AsyncIterator[FakeTelegram]:
    """A local stand-in for api.telegram.org."""
    fake = FakeTelegram()
    async with fake.serving(web.post("/bot{token}/sendMessage", fake.send_message)):
        yield fake
