"""The web chat tells its customer whether the shop answers now: nobody online, "leave a
message", the chat waits and reaches alice when she comes; outside the opening hours,
"we are closed"; the shop opening tells every page. The satisfaction question arrives
marked as one, and the customer's answer is the chat's rating."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

import pytest

from bot.availability import Availability
from bot.keys import ENGINE, SIO
from monitors.hours import BusinessHours
from tests.support.gateway import Gateway, Listener, StartGateway
from tests.support.settings import make_settings
from tests.support.tokens import ALICE
from tests.support.webchat import Customer, visitor_token

ROSTER = [{"id": "alice", "name": "小美"}]


@pytest.fixture
async def customer() -> AsyncIterator[Customer]:
    """One customer's page (closed after the test)."""
    made = Customer()
    yield made
    if made.client.connected:
        await made.client.disconnect()


async def test_nobody_online_the_customer_leaves_a_message_and_alice_gets_it(
    start_gateway: StartGateway,
    database_url: str,
    customer: Customer,
    listeners: Callable[[], Listener],
) -> None:
    routing = {"mode": "least_loaded"}
    shop = await start_gateway(make_settings(database_url, agents=ROSTER, routing=routing))
    await customer.connect(shop, {"token": await visitor_token(shop)})
    assert (await customer.history())["availability"] == "nobody"
    ack = await customer.say("在吗？想问下发票", "m00000001")  # left in the queue
    assert "error" not in ack

    alice = listeners()
    await alice.connect(shop.url, "/agent", ALICE)
    await customer.told_now("open")
    assigned = await alice.next("conversation.assigned")
    assert assigned["conversation_id"] == ack["id"].split("/")[0]
    history = await customer.history()
    assert (history["availability"], history["agent"]) == ("open", "小美")

    await alice.client.call("presence", {"status": "away"}, namespace="/agent")
    await customer.told_now("nobody")  # away takes no new chats: nobody to answer new ones


async def test_outside_the_opening_hours_the_page_says_closed(
    start_gateway: StartGateway,
    database_url: str,
    customer: Customer,
    listeners: Callable[[], Listener],
) -> None:
    today = datetime.now(UTC).date()
    holidays = [str(today + timedelta(days=d)) for d in (-1, 0, 1)]
    every_day = {day: ["00:00-24:00"] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    hours = {"weekly": every_day, "holidays": holidays}
    shop = await start_gateway(make_settings(database_url, agents=ROSTER, hours=hours))
    alice = listeners()
    await alice.connect(shop.url, "/agent", ALICE)  # online, but the shop is closed
    await customer.connect(shop, {"token": await visitor_token(shop)})
    assert (await customer.history())["availability"] == "closed"


async def test_the_shop_opening_tells_every_page(
    shop: Gateway, customer: Customer, listeners: Callable[[], Listener]
) -> None:
    alice = listeners()
    await alice.connect(shop.url, "/agent", ALICE)
    await customer.connect(shop, {"token": await visitor_token(shop)})
    # Opens 09:00 UTC every day; the clock starts a moment before a Monday's opening.
    hours = BusinessHours(UTC, tuple(((540, 1440),) for _ in range(7)))
    opening = datetime(2026, 12, 7, 9, tzinfo=UTC).timestamp()
    began = time.monotonic()
    clock = lambda: opening - 0.2 + (time.monotonic() - began)  # noqa: E731
    told = Availability(shop.app[ENGINE], shop.app[SIO], hours, clock)
    assert await told.state() == "closed"
    running = asyncio.create_task(told.run())
    try:
        await customer.told_now("open", within=3)
    finally:
        running.cancel()


@pytest.fixture
async def shop(start_gateway: StartGateway, database_url: str) -> Gateway:
    """The shop with the Chinese satisfaction survey."""
    csat = {"survey_script": "zh-survey"}
    return await start_gateway(make_settings(database_url, agents=ROSTER, csat=csat))


async def test_the_survey_comes_marked_and_its_answer_is_the_rating(
    shop: Gateway, customer: Customer
) -> None:
    await customer.connect(shop, {"token": await visitor_token(shop)})
    ack = await customer.say("谢谢，没问题了", "m00000001")
    conversation = ack["id"].split("/")[0]
    await shop.assign(conversation, "alice", channel="web")
    status, _ = await shop.call("POST", f"/api/v1/conversations/{conversation}/close", ALICE, {})
    assert status == 200
    survey = (await customer.wait_for(2))[-1]
    assert (survey["role"], survey["survey"]) == ("bot", True)
    lines = (await customer.history())["messages"]
    assert [line["survey"] for line in lines] == [False, True]

    await customer.say("5 非常满意", "m00000002")  # what the page's button sends
    transcript = await shop.transcript(conversation)
    assert [r["rating"] for r in transcript["ratings"]] == [5]
