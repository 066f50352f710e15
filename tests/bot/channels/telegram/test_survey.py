"""Alice closes a Telegram chat: the survey goes out with answer buttons, and the
customer's press ("5 非常满意", sent back as their message) is the chat's rating."""

from __future__ import annotations

from tests.bot.channels.telegram.fake import FakeTelegram
from tests.bot.channels.telegram.test_adapter import CHAT, FAST, channel, update_from_types, webhook
from tests.support.gateway import StartGateway
from tests.support.settings import make_settings
from tests.support.store import eventually
from tests.support.tokens import ALICE


async def test_the_survey_has_buttons_and_a_press_is_the_rating(
    start_gateway: StartGateway, sqlite_url: str, fake_telegram: FakeTelegram
) -> None:
    settings = make_settings(
        sqlite_url,
        csat={"survey_script": "zh-survey"},
        delivery=FAST,
        channels=[channel(fake_telegram.api_base)],
    )
    gateway = await start_gateway(settings)
    await gateway.assign(str(CHAT), "alice", channel="telegram")
    assert (await webhook(gateway, update_from_types("几天发货", message_id=1300)))[0] == 200
    path = f"/api/v1/conversations/{CHAT}/close"
    assert (await gateway.call("POST", path, ALICE, {"channel": "telegram"}))[0] == 200
    [survey] = await fake_telegram.wait_sent(1)
    assert survey["text"].startswith("亲，本次服务就到这里啦")
    keyboard = survey["reply_markup"]
    assert [row[0]["text"] for row in keyboard["keyboard"]] == [
        "5 非常满意",
        "4 满意",
        "3 一般",
        "2 不满意",
        "1 很不满意",
    ]
    assert keyboard["one_time_keyboard"] is True
    assert (await webhook(gateway, update_from_types("4 满意", message_id=1301)))[0] == 200

    async def rated() -> bool:
        transcript = await gateway.transcript(str(CHAT))
        return [r["rating"] for r in transcript["ratings"]] == [4]

    await eventually(rated)
    transcript = await gateway.transcript(str(CHAT))
    assert transcript["conversation"]["status"] == "closed"
    assert len(fake_telegram.sent) == 1  # no welcome line for the answer


async def test_an_ordinary_reply_has_no_buttons(
    start_gateway: StartGateway, sqlite_url: str, fake_telegram: FakeTelegram
) -> None:
    settings = make_settings(sqlite_url, delivery=FAST, channels=[channel(fake_telegram.api_base)])
    gateway = await start_gateway(settings)
    await gateway.assign(str(CHAT), "alice", channel="telegram")
    assert (await webhook(gateway, update_from_types("几天发货")))[0] == 200
    body = {"text": "亲，48 小时内发货哦", "channel": "telegram"}
    status, _ = await gateway.call("POST", f"/api/v1/conversations/{CHAT}/reply", ALICE, body)
    assert status == 201
    [sent] = await fake_telegram.wait_sent(1)
    assert "reply_markup" not in sent
