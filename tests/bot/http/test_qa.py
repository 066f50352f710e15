"""QA reviewers work through flagged conversations: the queue lists slow replies,
unanswered messages and forbidden phrases; each flag is reviewed once; the
transcript shows every message with its response time and flags."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from tests.support.events import agent_replies, assigned, customer_says
from tests.support.gateway import Gateway, Listener
from tests.support.tokens import ALICE, BOB, QA, SUPERVISOR, auth

NOW = time.time()


async def call(
    gateway: Gateway, method: str, path: str, token: str = QA, **kwargs: Any
) -> tuple[int, Any]:
    async with gateway.http.request(
        method, f"{gateway.url}{path}", headers=auth(token), **kwargs
    ) as resp:
        return resp.status, await resp.json()


@pytest.fixture
async def shift(gateway: Gateway) -> Gateway:
    """Alice answers c1 late and with a flat refusal; Bob answers c2 in time."""
    status, _ = await gateway.post_events(
        {
            "events": [
                assigned("c1", "alice", "a1", ts=NOW - 200),
                assigned("c2", "bob", "a2", ts=NOW - 200),
                customer_says("m1", conv="c1", text="几天发货", ts=NOW - 100),
                customer_says("m2", conv="c1", text="在吗？", ts=NOW - 90),
                agent_replies("r1", "alice", conv="c1", text="48小时内发货", ts=NOW - 70),
                customer_says("m3", conv="c1", text="能便宜点吗", ts=NOW - 60),
                agent_replies("r2", "alice", conv="c1", text="这个不行哦", ts=NOW - 58),
                customer_says("m4", conv="c2", text="有发票吗", ts=NOW - 50),
                agent_replies("r3", "bob", conv="c2", text="可以开", ts=NOW - 45),
            ]
        }
    )
    assert status == 202
    return gateway


async def test_alerts_newest_first_with_filters_and_pages(shift: Gateway) -> None:
    status, body = await call(shift, "GET", "/api/v1/alerts", SUPERVISOR)
    assert status == 200
    kinds = [(a["kind"], a["message_id"]) for a in body["items"]]
    assert kinds == [
        ("reply.forbidden_phrase", "r2"),
        ("reply.slow", "m1"),
        ("reply.overdue", "m1"),
        ("reply.warning", "m1"),
    ]
    slow = body["items"][1]
    assert (slow["agent_id"], slow["deadline_seconds"]) == ("alice", 20)
    assert slow["response_seconds"] == pytest.approx(30, abs=0.01)
    _, only = await call(shift, "GET", "/api/v1/alerts", SUPERVISOR, params={"kind": "reply.slow"})
    assert [a["message_id"] for a in only["items"]] == ["m1"]
    seen, params = [], {"limit": "1"}
    while True:
        _, page = await call(shift, "GET", "/api/v1/alerts", SUPERVISOR, params=params)
        seen += [a["id"] for a in page["items"]]
        if page["next"] is None:
            break
        params = {"limit": "1", "cursor": page["next"]}
    assert seen == [a["id"] for a in body["items"]]


async def test_an_agent_sees_only_their_own_alerts(shift: Gateway) -> None:
    _, mine = await call(shift, "GET", "/api/v1/alerts", BOB, params={"agent_id": "alice"})
    assert mine["items"] == []
    _, alices = await call(shift, "GET", "/api/v1/alerts", ALICE)
    assert {a["agent_id"] for a in alices["items"]} == {"alice"}


async def test_the_queue_and_a_review(shift: Gateway) -> None:
    _, queue = await call(shift, "GET", "/api/v1/flags", params={"status": "open"})
    assert [(f["kind"], f["message_id"], f["status"]) for f in queue["items"]] == [
        ("reply.forbidden_phrase", "r2", "open"),
        ("reply.slow", "m1", "open"),
    ]
    flag_id = queue["items"][1]["id"]
    status, reviewed = await call(
        shift,
        "POST",
        f"/api/v1/flags/{flag_id}/review",
        json={"verdict": "confirmed", "note": "回复超时", "points": -10},
    )
    assert status == 200
    assert reviewed["review"]["verdict"] == "confirmed"
    assert reviewed["review"]["points"] == -10
    assert reviewed["review"]["reviewer"].startswith("qa:")
    status, again = await call(
        shift, "POST", f"/api/v1/flags/{flag_id}/review", json={"verdict": "dismissed"}
    )
    assert (status, again["error"]) == (409, "this flag was already reviewed")
    assert again["details"]["review"]["verdict"] == "confirmed"  # unchanged
    _, done = await call(shift, "GET", "/api/v1/flags", params={"status": "reviewed"})
    assert [f["id"] for f in done["items"]] == [flag_id]


@pytest.mark.parametrize(
    ("token", "path", "body", "status"),
    [
        (ALICE, "/api/v1/flags/1/review", {"verdict": "confirmed"}, 403),
        (QA, "/api/v1/flags/999999/review", {"verdict": "confirmed"}, 404),
        (QA, "/api/v1/flags/abc/review", {"verdict": "confirmed"}, 404),
        (QA, "/api/v1/flags/1/review", {"verdict": "maybe"}, 400),
        (QA, "/api/v1/flags/1/review", {"verdict": "confirmed", "points": "ten"}, 400),
    ],
)
async def test_review_errors(shift: Gateway, token: str, path: str, body: Any, status: int) -> None:
    assert (await call(shift, "POST", path, token, json=body))[0] == status


async def test_alice_sees_her_own_flags_and_their_reviews_and_nobody_elses(
    shift: Gateway,
) -> None:
    """Bob answered in time: nothing of his is flagged, and no filter shows him Alice's."""
    _, queue = await call(shift, "GET", "/api/v1/flags", params={"status": "open"})
    slow = next(f["id"] for f in queue["items"] if f["kind"] == "reply.slow")
    review = {"verdict": "confirmed", "note": "回复超时", "points": -10}
    assert (await call(shift, "POST", f"/api/v1/flags/{slow}/review", json=review))[0] == 200
    status, hers = await call(shift, "GET", "/api/v1/flags", ALICE, params={"agent_id": "bob"})
    assert status == 200
    assert [(f["kind"], f["status"]) for f in hers["items"]] == [
        ("reply.forbidden_phrase", "open"),
        ("reply.slow", "reviewed"),
    ]
    seen = hers["items"][1]["review"]
    assert (seen["verdict"], seen["points"], seen["note"]) == ("confirmed", -10, "回复超时")
    assert seen["reviewer"].startswith("qa:")
    assert seen["at"] == seen["reviewed_at"]
    _, his = await call(shift, "GET", "/api/v1/flags", BOB, params={"agent_id": "alice"})
    assert his["items"] == []


