"""A customer writes to the shop's Telegram bot; the agent answers from ReplyWatch and
the answer reaches the customer in Telegram, or the agent hears that it did not."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import telegram

from bot.keys import METRICS
from tests.bot.channels.telegram.fake import FakeTelegram
from tests.support.gateway import Gateway, Listener, StartGateway
from tests.support.settings import free_port, make_settings
from tests.support.store import count_events, engine_of, eventually
from tests.support.tokens import ALICE, SUPERVISOR, auth

FIXTURES = Path(__file__).parent / "fixtures"
SECRET = "tg-webhook-secret-0123456789"
CHAT = 5104230187
FAST = {"backoff_seconds": 0.05, "poll_seconds": 0.05}


def fixture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return data


def channel(api_base: str) -> dict[str, Any]:
    return {
        "type": "telegram",
        "name": "telegram",
        "bot_token": FakeTelegram.TOKEN,
        "secret_token": SECRET,
        "api_base": api_base,
    }


async def shop(
    start_gateway: StartGateway, database_url: str, api_base: str, **delivery: Any
) -> Gateway:
    settings = make_settings(
        database_url, delivery={**FAST, **delivery}, channels=[channel(api_base)]
    )
    gateway = await start_gateway(settings)
    await gateway.assign(str(CHAT), "alice", channel="telegram")
    return gateway


async def webhook(gateway: Gateway, body: Any, secret: str | None = SECRET) -> tuple[int, Any]:
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    async with gateway.http.post(
        f"{gateway.url}/channels/telegram", data=data, headers=headers
    ) as resp:
        return resp.status, await resp.json()


def update_from_types(text: str, message_id: int = 1300) -> dict[str, Any]:
    """An Update built with python-telegram-bot's own classes, as Telegram sends it."""
    user = telegram.User(id=CHAT, first_name="Mei", is_bot=False, last_name="Lin")
    chat = telegram.Chat(id=CHAT, type=telegram.Chat.PRIVATE, first_name="Mei")
    message = telegram.Message(
        message_id=message_id,
        date=datetime.now(UTC).replace(microsecond=0),
        chat=chat,
        from_user=user,
        text=text,
    )
    data: dict[str, Any] = telegram.Update(update_id=938201500, message=message).to_dict()
    return data


async def reply(alice: Listener, text: str) -> Any:
    body = {"conversation_id": str(CHAT), "text": text}
    return await alice.client.call("reply", body, namespace="/agent", timeout=5)


async def test_a_round_trip_through_telegram(
    start_gateway: StartGateway,
    database_url: str,
    fake_telegram: FakeTelegram,
    listeners: Callable[[], Listener],
) -> None:
    gateway = await shop(start_gateway, database_url, fake_telegram.api_base)
    alice = listeners()
    await alice.connect(gateway.url, "/agent", ALICE)
    status, _ = await webhook(gateway, update_from_types("你好，请问今天下单几天能发货？"))
    assert status == 200
    suggested = await alice.next("suggestions")
    assert suggested["conversation_id"] == str(CHAT)
    assert suggested["items"][0]["script_id"] == "zh-ship-time"
    ack = await reply(alice, suggested["items"][0]["text"])
    assert ack["delivery"] == "pending"
    [sent] = await fake_telegram.wait_sent(1)
    assert (sent["chat_id"], sent["text"]) == (str(CHAT), suggested["items"][0]["text"])
    delivered = await alice.next("message.delivery")
    assert (delivered["state"], delivered["message_id"]) == ("sent", ack["message"]["id"])
    conversation = await gateway.transcript(str(CHAT))
    customer, answer = conversation["messages"]
    assert customer["sender"] == {"role": "customer", "id": str(CHAT), "name": "Mei Lin"}
    assert answer["delivery"] == {
        "state": "sent",
        "attempts": 1,
        "error": None,
        "remote_id": "9001",
    }
    [turn] = conversation["turns"]
    assert turn["end_reason"] == "reply"  # the reply clock stopped
    assert turn["response_seconds"] < 5


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("text_message.json", "你好，请问今天下单几天能发货？"),
        ("photo_message.json", "[photo] 收到的衣服有破洞"),
    ],
)
async def test_documented_updates_become_customer_messages(
    start_gateway: StartGateway, sqlite_url: str, fake_telegram: FakeTelegram, name: str, text: str
) -> None:
    gateway = await shop(start_gateway, sqlite_url, fake_telegram.api_base)
    assert (await webhook(gateway, fixture(name)))[0] == 200
    assert (await webhook(gateway, fixture(name)))[0] == 200  # Telegram's redelivery
    [message] = (await gateway.transcript(str(CHAT)))["messages"]
    assert message["text"] == text
    assert message["ts"].startswith("2026-11-18")  # the update's own date


