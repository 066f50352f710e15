"""A customer writes in the shop's Slack Connect channel; each thread is a conversation,
answered from ReplyWatch or by an agent right in Slack."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from slack_sdk.signature import SignatureVerifier

from bot.channels.slack.adapter import signature
from tests.bot.channels.slack.fake import FakeSlack
from tests.support.gateway import Gateway, Listener, StartGateway
from tests.support.settings import make_settings
from tests.support.store import count_events, engine_of
from tests.support.tokens import ALICE

FIXTURES = Path(__file__).parent / "fixtures"
SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
CONVERSATION = "C0SHOPHELP:1795000000.000200"
FAST = {"backoff_seconds": 0.05, "poll_seconds": 0.05}


def fixture(name: str, **event: Any) -> dict[str, Any]:
    body: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    if event:
        body["event"] = {**body["event"], **event}
    return body


def slack_channel(api_base: str) -> dict[str, Any]:
    return {
        "type": "slack",
        "name": "slack",
        "signing_secret": SIGNING_SECRET,
        "bot_token": FakeSlack.TOKEN,
        "channels": ["C0SHOPHELP"],
        "agents": {"U0AGENTALICE": "alice"},
        "api_base": api_base,
    }


async def workspace(start_gateway: StartGateway, database_url: str, api_base: str) -> Gateway:
    settings = make_settings(database_url, delivery=FAST, channels=[slack_channel(api_base)])
    gateway = await start_gateway(settings)
    await gateway.assign(CONVERSATION, "alice", channel="slack")
    return gateway


async def deliver(
    gateway: Gateway,
    body: Any,
    *,
    stamp: int | None = None,
    sign: bool = True,
    headers: dict[str, str] | None = None,
) -> tuple[int, Any]:
    """POST as Slack does, signed by slack_sdk (the independent implementation)."""
    headers = dict(headers or {})
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    stamp = int(time.time()) if stamp is None else stamp
    if sign:
        verifier = SignatureVerifier(SIGNING_SECRET)
        headers["X-Slack-Request-Timestamp"] = str(stamp)
        signature = verifier.generate_signature(timestamp=str(stamp), body=raw)
        assert signature is not None
        headers["X-Slack-Signature"] = signature
    headers["Content-Type"] = "application/json"
    async with gateway.http.post(f"{gateway.url}/channels/slack", data=raw, headers=headers) as r:
        return r.status, await r.json()


def test_signatures_agree_with_slack_sdk() -> None:
    verifier = SignatureVerifier(SIGNING_SECRET)
    body = b'{"type":"event_callback"}'
    stamp = str(int(time.time()))
    ours = signature(SIGNING_SECRET, stamp, body)
    assert ours == verifier.generate_signature(timestamp=stamp, body=body)
    assert verifier.is_valid(body=body, timestamp=stamp, signature=ours)


async def test_the_request_url_check_is_answered(
    start_gateway: StartGateway, sqlite_url: str, fake_slack: FakeSlack
) -> None:
    gateway = await workspace(start_gateway, sqlite_url, fake_slack.api_base)
    status, body = await deliver(gateway, fixture("url_verification.json"))
    assert (status, body) == (200, {"challenge": fixture("url_verification.json")["challenge"]})


async def test_a_thread_round_trip_through_slack(
    start_gateway: StartGateway,
    database_url: str,
    fake_slack: FakeSlack,
    listeners: Callable[[], Listener],
) -> None:
    gateway = await workspace(start_gateway, database_url, fake_slack.api_base)
    alice = listeners()
    await alice.connect(gateway.url, "/agent", ALICE)
    assert (await deliver(gateway, fixture("message_customer.json")))[0] == 200
    suggested = await alice.next("suggestions")
    assert suggested["conversation_id"] == CONVERSATION
    assert suggested["items"][0]["script_id"] == "en-not-received"
    body = {"conversation_id": CONVERSATION, "text": suggested["items"][0]["text"]}
    ack = await alice.client.call("reply", body, namespace="/agent", timeout=5)
    [posted] = await fake_slack.wait_sent(1)
    assert posted == {
        "channel": "C0SHOPHELP",
        "thread_ts": "1795000000.000200",
        "text": suggested["items"][0]["text"],
    }
    assert (await alice.next("message.delivery"))["state"] == "sent"
    conversation = await gateway.transcript(CONVERSATION)
    customer, answer = conversation["messages"]
    assert customer["sender"]["id"] == "U0CUSTOMER1"
    assert answer["id"] == ack["message"]["id"]
    assert answer["delivery"]["state"] == "sent"
    assert conversation["turns"][0]["end_reason"] == "reply"


async def test_an_agent_answering_in_slack_stops_the_clock_and_nothing_is_echoed(
    start_gateway: StartGateway, sqlite_url: str, fake_slack: FakeSlack
) -> None:
    gateway = await workspace(start_gateway, sqlite_url, fake_slack.api_base)
    await deliver(gateway, fixture("message_customer.json"))
    await deliver(gateway, fixture("message_agent_in_thread.json"))
    await deliver(gateway, fixture("bot_message.json"))  # our own reply, coming back
    conversation = await gateway.transcript(CONVERSATION)
    assert [m["sender"] for m in conversation["messages"]] == [
        {"role": "customer", "id": "U0CUSTOMER1", "name": None},
        {"role": "agent", "id": "alice", "name": None},
    ]
    [turn] = conversation["turns"]
    assert (turn["end_reason"], turn["response_seconds"]) == ("reply", pytest.approx(9.0001))
    assert fake_slack.sent == []
    assert "delivery" not in conversation["messages"][1]


async def test_retries_edits_and_other_channels_store_nothing_new(
    start_gateway: StartGateway, sqlite_url: str, fake_slack: FakeSlack
) -> None:
    gateway = await workspace(start_gateway, sqlite_url, fake_slack.api_base)
    await deliver(gateway, fixture("message_customer.json"))
    before = await count_events(engine_of(gateway.app))
    retried = await deliver(
        gateway, fixture("message_customer.json"), headers={"X-Slack-Retry-Num": "1"}
    )
    assert retried[0] == 200
    await deliver(gateway, fixture("message_changed.json"))
    await deliver(gateway, fixture("message_customer.json", channel="C0ELSEWHERE", ts="1.2"))
    assert await count_events(engine_of(gateway.app)) == before


@pytest.mark.parametrize(
    ("how", "status"),
    [("unsigned", 401), ("stale", 401), ("wrong secret", 401), ("not json", 400)],
)
async def test_unsigned_replayed_or_malformed_requests_are_refused(
    start_gateway: StartGateway, sqlite_url: str, fake_slack: FakeSlack, how: str, status: int
) -> None:
    gateway = await workspace(start_gateway, sqlite_url, fake_slack.api_base)
    before = await count_events(engine_of(gateway.app))
    body: Any = fixture("message_customer.json")
    if how == "unsigned":
        answered = await deliver(gateway, body, sign=False)
    elif how == "stale":
        answered = await deliver(gateway, body, stamp=int(time.time()) - 301)
    elif how == "wrong secret":
        raw = json.dumps(body).encode()
        stamp = str(int(time.time()))
        forged = SignatureVerifier("another-secret").generate_signature(timestamp=stamp, body=raw)
        assert forged is not None
        answered = await deliver(
            gateway,
            raw,
            sign=False,
            headers={"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": forged},
        )
    else:
        answered = await deliver(gateway, b"{oops")
    assert answered[0] == status
    assert "error" in answered[1]
    assert await count_events(engine_of(gateway.app)) == before


async def test_slack_errors_retry_when_worth_it_and_alert_when_final(
    start_gateway: StartGateway,
    sqlite_url: str,
    fake_slack: FakeSlack,
    listeners: Callable[[], Listener],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    fake_slack.fail(429, {"ok": False, "error": "ratelimited"}, **{"Retry-After": "0"})
    fake_slack.fail(200, {"ok": False, "error": "channel_not_found"})
    gateway = await workspace(start_gateway, sqlite_url, fake_slack.api_base)
    alice = listeners()
    await alice.connect(gateway.url, "/agent", ALICE)
    await deliver(gateway, fixture("message_customer.json"))
    body = {"conversation_id": CONVERSATION, "text": "Checking now!"}
    await alice.client.call("reply", body, namespace="/agent", timeout=5)
    alert = await alice.alert("delivery.failed")
    delivery = (await gateway.transcript(CONVERSATION))["messages"][1]["delivery"]
    assert (delivery["state"], delivery["attempts"], delivery["error"]) == (
        "failed",
        2,
        "Slack: channel_not_found",
    )
    assert alert["agent_id"] == "alice"
    assert "channel_not_found" in caplog.text
    assert FakeSlack.TOKEN not in caplog.text
    assert SIGNING_SECRET not in caplog.text
