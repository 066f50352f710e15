"""Outgoing alert webhooks (``[[alerts.webhook]]``, the same as an ``[[alerts.sink]]`` of
type ``webhook``): a supervisor's incident tool gets each alert as a signed POST,
retried when it is down, and a dead endpoint never holds up or loses an alert."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import time
from collections.abc import Callable
from typing import Any

from bot.delivery.webhooks import backoff, sign, verify
from bot.keys import METRICS
from tests.support.events import customer_says
from tests.support.gateway import Gateway, Listener, StartGateway
from tests.support.settings import free_port, make_settings
from tests.support.store import eventually
from tests.support.tokens import SUPERVISOR, auth

SECRET = "webhook-secret-for-tests"
TINY = {"reply_seconds": 0.2, "unanswered_seconds": 30, "sweep_seconds": 0.05}
FAST = {"poll_seconds": 0.05}


def hook(url: str, **extra: Any) -> dict[str, Any]:
    return {"url": url, "secret": SECRET, "backoff_seconds": 0.05, **extra}


async def overdue_chat(gateway: Gateway, conv: str = "c1") -> None:
    await gateway.assign(conv, "alice")
    status, _ = await gateway.post_events(customer_says(f"m-{conv}", conv=conv))
    assert status == 202


async def test_each_alert_arrives_signed_with_the_contract_fields(
    start_gateway: StartGateway, sqlite_url: str, receivers: Callable[..., Any]
) -> None:
    receiver = await receivers()
    gateway = await start_gateway(
        make_settings(sqlite_url, monitor=TINY, alerts={**FAST, "webhook": [hook(receiver.url)]})
    )
    await overdue_chat(gateway)
    await receiver.wait_for(2)
    kinds = [body["alert"]["kind"] for body in receiver.bodies()]
    assert kinds == ["reply.warning", "reply.overdue"]
    headers, raw = receiver.requests[1]
    assert headers["X-ReplyWatch-Event"] == "alert"
    timestamp = headers["X-ReplyWatch-Timestamp"]
    assert abs(int(timestamp) - time.time()) < 5
    expected = hmac.new(SECRET.encode(), f"v1:{timestamp}:".encode() + raw, hashlib.sha256)
    assert headers["X-ReplyWatch-Signature"] == "v1=" + expected.hexdigest()
    alert = receiver.bodies()[1]["alert"]
    assert alert["conversation_id"] == "c1"
    assert alert["message_id"] == "m-c1"
    assert alert["agent_id"] == "alice"
    assert alert["deadline_seconds"] == 0.2
    async with gateway.http.get(f"{gateway.url}/api/v1/alerts", headers=auth(SUPERVISOR)) as r:
        listed = {item["id"]: item for item in (await r.json())["items"]}
    assert listed[alert["id"]] == alert


async def test_kinds_choose_what_an_endpoint_gets(
    start_gateway: StartGateway, sqlite_url: str, receivers: Callable[..., Any]
) -> None:
    everything, unanswered_only = await receivers(), await receivers()
    monitor = {**TINY, "unanswered_seconds": 0.4}
    hooks = [hook(everything.url), hook(unanswered_only.url, kinds=["message.unanswered"])]
    gateway = await start_gateway(
        make_settings(sqlite_url, monitor=monitor, alerts={**FAST, "webhook": hooks})
    )
    await overdue_chat(gateway)
    await everything.wait_for(3)
    await unanswered_only.wait_for(1)
    await asyncio.sleep(0.2)
    assert [b["alert"]["kind"] for b in unanswered_only.bodies()] == ["message.unanswered"]
    assert len(everything.requests) == 3


async def test_a_failing_endpoint_is_retried_with_the_same_delivery_id(
    start_gateway: StartGateway, sqlite_url: str, receivers: Callable[..., Any]
) -> None:
    receiver = await receivers([503, 500, 200])
    settings = make_settings(
        sqlite_url,
        monitor=TINY,
        alerts={**FAST, "webhook": [hook(receiver.url, kinds=["reply.overdue"])]},
    )
    gateway = await start_gateway(settings)
    await overdue_chat(gateway)
    await receiver.wait_for(3)
    await asyncio.sleep(0.3)
    assert len(receiver.requests) == 3
    ids = {headers["X-ReplyWatch-Delivery"] for headers, _ in receiver.requests}
    assert ids == {f"alert-{receiver.bodies()[0]['alert']['id']}"}
    deliveries = gateway.app[METRICS].sink_deliveries
    assert deliveries.labels("webhook", "sent")._value.get() == 1


async def test_a_client_error_is_not_retried(
    start_gateway: StartGateway, sqlite_url: str, receivers: Callable[..., Any]
) -> None:
    receiver = await receivers([400])
    alerts = {**FAST, "webhook": [hook(receiver.url, kinds=["reply.overdue"])]}
    gateway = await start_gateway(make_settings(sqlite_url, monitor=TINY, alerts=alerts))
    await overdue_chat(gateway)
    await receiver.wait_for(1)
    await asyncio.sleep(0.4)
    assert len(receiver.requests) == 1
    assert gateway.app[METRICS].sink_deliveries.labels("webhook", "failed")._value.get() == 1


async def test_a_dead_endpoint_neither_delays_nor_loses_alerts(
    start_gateway: StartGateway, sqlite_url: str, listeners: Callable[[], Listener]
) -> None:
    dead = f"http://127.0.0.1:{free_port()}/nobody-listens"
    alerts = {**FAST, "webhook": [hook(dead, retries=2, timeout_seconds=0.5)], "drain_seconds": 0}
    gateway = await start_gateway(make_settings(sqlite_url, monitor=TINY, alerts=alerts))
    supervisor = listeners()
    await supervisor.connect(gateway.url, "/supervisor", SUPERVISOR)
    started = time.monotonic()
    await overdue_chat(gateway)
    alert = await supervisor.next("alert", within=2)
    assert alert["kind"] == "reply.overdue"
    assert time.monotonic() - started < 1.5
    async with gateway.http.get(f"{gateway.url}/api/v1/alerts", headers=auth(SUPERVISOR)) as r:
        assert {item["kind"] for item in (await r.json())["items"]} == {
            "reply.warning",
            "reply.overdue",
        }
    failed = gateway.app[METRICS].sink_deliveries.labels("webhook", "failed")

    async def both_given_up() -> bool:
        return bool(failed._value.get() == 2)

    await eventually(both_given_up)


def test_a_receiver_accepts_only_fresh_genuine_requests() -> None:
    body = b'{"event": "alert"}'
    now = time.time()
    stamp = str(int(now))
    good = sign(SECRET, stamp, body)
    assert verify(SECRET, stamp, body, good, now)
    assert not verify(SECRET, stamp, body + b" ", good, now)
    assert not verify("another-secret-entirely", stamp, body, good, now)
    assert not verify(SECRET, stamp, body, good, now + 301)
    assert not verify(SECRET, "yesterday", body, good, now)


def test_backoff_doubles_honours_retry_after_and_is_capped() -> None:
    assert [backoff(n, 1, 5) for n in (1, 2, 3, 4)] == [1, 2, 4, 5]
    assert backoff(1, 1, 5, retry_after=3) == 3
    assert backoff(1, 1, 5, retry_after=99) == 5
