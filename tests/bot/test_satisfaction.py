"""Alice closes a chat and the shop's survey goes out; the customer's "5 非常满意" is the
chat's rating: it reopens nothing, starts no turn and shows in the KPIs; anything else,
or an answer after the window, is an ordinary message that reopens the chat."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import pytest

from tests.support.events import agent_replies, customer_says
from tests.support.gateway import Gateway, Listener, StartGateway
from tests.support.settings import make_settings
from tests.support.tokens import ALICE, BOB, INTEGRATION, SUPERVISOR, auth

ROSTER = [{"id": "alice", "name": "小美"}, {"id": "bob", "name": "小李"}]
SURVEY = {"survey_script": "zh-survey", "window_seconds": 60}


async def _served(gateway: Gateway, conv: str, agent: str = "alice") -> None:
    """A customer asks in ``conv`` and ``agent`` answers."""
    await gateway.assign(conv, agent)
    question = customer_says(f"{conv}-q", conv=conv, text="几天发货")
    assert (await gateway.post_events(question))[0] == 202
    reply = agent_replies(f"{conv}-a", agent, conv=conv, text="亲，48 小时内发货哦")
    assert (await gateway.post_events(reply))[0] == 202


async def _close(gateway: Gateway, conv: str, token: str = ALICE) -> tuple[int, Any]:
    return await gateway.call("POST", f"/api/v1/conversations/{conv}/close", token, {})


@pytest.fixture
async def shop(start_gateway: StartGateway, database_url: str) -> Gateway:
    settings = make_settings(database_url, csat=SURVEY, agents=ROSTER)
    return await start_gateway(settings)


async def test_the_customer_rates_the_closed_chat(shop: Gateway) -> None:
    await _served(shop, "c1")
    status, closed = await _close(shop, "c1")
    assert (status, closed["status"]) == (200, "closed")
    [survey] = await shop.bot_messages("c1")
    assert survey["text"].startswith("亲，本次服务就到这里啦，请为客服小美的服务打个分")
    assert (await shop.post_events(customer_says("c1-r", conv="c1", text="5 非常满意")))[0] == 202
    transcript = await shop.transcript("c1")
    assert transcript["conversation"]["status"] == "closed"
    assert len(transcript["turns"]) == 1  # the answer started no turn
    [rating] = transcript["ratings"]
    assert (rating["rating"], rating["agent_id"], rating["message_id"]) == (5, "alice", "c1-r")
    assert len(await shop.bot_messages("c1")) == 1
    status, kpis = await shop.call("GET", "/api/v1/kpis", SUPERVISOR)
    alice = next(a for a in kpis["agents"] if a["agent_id"] == "alice")
    for figures in (alice, kpis["team"]):
        assert (figures["csat_responses"], figures["csat_average"]) == (1, 5.0)
        assert figures["csat_satisfied_rate"] == 1.0


async def test_only_the_next_message_is_the_answer(shop: Gateway) -> None:
    await _served(shop, "c1")
    assert (await _close(shop, "c1"))[0] == 200
    await shop.post_events(customer_says("c1-x", conv="c1", text="对了，能开发票吗"))
    await shop.post_events(customer_says("c1-y", conv="c1", text="5"))
    transcript = await shop.transcript("c1")
    assert transcript["conversation"]["status"] == "open"  # the question reopened it
    assert transcript["ratings"] == []
    assert len(transcript["turns"]) == 2


async def test_the_survey_goes_out_once_and_a_rating_counts_once(shop: Gateway) -> None:
    await _served(shop, "c1")
    assert (await _close(shop, "c1"))[0] == 200
    assert (await _close(shop, "c1"))[0] == 409  # closed already
    batch = [
        customer_says("c1-r1", conv="c1", text="满意"),
        customer_says("c1-r2", conv="c1", text="满意"),
    ]
    assert (await shop.post_events({"events": batch}))[0] == 202
    transcript = await shop.transcript("c1")
    assert [r["message_id"] for r in transcript["ratings"]] == ["c1-r1"]
    assert transcript["conversation"]["status"] == "open"  # the second one is a message
    assert len(await shop.bot_messages("c1")) == 1


async def test_only_the_chats_agent_or_a_supervisor_closes_it(shop: Gateway) -> None:
    await _served(shop, "c1")
    status, refused = await _close(shop, "c1", BOB)
    assert status == 403
    assert "agent" in refused["error"]
    assert (await _close(shop, "nope"))[0] == 404
    status, bad = await shop.call("POST", "/api/v1/conversations/c1/close", ALICE, {"x": 1})
    assert status == 400
    assert bad["error"] == "invalid close"
    assert (await shop.transcript("c1"))["conversation"]["status"] == "open"
    assert (await _close(shop, "c1", SUPERVISOR))[0] == 200


async def test_the_agent_sees_the_rating_arrive(
    shop: Gateway, listeners: Callable[[], Listener]
) -> None:
    alice = listeners()
    await alice.connect(shop.url, "/agent", ALICE)
    await _served(shop, "c1")
    await _close(shop, "c1")
    await shop.post_events(customer_says("c1-r", conv="c1", text="4"))
    while (message := await alice.next("message"))["id"] != "c1-r":
        pass
    assert message["rating"] == 4
    assert await alice.nothing("suggestions")  # a rating asks nothing


async def test_an_answer_after_the_window_is_an_ordinary_message(
    start_gateway: StartGateway, sqlite_url: str
) -> None:
    settings = make_settings(sqlite_url, csat={**SURVEY, "window_seconds": 0.2}, agents=ROSTER)
    gateway = await start_gateway(settings)
    await _served(gateway, "c1")
    await _close(gateway, "c1")
    await asyncio.sleep(0.3)
    await gateway.post_events(customer_says("c1-r", conv="c1", text="5", ts=time.time()))
    transcript = await gateway.transcript("c1")
    assert (transcript["conversation"]["status"], transcript["ratings"]) == ("open", [])


async def test_without_a_survey_nothing_is_a_rating(
    start_gateway: StartGateway, sqlite_url: str
) -> None:
    gateway = await start_gateway(make_settings(sqlite_url, agents=ROSTER))
    await _served(gateway, "c1")
    await _close(gateway, "c1")
    assert await gateway.bot_messages("c1") == []
    await gateway.post_events(customer_says("c1-r", conv="c1", text="5"))
    transcript = await gateway.transcript("c1")
    assert (transcript["conversation"]["status"], transcript["ratings"]) == ("open", [])


async def _rated(gateway: Gateway, conv: str, agent: str, text: str) -> None:
    await _served(gateway, conv, agent)
    assert (await _close(gateway, conv, SUPERVISOR))[0] == 200
    assert (await gateway.post_events(customer_says(f"{conv}-r", conv=conv, text=text)))[0] == 202


async def test_a_satisfied_month_earns_the_merit(
    start_gateway: StartGateway, database_url: str
) -> None:
    assessment = {"satisfaction_min_responses": 2}
    settings = make_settings(database_url, csat=SURVEY, agents=ROSTER, assessment=assessment)
    gateway = await start_gateway(settings)
    await _rated(gateway, "a1", "alice", "非常满意")
    await _rated(gateway, "a2", "alice", "4")
    await _rated(gateway, "b1", "bob", "5")
    await _rated(gateway, "b2", "bob", "不满意")
    month = time.strftime("%Y-%m", time.gmtime())
    _, found = await gateway.call("GET", f"/api/v1/assessment?month={month}", SUPERVISOR)
    by_agent = {item["agent_id"]: item for item in found["items"]}
    alice, bob = by_agent["alice"], by_agent["bob"]
    [merit] = alice["entries"]
    assert (merit["source"], merit["points"], merit["reason"]) == (
        "csat",
        5.0,
        "satisfied 2/2 (100 %)",
    )
    assert (alice["additions"], alice["score"]) == (5.0, 85.0)
    assert (bob["entries"], bob["score"]) == ([], 80.0)  # 1 of 2 satisfied: 50 %
    _, kpis = await gateway.call("GET", "/api/v1/kpis", SUPERVISOR)
    team = kpis["team"]
    assert (team["csat_responses"], team["csat_average"]) == (4, 4.0)  # (5 + 4 + 5 + 2) / 4
    assert team["csat_satisfied_rate"] == 0.75
    async with gateway.http.get(
        f"{gateway.url}/api/v1/reports/file?period=day&format=csv", headers=auth(SUPERVISOR)
    ) as resp:
        assert resp.status == 200
        files = await resp.read()
    assert b"CSAT average" in files


async def _rate(gateway: Gateway, conv: str, body: Any) -> tuple[int, Any]:
    return await gateway.call("POST", f"/api/v1/conversations/{conv}/rating", INTEGRATION, body)


async def test_an_integration_posts_its_platforms_rating(shop: Gateway) -> None:
    await _served(shop, "c1")
    status, early = await _rate(shop, "c1", {"rating": 5})
    assert (status, early["error"]) == (409, "conversation is open: a rating follows a close")
    assert (await _close(shop, "c1"))[0] == 200
    for bad in ({"rating": 0}, {"rating": 6}, {"rating": "5"}, {"rating": True}, {}):
        status, refused = await _rate(shop, "c1", bad)
        assert (status, refused["error"]) == (400, "invalid rating")
    assert (await _rate(shop, "nope", {"rating": 5}))[0] == 404
    assert (await shop.call("POST", "/api/v1/conversations/c1/rating", ALICE, {"rating": 5}))[
        0
    ] == 403
    assert (await shop.transcript("c1"))["ratings"] == []  # nothing of that was stored
    racing = await asyncio.gather(*(_rate(shop, "c1", {"rating": r}) for r in (4, 5, 3)))
    assert sorted(status for status, _ in racing) == [201, 409, 409]
    [made] = [answer for status, answer in racing if status == 201]
    assert made["agent_id"] == "alice"
    [rating] = (await shop.transcript("c1"))["ratings"]
    assert (rating["rating"], rating["message_id"]) == (made["rating"], None)
    # The customer's "5" to the survey after that: that close is rated, so it is a message.
    await shop.post_events(customer_says("c1-r", conv="c1", text="5"))
    transcript = await shop.transcript("c1")
    assert (transcript["conversation"]["status"], len(transcript["ratings"])) == ("open", 1)
