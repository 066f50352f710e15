"""One error path: whatever refuses a request (the database, a check, a body that cannot
be read), the client is told the same way over HTTP and over Socket.IO, and the
connection stays usable or says it is closing."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable

from bot.errors import Conflict, ReplyWatchError, error_ack, problem_for
from bot.keys import ENGINE
from bot.rooms import AGENT_NS
from storage.writer import StorageRejected, StorageUnavailable
from tests.support.events import agent_status, assigned, customer_says
from tests.support.gateway import Gateway, Listener
from tests.support.refusal import REFUSED_AGENT, REFUSED_TEXT, refuse
from tests.support.tokens import ALICE, INTEGRATION, SUPERVISOR, auth

REFUSED = "the database refused this: nothing was stored, do not retry as is"


def test_storage_failures_are_translated_in_one_place() -> None:
    rejected = problem_for(StorageRejected("value too long"))
    assert rejected is not None
    assert (rejected.status, rejected.body()) == (
        422,
        {"error": REFUSED, "details": {"reason": "value too long"}},
    )
    unavailable = problem_for(StorageUnavailable("down"))
    assert unavailable is not None
    assert unavailable.status == 503
    assert problem_for(ValueError("a bug")) is None
    ours = Conflict("taken", {"id": 1})
    assert problem_for(ours) is ours


def test_an_unexpected_error_acks_internal_error_without_its_text() -> None:
    assert error_ack(ValueError("secret detail")) == {"error": "internal error", "details": None}
    assert error_ack(ReplyWatchError("nope", [1])) == {"error": "nope", "details": [1]}


async def test_a_reply_the_database_refuses_is_422_over_http_and_an_error_ack_over_socketio(
    gateway: Gateway, listeners: Callable[[], Listener]
) -> None:
    await refuse(gateway.app[ENGINE])
    status, _ = await gateway.post_events(customer_says("m1", conv="c1"))
    assert status == 202
    await gateway.assign("c1", "alice")
    status, answer = await gateway.call(
        "POST", "/api/v1/conversations/c1/reply", ALICE, {"text": REFUSED_TEXT}
    )
    assert (status, answer["error"]) == (422, REFUSED)
    assert "refused by the test trigger" in answer["details"]["reason"]
    alice = listeners()
    await alice.connect(gateway.url, AGENT_NS, ALICE)
    ack = await alice.client.call(
        "reply", {"conversation_id": "c1", "text": REFUSED_TEXT}, namespace=AGENT_NS, timeout=5
    )
    assert ack["error"] == REFUSED
    transcript = await gateway.transcript("c1")
    assert [m["text"] for m in transcript["messages"]] == [customer_says("m1")["text"]]


async def test_an_assignment_the_database_refuses_is_422_like_the_same_event_posted(
    gateway: Gateway,
) -> None:
    await gateway.post_events(customer_says("m1", conv="c1"))
    status, _ = await gateway.post_events(agent_status(REFUSED_AGENT, "online", "known"))
    assert status == 202  # the agent is known before the database starts refusing
    await refuse(gateway.app[ENGINE])
    status, answer = await gateway.call(
        "POST", "/api/v1/conversations/c1/assign", SUPERVISOR, {"agent_id": REFUSED_AGENT}
    )
    assert (status, answer["error"]) == (422, REFUSED)
    status, answer = await gateway.post_events(assigned("c1", REFUSED_AGENT))
    assert (status, answer["error"]) == (422, REFUSED)


async def test_after_an_unreadable_body_the_next_request_on_the_connection_works(
    gateway: Gateway,
) -> None:
    """A corrupt gzip body: the 400 says ``Connection: close`` (its unread rest cannot be
    skipped), so a kept-alive client opens a new connection for its next request."""
    body = gzip.compress(json.dumps(customer_says("m1")).encode())[:-8] + b"garbage!"
    headers = auth(INTEGRATION) | {
        "Content-Encoding": "gzip",
        "Content-Type": "application/json",
    }
    for _ in range(3):
        async with gateway.http.post(
            f"{gateway.url}/api/v1/events", data=body, headers=headers
        ) as resp:
            assert resp.status == 400
            assert resp.headers.get("Connection", "").lower() == "close"
            assert (await resp.json())["error"] == "the body could not be read"
        async with gateway.http.get(f"{gateway.url}/healthz") as resp:
            assert resp.status == 200
