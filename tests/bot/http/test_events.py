"""An integration posts chat events over HTTP; each answer comes after commit, bad
input gets a 4xx JSON error and stores nothing, and re-sent ids change nothing."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.events import agent_replies, assigned, customer_says
from tests.support.gateway import Gateway, StartGateway
from tests.support.settings import make_settings
from tests.support.store import agent, conversation, count_events, engine_of
from tests.support.tokens import ADMIN, ALICE, INTEGRATION, SUPERVISOR, auth


async def test_a_single_event_is_accepted_after_commit(gateway: Gateway) -> None:
    status, body = await gateway.post_events(customer_says("m1"))
    assert (status, body) == (202, {"accepted": 1, "duplicates": 0})
    assert await count_events(engine_of(gateway.app)) == 1


async def test_a_resent_id_is_a_duplicate_and_changes_nothing(gateway: Gateway) -> None:
    await gateway.post_events(customer_says("m1", text="first"))
    status, body = await gateway.post_events(customer_says("m1", text="edited"))
    assert (status, body) == (202, {"accepted": 0, "duplicates": 1})
    engine = engine_of(gateway.app)
    assert await count_events(engine) == 1
    assert (await conversation(engine, "c1")).last_customer_at is not None


async def test_ids_are_unique_per_channel(gateway: Gateway) -> None:
    await gateway.post_events(customer_says("m1"))
    status, body = await gateway.post_events(customer_says("m1", channel="wecom"))
    assert (status, body) == (202, {"accepted": 1, "duplicates": 0})


async def test_a_batch_in_order_with_a_repeat_inside(gateway: Gateway) -> None:
    batch = {
        "events": [
            customer_says("m1"),
            assigned("c1", "bob", "as1"),
            agent_replies("m2", "bob", name="Bob"),
            customer_says("m1"),
            {"id": "st1", "type": "agent.status", "agent_id": "bob", "status": "away"},
            {"id": "cl1", "type": "conversation.closed", "conversation_id": "c1"},
        ]
    }
    status, body = await gateway.post_events(batch, token=ADMIN)
    assert (status, body) == (202, {"accepted": 5, "duplicates": 1})
    engine = engine_of(gateway.app)
    conv = await conversation(engine, "c1")
    assert (conv.status, conv.assignee_id) == ("closed", "bob")
    bob = await agent(engine, "bob")
    assert (bob.name, bob.status) == ("Bob", "away")


async def test_an_agent_message_assigns_an_unassigned_conversation(gateway: Gateway) -> None:
    await gateway.post_events({"events": [customer_says("m1"), agent_replies("m2", "alice")]})
    assert (await conversation(engine_of(gateway.app), "c1")).assignee_id == "alice"


async def test_a_customer_message_reopens_a_closed_conversation(gateway: Gateway) -> None:
    await gateway.post_events(
        {
            "events": [
                customer_says("m1", ts=1000),
                agent_replies("m2", "alice", ts=1001),
                {"id": "cl", "type": "conversation.closed", "conversation_id": "c1", "ts": 1002},
            ]
        }
    )
    await gateway.post_events(customer_says("m3", ts=1003))
    conv = await conversation(engine_of(gateway.app), "c1")
    assert (conv.status, conv.opened_at, conv.closed_at) == ("open", 1003, None)


async def test_an_older_status_does_not_override_a_newer_one(gateway: Gateway) -> None:
    await gateway.post_events(
        {"id": "s2", "type": "agent.status", "agent_id": "bob", "status": "online", "ts": 2000}
    )
    await gateway.post_events(
        {"id": "s1", "type": "agent.status", "agent_id": "bob", "status": "offline", "ts": 1000}
    )
    assert (await agent(engine_of(gateway.app), "bob")).status == "online"


async def post_raw(
    gateway: Gateway, data: bytes, token: str | None = INTEGRATION
) -> tuple[int, Any]:
    headers = {"Content-Type": "application/json", **(auth(token) if token else {})}
    async with gateway.http.post(
        f"{gateway.url}/api/v1/events", data=data, headers=headers
    ) as resp:
        assert resp.content_type == "application/json"
        return resp.status, await resp.json()


@pytest.mark.parametrize(
    ("data", "status", "error"),
    [
        (b"{not json", 400, "malformed JSON"),
        (b"", 400, "empty body"),
        (b"\xff\xfe", 400, "malformed JSON"),
        (b'"just a string"', 400, "invalid event"),
        (
            b'{"id": 5, "conversation_id": "c", "sender": {"role": "customer", "id": "u"},'
            b' "text": "t"}',
            400,
            "invalid event",
        ),
        (b'{"id": "m", "conversation_id": "c", "text": "missing sender"}', 400, "invalid event"),
        (b'{"id": "m", "type": "message.recalled", "conversation_id": "c"}', 400, "invalid event"),
        (
            b'{"events": [{"id": "ok", "type": "conversation.closed", "conversation_id": "c"},'
            b' {"id": "bad", "type": "conversation.assigned", "conversation_id": "c"}]}',
            400,
            "invalid event",
        ),
    ],
)
async def test_bad_input_gets_a_json_error_and_stores_nothing(
    gateway: Gateway, data: bytes, status: int, error: str
) -> None:
    got_status, body = await post_raw(gateway, data)
    assert got_status == status
    assert body["error"].startswith(error)
    assert await count_events(engine_of(gateway.app)) == 0


async def test_field_errors_name_the_field(gateway: Gateway) -> None:
    _, body = await post_raw(
        gateway,
        b'{"events": [{"id": "m", "conversation_id": "c", "sender": {"role": "cat",'
        b' "id": "u"}, "text": "t"}]}',
    )
    assert {"field": "events.0.sender.role", "error": body["details"][0]["error"]} in body[
        "details"
    ]


async def test_auth_errors(gateway: Gateway) -> None:
    body = b'{"id": "m", "type": "conversation.closed", "conversation_id": "c"}'
    assert (await post_raw(gateway, body, token=None))[0] == 401
    assert (await post_raw(gateway, body, token="not-a-known-token"))[0] == 401
    status, answer = await post_raw(gateway, body, token=ALICE)
    assert status == 403
    assert answer["details"]["allowed_roles"] == ["admin", "integration"]
    assert (await post_raw(gateway, body, token=SUPERVISOR))[0] == 403
    assert await count_events(engine_of(gateway.app)) == 0


async def test_an_oversized_body_gets_413_and_stores_nothing(
    start_gateway: StartGateway, sqlite_url: str
) -> None:
    gateway = await start_gateway(make_settings(sqlite_url, server={"max_body_bytes": 2000}))
    big = customer_says("m1", text="长" * 3000)
    status, body = await gateway.post_events(big)
    assert status == 413
    assert body["error"] == "request body too large"
    assert await count_events(engine_of(gateway.app)) == 0


async def test_unknown_routes_and_methods_answer_json(gateway: Gateway) -> None:
    async with gateway.http.get(f"{gateway.url}/api/v1/nothing") as resp:
        assert (resp.status, (await resp.json())["error"]) == (404, "Not Found")
    async with gateway.http.delete(f"{gateway.url}/api/v1/events") as resp:
        assert resp.status == 405
        assert "POST" in resp.headers["Allow"]
        assert (await resp.json())["error"] == "Method Not Allowed"


async def test_health_readiness_and_metrics(gateway: Gateway) -> None:
    await gateway.post_events({"events": [customer_says("m1"), customer_says("m1")]})
    async with gateway.http.get(f"{gateway.url}/healthz") as resp:
        assert (resp.status, await resp.json()) == (200, {"status": "ok"})
    async with gateway.http.get(f"{gateway.url}/readyz") as resp:
        assert (resp.status, await resp.json()) == (200, {"status": "ready"})
    async with gateway.http.get(f"{gateway.url}/metrics") as resp:
        text = await resp.text()
    assert 'replywatch_events_received_total{type="message"} 1.0' in text
    assert "replywatch_events_duplicate_total 1.0" in text
    assert "replywatch_commit_seconds_count" in text


async def test_readyz_fails_when_the_database_is_unreachable(
    start_gateway: StartGateway, tmp_path: Any
) -> None:
    db = tmp_path / "db.sqlite"
    gateway = await start_gateway(make_settings(f"sqlite+aiosqlite:///{db}"))
    db.unlink()
    (tmp_path / "db.sqlite").mkdir()  # the path is now a directory: SQLite cannot open it
    await engine_of(gateway.app).dispose()
    async with gateway.http.get(f"{gateway.url}/readyz") as resp:
        assert resp.status == 503
        assert (await resp.json())["error"] == "database unreachable"


async def test_concurrent_requests_are_each_answered_after_their_own_commit(
    gateway: Gateway,
) -> None:
    import asyncio

    async def post(i: int) -> tuple[int, Any]:
        return await gateway.post_events(customer_says(f"m{i}", conv=f"c{i % 7}"))

    answers = await asyncio.gather(*(post(i) for i in range(60)))
    assert all(a == (202, {"accepted": 1, "duplicates": 0}) for a in answers)
    assert await count_events(engine_of(gateway.app)) == 60