async def test_a_verdict_reaches_alice_live_and_nobody_else(
    shift: Gateway, listeners: Callable[[], Listener]
) -> None:
    alice, bob = listeners(), listeners()
    await alice.connect(shift.url, "/agent", ALICE)
    await bob.connect(shift.url, "/agent", BOB)
    _, queue = await call(shift, "GET", "/api/v1/flags", params={"status": "open"})
    refusal = next(f["id"] for f in queue["items"] if f["kind"] == "reply.forbidden_phrase")
    review = {"verdict": "confirmed", "note": "不要说不行", "points": -5}
    assert (await call(shift, "POST", f"/api/v1/flags/{refusal}/review", json=review))[0] == 200
    pushed = await alice.next("flag.reviewed")
    assert (pushed["id"], pushed["status"], pushed["review"]["points"]) == (refusal, "reviewed", -5)
    assert pushed["review"]["note"] == "不要说不行"
    assert await bob.nothing("flag.reviewed")


async def test_agents_cannot_review_and_bad_filters_are_refused(shift: Gateway) -> None:
    _, hers = await call(shift, "GET", "/api/v1/flags", ALICE)
    flag = hers["items"][0]["id"]
    body = {"verdict": "dismissed"}
    assert (await call(shift, "POST", f"/api/v1/flags/{flag}/review", ALICE, json=body))[0] == 403
    status, body = await call(shift, "GET", "/api/v1/flags", params={"status": "closed"})
    assert (status, body["error"]) == (400, "invalid query")


async def test_the_transcript_shows_response_times_and_flags(shift: Gateway) -> None:
    status, body = await call(shift, "GET", "/api/v1/conversations/c1", SUPERVISOR)
    assert status == 200
    assert (body["conversation"]["agent_id"], body["conversation"]["status"]) == ("alice", "open")
    messages = {m["id"]: m for m in body["messages"]}
    assert [m["id"] for m in body["messages"]] == ["m1", "m2", "r1", "m3", "r2"]
    assert messages["m1"]["response_seconds"] == pytest.approx(30, abs=0.01)
    assert messages["m1"]["deadline_seconds"] == 20
    assert messages["m2"]["turn_id"] == "m1"
    assert "response_seconds" not in messages["m2"]
    assert messages["m3"]["response_seconds"] == pytest.approx(2, abs=0.01)
    assert [f["kind"] for f in messages["m1"]["flags"]] == ["reply.slow"]
    assert [f["kind"] for f in messages["r2"]["flags"]] == ["reply.forbidden_phrase"]
    assert [t["message_id"] for t in body["turns"]] == ["m1", "m3"]
    assert (await call(shift, "GET", "/api/v1/conversations/nope"))[0] == 404