async def test_updates_that_are_not_new_messages_store_nothing(
    start_gateway: StartGateway, sqlite_url: str, fake_telegram: FakeTelegram
) -> None:
    gateway = await shop(start_gateway, sqlite_url, fake_telegram.api_base)
    before = await count_events(engine_of(gateway.app))
    assert (await webhook(gateway, fixture("edited_message.json")))[0] == 200
    assert await count_events(engine_of(gateway.app)) == before


@pytest.mark.parametrize(
    ("secret", "body", "status"),
    [
        (None, fixture("text_message.json"), 401),
        ("wrong-secret-0123456789", fixture("text_message.json"), 401),
        (SECRET, b"{not json", 400),
        (SECRET, {"update_id": 1, "message": {"message_id": 1, "date": 1}}, 400),
        (SECRET, {"message": {}}, 400),
        (SECRET, [1, 2], 400),
    ],
)
async def test_unsigned_or_malformed_requests_are_refused_and_store_nothing(
    start_gateway: StartGateway,
    sqlite_url: str,
    fake_telegram: FakeTelegram,
    secret: str | None,
    body: Any,
    status: int,
) -> None:
    gateway = await shop(start_gateway, sqlite_url, fake_telegram.api_base)
    before = await count_events(engine_of(gateway.app))
    answered, payload = await webhook(gateway, body, secret)
    assert answered == status
    assert "error" in payload
    assert await count_events(engine_of(gateway.app)) == before


async def test_a_busy_telegram_is_retried_until_it_takes_the_reply(
    start_gateway: StartGateway,
    sqlite_url: str,
    fake_telegram: FakeTelegram,
    listeners: Callable[[], Listener],
) -> None:
    fake_telegram.fail(502, {"ok": False, "error_code": 502, "description": "Bad Gateway"})
    fake_telegram.fail(
        429,
        {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 0",
            "parameters": {"retry_after": 0},
        },
    )
    gateway = await shop(start_gateway, sqlite_url, fake_telegram.api_base)
    alice = listeners()
    await alice.connect(gateway.url, "/agent", ALICE)
    await webhook(gateway, fixture("text_message.json"))
    await reply(alice, "亲，现货 48 小时内发货")
    await fake_telegram.wait_sent(1)
    assert (await alice.next("message.delivery"))["state"] == "sent"
    answer = (await gateway.transcript(str(CHAT)))["messages"][1]
    assert (answer["delivery"]["state"], answer["delivery"]["attempts"]) == ("sent", 3)
    counted = gateway.app[METRICS].deliveries
    assert counted.labels("telegram", "retried")._value.get() == 2
    assert counted.labels("telegram", "sent")._value.get() == 1


