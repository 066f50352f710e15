"""Fixtures: the platform's API on a local port."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from tests.bot.channels.slack.fake import FakeSlack


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    """A local stand-in for slack.com/api."""
    fake = FakeSlack()
    async with fake.serving(web.post("/chat.postMessage", fake.post_message)):
        yield fake
