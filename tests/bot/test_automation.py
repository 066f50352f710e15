"""A customer who opens a chat is welcomed once by the shop's welcome line, and one
who writes while the shop is closed gets the offline line once per closed period;
neither line stops the reply clock, and both go out through the customer's channel."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tests.support.events import closed, customer_says
from tests.support.gateway import StartGateway
from tests.support.settings import make_settings
from tests.support.tokens import SUPERVISOR

WELCOME = {"welcome_script": "zh-welcome", "offline_script": "zh-service-hours"}
ROSTER = [{"id": "alice", "name": "小美", "group": "pre-sale"}]


def closed_today(zone: str = "Asia/Shanghai") -> dict[str, Any]:
    """Hours that make right now a holiday (open every other day round the clock)."""
    today = datetime.now(ZoneInfo(zone)).date()
    days = [str(today + timedelta(days=d)) for d in (-1, 0, 1)]
    weekly = {day: ["00:00-24:00"] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    return {"timezone": zone, "weekly": weekly, "holidays": days}


async def test_an_opening_customer_is_welcomed_once_per_opening(
    start_gateway: StartGateway, database_url: str
) -> None:
    settings = make_settings(database_url, automation=WELCOME, agents=ROSTER)
    gateway = await start_gateway(settings)
    await gateway.assign("c1", "alice")
    await gateway.post_events(customer_says("m1", text="在吗", name="王女士"))
    await gateway.post_events(customer_says("m2", text="想问下发货时间"))
    [welcome] = await gateway.bot_messages("c1")
    assert welcome["text"].startswith("亲王女士，您好！欢迎光临本店，我是客服小美")
    assert welcome["sender"]["id"] == "replywatch"
    [turn] = (await gateway.transcript("c1"))["turns"]
    assert turn["ended_at"] is None  # the welcome line did not answer the customer
    await gateway.post_events(closed("c1"))
    await gateway.post_events(customer_says("m3", text="我又来了", name="王女士"))
    assert len(await gateway.bot_messages("c1")) == 2  # reopened: welcomed again


async def test_a_customer_writing_while_closed_gets_the_offline_line_once(
    start_gateway: StartGateway, sqlite_url: str
) -> None:
    monitor = {"reply_seconds": 0.2, "sweep_seconds": 0.05}
    settings = make_settings(sqlite_url, automation=WELCOME, hours=closed_today(), monitor=monitor)
    gateway = await start_gateway(settings)
    await gateway.assign("c1", "alice")
    await gateway.post_events(customer_says("m1", text="有人吗"))
    await gateway.post_events(customer_says("m2", text="人呢？"))
    [offline] = await gateway.bot_messages("c1")
    assert offline["text"].startswith("亲，我们的客服在线时间")
    [turn] = (await gateway.transcript("c1"))["turns"]
    opening = datetime.fromisoformat(turn["due_at"].replace("Z", "+00:00"))
    assert opening > datetime.now(ZoneInfo("UTC")) + timedelta(hours=1)  # after the holidays
    await asyncio.sleep(0.4)
    status, listed = await gateway.call("GET", "/api/v1/alerts", SUPERVISOR)
    assert (status, listed["items"]) == (200, [])