async def test_a_refused_reply_is_kept_and_its_agent_alerted(
    start_gateway: StartGateway,
    sqlite_url: str,
    fake_telegram: FakeTelegram,
    listeners: Callable[[], Listener],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    blocked = {
        "ok": False,
        "error_code": 403,
        "description": "Forbidden: bot was blocked by the user",
    }
    fake_telegram.fail(403, blocked)
    gateway = await shop(start_gateway, sqlite_url, fake_telegram.api_base)
    alice, supervisor = listeners(), listeners()
    await alice.connect(gateway.url, "/agent", ALICE)
    await supervisor.connect(gateway.url, "/supervisor", SUPERVISOR)
    await webhook(gateway, fixture("text_message.json"))
    ack = await reply(alice, "亲，现货 48 小时内发货")
    alert = await alice.alert("delivery.failed")
    assert (alert["kind"], alert["message_id"], alert["agent_id"]) == (
        "delivery.failed",
        ack["message"]["id"],
        "alice",
    )
    assert (await supervisor.alert("delivery.failed"))["agent_id"] == "alice"
    # Counted like every other alert (it goes out through the same one path).
    assert await gateway.metric('replywatch_alerts_total{kind="delivery.failed"}') == 1
    answer = (await gateway.transcript(str(CHAT)))["messages"][1]
    assert answer["text"] == "亲，现货 48 小时内发货"
    assert answer["delivery"]["state"] == "failed"
    assert answer["delivery"]["error"] == "Telegram 403: Forbidden: bot was blocked by the user"
    assert answer["delivery"]["attempts"] == 1
    # The fake Telegram's own access log (same process) shows its URL; ReplyWatch's logs must not.
    ours = "\n".join(
        r.getMessage()
        for r in caplog.records
        if not (r.name == "aiohttp.access" and "/sendMessage" in r.getMessage())
    )
    assert "delivery 1 on telegram failed" in ours
    assert FakeTelegram.TOKEN not in ours
    assert SECRET not in ours


async def test_an_unreachable_telegram_fails_after_the_retries(
    start_gateway: StartGateway, sqlite_url: str, listeners: Callable[[], Listener]
) -> None:
    nowhere = f"http://127.0.0.1:{free_port()}"
    gateway = await shop(start_gateway, sqlite_url, nowhere, retries=2)
    alice = listeners()
    await alice.connect(gateway.url, "/agent", ALICE)
    await webhook(gateway, fixture("text_message.json"))
    started = time.monotonic()
    await reply(alice, "在的亲")
    await alice.alert("delivery.failed")
    assert time.monotonic() - started < 5
    delivery = (await gateway.transcript(str(CHAT)))["messages"][1]["delivery"]
    assert (delivery["state"], delivery["attempts"]) == ("failed", 3)
    assert delivery["error"].startswith("Telegram unreachable")


async def test_a_long_reply_goes_out_in_pieces(
    start_gateway: StartGateway,
    sqlite_url: str,
    fake_telegram: FakeTelegram,
    listeners: Callable[[], Listener],
) -> None:
    gateway = await shop(start_gateway, sqlite_url, fake_telegram.api_base)
    alice = listeners()
    await alice.connect(gateway.url, "/agent", ALICE)
    await webhook(gateway, fixture("text_message.json"))
    await reply(alice, "好" * 5000)
    pieces = await fake_telegram.wait_sent(2)
    assert [len(p["text"]) for p in pieces] == [4096, 904]


async def test_a_reply_waiting_to_go_out_survives_a_restart(
    start_gateway: StartGateway,
    sqlite_url: str,
    fake_telegram: FakeTelegram,
    listeners: Callable[[], Listener],
) -> None:
    down = f"http://127.0.0.1:{free_port()}"
    first = await shop(start_gateway, sqlite_url, down, backoff_seconds=0.5)
    alice = listeners()
    await alice.connect(first.url, "/agent", ALICE)
    await webhook(first, fixture("text_message.json"))
    ack = await reply(alice, "亲，马上为您查询")

    async def first_attempt_failed() -> bool:
        delivery = (await first.transcript(str(CHAT)))["messages"][1]["delivery"]
        return bool(delivery["state"] == "pending" and delivery["attempts"] == 1)

    await eventually(first_attempt_failed)
    await alice.client.disconnect()
    await first.http.close()
    await first.server.close()  # stopped while Telegram was unreachable: the reply waits

    settings = make_settings(sqlite_url, delivery=FAST, channels=[channel(fake_telegram.api_base)])
    second = await start_gateway(settings)
    [sent] = await fake_telegram.wait_sent(1)
    assert sent["text"] == "亲，马上为您查询"
    delivery = (await second.transcript(str(CHAT)))["messages"][1]["delivery"]
    assert delivery["state"] == "sent"
    assert delivery["attempts"] == 2
    assert (await second.transcript(str(CHAT)))["messages"][1]["id"] == ack["message"]["id"]


async def test_an_agent_may_also_answer_over_http(
    start_gateway: StartGateway, sqlite_url: str, fake_telegram: FakeTelegram
) -> None:
    gateway = await shop(start_gateway, sqlite_url, fake_telegram.api_base)
    await webhook(gateway, update_from_types("在吗"))
    url = f"{gateway.url}/api/v1/conversations/{CHAT}/reply"
    body = {"text": "在的亲", "id": "alice-http-1"}
    async with gateway.http.post(url, json=body, headers=auth(ALICE)) as resp:
        assert resp.status == 201
        assert (await resp.json())["delivery"] == "pending"
    async with gateway.http.post(url, json=body, headers=auth(ALICE)) as resp:
        assert (resp.status, (await resp.json())["duplicate"]) == (200, True)
    [sent] = await fake_telegram.wait_sent(1)
    assert sent["text"] == "在的亲"
    await asyncio.sleep(0.2)
    assert len(fake_telegram.sent) == 1  # the repeated id was not sent twice
    checks = [
        (f"{gateway.url}/api/v1/conversations/nobody/reply", {"text": "x"}, ALICE, 404),
        (url, {"text": ""}, ALICE, 400),
        (url, {"text": "x", "extra": 1}, ALICE, 400),
        (url, {"text": "x"}, SUPERVISOR, 403),
    ]
    for target, payload, token, status in checks:
        async with gateway.http.post(target, json=payload, headers=auth(token)) as resp:
            assert resp.status == status, (payload, token)
