"""A customer writes in the web chat: the message goes through the pipeline to alice,
her reply comes back live, the same browser returns to its history; forged tokens,
foreign origins, floods, empty and oversize messages are refused and store nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import pytest
import socketio

from bot.visitors import user_hash
from tests.support.gateway import Gateway, Listener, StartGateway
from tests.support.settings import make_settings
from tests.support.tokens import ALICE
from tests.support.webchat import Customer, visitor_token

ROSTER = [{"id": "alice", "name": "小美"}]


@pytest.fixture
async def customers() -> AsyncIterator[Callable[[], Customer]]:
    """Make customers' connections; all are closed after the test."""
    made: list[Customer] = []

    def make() -> Customer:
        made.append(Customer())
        return made[-1]

    yield make
    for customer in made:
        if customer.client.connected:
            await customer.client.disconnect()


@pytest.fixture
async def shop(start_gateway: StartGateway, database_url: str) -> Gateway:
    widget = {"max_messages_per_minute": 3, "max_message_chars": 50}
    return await start_gateway(make_settings(database_url, agents=ROSTER, widget=widget))


async def test_a_round_trip_with_alice(
    shop: Gateway,
    customers: Callable[[], Customer],
    listeners: Callable[[], Listener],
) -> None:
    token = await visitor_token(shop)
    customer = customers()
    await customer.connect(shop, {"token": token})
    ack = await customer.say("你好，几天发货？", "m00000001")
    assert ack["duplicate"] is False
    conversation = ack["id"].split("/")[0]
    assert conversation.startswith("v-")
    alice = listeners()
    await alice.connect(shop.url, "/agent", ALICE)
    await shop.assign(conversation, "alice", channel="web")
    reply = {"text": "亲，48 小时内发货哦", "channel": "web"}
    status, _ = await shop.call("POST", f"/api/v1/conversations/{conversation}/reply", ALICE, reply)
    assert status == 201
    mine, hers = (await customer.wait_for(2))[:2]
    assert (mine["role"], mine["text"]) == ("customer", "你好，几天发货？")
    assert (hers["role"], hers["name"], hers["text"]) == ("agent", "小美", "亲，48 小时内发货哦")
    assert "sender" not in hers  # no agent ids or scripts for the customer

    again = customers()  # the same browser comes back
    await again.connect(shop, {"token": token})
    history = await again.history()
    assert history["conversation_id"] == conversation
    assert [m["text"] for m in history["messages"]] == ["你好，几天发货？", "亲，48 小时内发货哦"]
    assert history["agent"] == "小美"
    stranger = customers()
    await stranger.connect(shop, {"token": await visitor_token(shop)})
    assert (await stranger.history())["messages"] == []  # nobody reads another's chat


async def test_a_message_sent_twice_is_stored_once(
    shop: Gateway, customers: Callable[[], Customer]
) -> None:
    customer = customers()
    await customer.connect(shop, {"token": await visitor_token(shop)})
    first = await customer.say("在吗", "m00000001")
    second = await customer.say("在吗", "m00000001")  # after a reconnect, say
    assert (first["id"], first["duplicate"], second["duplicate"]) == (first["id"], False, True)
    assert len((await customer.history())["messages"]) == 1


async def test_bad_messages_are_refused_with_a_reason(
    shop: Gateway, customers: Callable[[], Customer]
) -> None:
    customer = customers()
    await customer.connect(shop, {"token": await visitor_token(shop)})
    assert (await customer.say("   ", "m00000001"))[
        "error"
    ] == "empty message: write something first"
    too_long = await customer.say("好" * 51, "m00000002")
    assert too_long["error"] == "message too long: at most 50 characters"
    assert (await customer.say("hi", "bad id!"))["error"] == "invalid message"
    for n in range(3):
        assert "error" not in await customer.say(f"第 {n} 条", f"m0000001{n}")
    flooded = await customer.say("还有人吗", "m00000020")
    assert flooded["error"].startswith("too many messages: at most 3 a minute")
    assert [m["text"] for m in (await customer.history())["messages"]] == [
        "第 0 条",
        "第 1 条",
        "第 2 条",
    ]


async def test_forged_tokens_and_foreign_origins_are_refused(
    shop: Gateway, customers: Callable[[], Customer]
) -> None:
    token = await visitor_token(shop)
    forged = token[:-1] + ("0" if token[-1] != "0" else "1")
    for auth in ({"token": forged}, {"token": "abc"}, {}, {"user_id": "u1", "user_hash": "00"}):
        with pytest.raises(socketio.exceptions.ConnectionError):
            await customers().connect(shop, auth)
    with pytest.raises(socketio.exceptions.ConnectionError):
        await customers().connect(shop, {"token": token}, {"Origin": "http://evil.example"})
    own = customers()
    await own.connect(shop, {"token": token}, {"Origin": shop.url})
    assert own.client.connected


async def test_a_shop_signs_its_customers_id(
    start_gateway: StartGateway, sqlite_url: str, customers: Callable[[], Customer]
) -> None:
    widget = {
        "identity_secret": "shop-secret-0123456789",
        "allowed_origins": ["https://shop.example"],
    }
    gateway = await start_gateway(make_settings(sqlite_url, widget=widget))
    signed = {"user_id": "member-42", "user_hash": user_hash("shop-secret-0123456789", "member-42")}
    phone, laptop = customers(), customers()
    await phone.connect(gateway, signed, {"Origin": "https://shop.example"})
    await phone.say("我的订单到哪了", "m00000001")
    await laptop.connect(gateway, signed)
    history = await laptop.history()
    assert history["conversation_id"] == "u-member-42"
    assert [m["text"] for m in history["messages"]] == ["我的订单到哪了"]
    wrong = {"user_id": "member-42", "user_hash": user_hash("guess", "member-42")}
    with pytest.raises(socketio.exceptions.ConnectionError):
        await customers().connect(gateway, wrong)


async def test_the_page_may_be_framed_only_where_allowed(
    start_gateway: StartGateway, sqlite_url: str
) -> None:
    widget = {"allowed_origins": ["https://shop.example"]}
    gateway = await start_gateway(make_settings(sqlite_url, widget=widget))
    framed = {"Sec-Fetch-Dest": "iframe", "Sec-Fetch-Site": "cross-site"}
    async with gateway.http.get(f"{gateway.url}/chat") as resp:
        assert resp.status == 200
        policy = resp.headers["Content-Security-Policy"]
        assert "frame-ancestors 'self' https://shop.example" in policy
        assert "X-Frame-Options" not in resp.headers
    allowed = framed | {"Referer": "https://shop.example/product/1"}
    async with gateway.http.get(f"{gateway.url}/chat?embed=1", headers=allowed) as resp:
        assert resp.status == 200
    stranger = framed | {"Referer": "https://evil.example/"}
    async with gateway.http.get(f"{gateway.url}/chat?embed=1", headers=stranger) as resp:
        assert resp.status == 403


async def test_the_web_chat_can_be_turned_off(start_gateway: StartGateway, sqlite_url: str) -> None:
    gateway = await start_gateway(make_settings(sqlite_url, widget={"enabled": False}))
    async with gateway.http.get(f"{gateway.url}/chat") as resp:
        assert resp.status == 404
