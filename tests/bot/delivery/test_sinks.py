"""Supervisors get alerts in the group chats they already watch: a WeCom, DingTalk,
Feishu or Slack robot receives each late reply in the platform's own format and
signature, bursts arrive as one message, and nothing is lost when the robot is down
or the service restarts."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.keys import METRICS
from storage.tables import ALERT_OUTBOX, ALERTS, SINK_DELIVERIES
from tests.bot.delivery.fakes import ChatRobot
from tests.support.events import customer_says
from tests.support.gateway import Gateway, StartGateway
from tests.support.settings import make_settings
from tests.support.store import engine_of, eventually

TINY = {"reply_seconds": 0.2, "unanswered_seconds": 30, "sweep_seconds": 0.05}
SECRETS = {"dingtalk": "SECdingtalk-signing-secret", "feishu": "feishu-signing-secret"}
MakeRobot = Callable[..., Awaitable[ChatRobot]]


@pytest.fixture
async def robots() -> AsyncIterator[MakeRobot]:
    started: list[ChatRobot] = []

    async def make(kind: str, answers: list[Any] | None = None) -> ChatRobot:
        robot = ChatRobot(kind, SECRETS.get(kind, ""), answers)
        await robot.start()
        started.append(robot)
        return robot

    yield make
    for robot in started:
        await robot.close()


def sink(robot: ChatRobot, **extra: Any) -> dict[str, Any]:
    config: dict[str, Any] = {"type": robot.kind, "url": robot.url, "merge_seconds": 0}
    if robot.kind in SECRETS:
        config["secret"] = SECRETS[robot.kind]
    return config | {"backoff_seconds": 0.05} | extra


def alerts(*sinks: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"poll_seconds": 0.05, "sink": list(sinks), **extra}


async def overdue(gateway: Gateway, conv: str = "c1") -> None:
    await gateway.assign(conv, "alice")
    status, _ = await gateway.post_events(customer_says(f"m-{conv}", conv=conv))
    assert status == 202


@pytest.mark.parametrize("kind", ["wecom", "dingtalk", "feishu", "slack"])
async def test_a_late_reply_reaches_the_group_chat_in_its_own_format(
    start_gateway: StartGateway, sqlite_url: str, robots: MakeRobot, kind: str
) -> None:
    robot = await robots(kind)
    roster = [{"id": "alice", "name": "小美"}]
    settings = make_settings(sqlite_url, monitor=TINY, alerts=alerts(sink(robot)), agents=roster)
    gateway = await start_gateway(settings)
    await overdue(gateway)
    await robot.wait_for(1)
    await asyncio.sleep(0.3)
    assert robot.rejected == []
    [text] = robot.texts()  # the early warning is for alice, not the group
    assert "回复超时" in text
    assert "会话 c1" in text
    assert "客服 小美" in text  # the roster's name


async def test_an_english_team_reads_english(
    start_gateway: StartGateway, sqlite_url: str, robots: MakeRobot
) -> None:
    robot = await robots("slack")
    config = alerts(sink(robot, language="en", kinds=["reply.warning"]))
    gateway = await start_gateway(make_settings(sqlite_url, monitor=TINY, alerts=config))
    await overdue(gateway)
    await robot.wait_for(1)
    assert "*Reply due soon*" in robot.texts()[0]
    assert "conversation c1" in robot.texts()[0]


async def test_a_burst_arrives_as_one_message(
    start_gateway: StartGateway, sqlite_url: str, robots: MakeRobot
) -> None:
    robot = await robots("wecom")
    config = alerts(sink(robot, merge_seconds=0.6))
    gateway = await start_gateway(make_settings(sqlite_url, monitor=TINY, alerts=config))
    for conv in ("c1", "c2", "c3"):
        await overdue(gateway, conv)
    await robot.wait_for(1)
    await asyncio.sleep(0.8)
    [text] = robot.texts()
    assert "ReplyWatch 告警 3 条" in text
    assert all(f"会话 {conv}" in text for conv in ("c1", "c2", "c3"))


async def test_a_rate_limited_robot_gets_the_alert_later_and_a_bad_signature_is_not_retried(
    start_gateway: StartGateway, sqlite_url: str, robots: MakeRobot
) -> None:
    limited = await robots("wecom", [{"errcode": 45009, "errmsg": "api freq out of limit"}])
    wrong = await robots("dingtalk")
    wrong.secret = "SECanother-secret"
    config = alerts(sink(limited), sink(wrong))
    gateway = await start_gateway(make_settings(sqlite_url, monitor=TINY, alerts=config))
    await overdue(gateway)
    await limited.wait_for(1)
    sent = gateway.app[METRICS].sink_deliveries

    async def dingtalk_gave_up() -> bool:
        return bool(sent.labels("dingtalk", "failed")._value.get() == 1)

    await eventually(dingtalk_gave_up)
    await asyncio.sleep(0.3)
    assert wrong.rejected == ["sign"]  # tried once: a bad signature does not heal
    assert sent.labels("wecom", "retried")._value.get() == 1
    async with engine_of(gateway.app).connect() as conn:
        rows = (await conn.execute(select(SINK_DELIVERIES.c.sink, SINK_DELIVERIES.c.state))).all()
    assert sorted(state for _, state in rows) == ["failed", "sent"]


async def test_alerts_wait_in_the_database_while_the_robot_is_down_and_survive_a_restart(
    start_gateway: StartGateway, sqlite_url: str, robots: MakeRobot
) -> None:
    robot = await robots("feishu", [503] * 1000)
    config = alerts(sink(robot, backoff_seconds=0.05, max_backoff_seconds=0.1, retries=20))
    first = await start_gateway(make_settings(sqlite_url, monitor=TINY, alerts=config))
    await overdue(first)
    await overdue(first, "c2")

    async def two_pending() -> bool:
        async with engine_of(first.app).connect() as conn:
            states = (await conn.execute(select(SINK_DELIVERIES.c.state))).scalars().all()
        return len(states) == 2 and "sent" not in states

    await eventually(two_pending)
    await first.http.close()
    assert first.server is not None
    await first.server.close()  # the service stops with both alerts undelivered
    robot.answers.clear()  # the robot is back
    second = await start_gateway(make_settings(sqlite_url, monitor=TINY, alerts=config))

    async def both_arrived() -> bool:
        text = "\n".join(robot.texts())
        return "会话 c1 " in text and "会话 c2 " in text

    await eventually(both_arrived)

    async def both_recorded_sent() -> bool:
        async with engine_of(second.app).connect() as conn:
            states = (await conn.execute(select(SINK_DELIVERIES.c.state))).scalars().all()
        return states == ["sent", "sent"]

    await eventually(both_recorded_sent)
    async with engine_of(second.app).connect() as conn:
        assert (await conn.execute(select(ALERT_OUTBOX))).all() == []


async def test_two_gateways_on_one_database_send_each_alert_once(
    start_gateway: StartGateway, sqlite_url: str, robots: MakeRobot
) -> None:
    robot = await robots("slack")
    config = alerts(sink(robot))
    one = await start_gateway(make_settings(sqlite_url, monitor=TINY, alerts=config))
    await start_gateway(make_settings(sqlite_url, monitor=TINY, alerts=config))
    for conv in ("c1", "c2", "c3"):  # a fourth chat would make alice busy (60 s)
        await overdue(one, conv)

    def counts() -> list[int]:
        text = "\n".join(robot.texts())
        return [text.count(f"会话 {conv} ") for conv in ("c1", "c2", "c3")]

    await eventually(lambda: all(counts()))
    await asyncio.sleep(0.5)
    assert counts() == [1, 1, 1]


async def test_without_a_sink_the_outbox_is_emptied_as_alerts_come(
    start_gateway: StartGateway, sqlite_url: str
) -> None:
    gateway = await start_gateway(make_settings(sqlite_url, monitor=TINY))
    await overdue(gateway)

    async def outbox_empty_after_alerts() -> bool:
        async with engine_of(gateway.app).connect() as conn:
            alerts_seen = (await conn.execute(select(func.count()).select_from(ALERTS))).scalar()
            left = (await conn.execute(select(func.count()).select_from(ALERT_OUTBOX))).scalar()
        return bool(alerts_seen) and left == 0

    await eventually(outbox_empty_after_alerts)
