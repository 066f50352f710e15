"""A customer who opens a Telegram chat gets the shop's welcome line in Telegram."""

from __future__ import annotations

from tests.bot.channels.telegram.fake import FakeTelegram
from tests.bot.channels.telegram.test_adapter import (
    CHAT,
    FAST,
    channel,
    update_from_types,
    webhook,
)
from tests.support.gateway import StartGateway
from tests.support.settings import make_settings
from tests.support.store import eventually


async def test_the_welcome_line_goes_out_through_telegram(
    start_gateway: StartGateway, sqlite_url: str, fake_telegram: FakeTelegram
) -> None:
    settings = make_settings(
        sqlite_url,
        automation={"welcome_script": "zh-welcome"},
        delivery=FAST,
        channels=[channel(fake_telegram.api_base)],
    )
    gateway = await start_gateway(settings)
    status, _ = await webhook(gateway, update_from_types("你好"))
    assert status == 200
    [sent] = await fake_telegram.wait_sent(1)
    assert sent["chat_id"] == str(CHAT)
    assert sent["text"].startswith("亲Mei Lin，您好！欢迎光临本店")

    async def delivered() -> bool:
        lines = await gateway.bot_messages(str(CHAT))
        return bool(lines) and lines[0]["delivery"]["state"] == "sent"

    await eventually(delivered)
