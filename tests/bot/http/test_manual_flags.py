"""QA reads a transcript and flags what no alert catches (a promised discount, a missing
handover); closed conversations are drawn at random for review (DESIGN.md section 12)."""

from __future__ import annotations

import time

import pytest

from monitors.quality import sampled
from tests.support.events import agent_replies, assigned, closed, customer_says
from tests.support.gateway import Gateway, StartGateway
from tests.support.settings import make_settings
from tests.support.tokens import ALICE, QA, SUPERVISOR

NOW = time.time()


@pytest.fixture
async def chat(gateway: Gateway) -> Gateway:
    """Alice promises the customer a lower price she may not give."""
    status, _ = await gateway.post_events(
        {
            "events": [
                assigned("c1", "alice", "a1", ts=NOW - 200),
                customer_says("m1", conv="c1", text="能便宜20块吗", ts=NOW - 100),
                agent_replies("r1", "alice", conv="c1", text="好的，给您改价", ts=NOW - 95),
            ]
        }
    )
    assert status == 202
    return gateway


async def test_qa_flags_a_promised_price_change(chat: Gateway) -> None:
    body = {
        "conversation_id": "c1",
        "message_id": "r1",
        "category": "price",
        "note": "私自答应改价",
    }
    status, flag = await chat.call("POST", "/api/v1/flags", QA, body)
    assert status == 201
    assert (flag["kind"], flag["agent_id"], flag["message_id"]) == ("qa.manual", "alice", "r1")
    assert (flag["category"], flag["category_name"]) == ("price", "未经允许私自答应客户改价格")
    assert (flag["default_points"], flag["demerit"], flag["note"]) == (-10, True, "私自答应改价")
    assert flag["created_by"].startswith("qa:")
    status, reviewed = await chat.call(
        "POST", f"/api/v1/flags/{flag['id']}/review", SUPERVISOR, {"verdict": "confirmed"}
    )
    assert status == 200
    assert (reviewed["review"]["points"], reviewed["counted_points"]) == (-10, -10)
    _, mine = await chat.call("GET", "/api/v1/flags", ALICE)
    assert [f["id"] for f in mine["items"]] == [flag["id"]]
    transcript = await chat.transcript("c1")
    [on_reply] = [m for m in transcript["messages"] if m["id"] == "r1"]
    assert [f["id"] for f in on_reply["flags"]] == [flag["id"]]
    _, whole = await chat.call("GET", f"/api/v1/flags/{flag['id']}", QA)
    assert [s["action"] for s in whole["history"]] == ["flagged", "reviewed"]


async def test_a_conversation_flag_falls_to_its_agent(chat: Gateway) -> None:
    body = {"conversation_id": "c1", "category": "handover", "note": "交接记录缺顾客诉求"}
    status, flag = await chat.call("POST", "/api/v1/flags", SUPERVISOR, body)
    assert status == 201
    assert (flag["agent_id"], flag["message_id"], flag["default_points"]) == ("alice", None, -2)
    transcript = await chat.transcript("c1")
    assert [f["id"] for f in transcript["flags"]] == [flag["id"]]
    review = {"verdict": "confirmed", "category": "other", "points": -1}
    _, reviewed = await chat.call("POST", f"/api/v1/flags/{flag['id']}/review", QA, review)
    assert (reviewed["category"], reviewed["counted_points"]) == ("other", -1)


@pytest.mark.parametrize(
    ("token", "body", "status", "error"),
    [
        (ALICE, {"conversation_id": "c1", "category": "price", "note": "x"}, 403, None),
        (QA, {"conversation_id": "c1", "category": "bribe", "note": "x"}, 400, "unknown category"),
        (QA, {"conversation_id": "nope", "category": "price", "note": "x"}, 404, None),
        (
            QA,
            {"conversation_id": "c1", "message_id": "zz", "category": "price", "note": "x"},
            400,
            "no such message in this conversation",
        ),
        (QA, {"conversation_id": "c1", "category": "price", "note": ""}, 400, "invalid flag"),
        (QA, {"conversation_id": "c1", "category": "price"}, 400, "invalid flag"),
    ],
)
async def test_bad_manual_flags_change_nothing(
    chat: Gateway, token: str, body: dict[str, str], status: int, error: str | None
) -> None:
    got, answer = await chat.call("POST", "/api/v1/flags", token, body)
    assert got == status
    if error is not None:
        assert answer["error"] == error
    _, queue = await chat.call("GET", "/api/v1/flags", QA)
    assert [f["kind"] for f in queue["items"]] == []


async def test_review_points_are_a_deduction(chat: Gateway) -> None:
    body = {"conversation_id": "c1", "category": "price", "note": "改价"}
    _, flag = await chat.call("POST", "/api/v1/flags", QA, body)
    for bad in ({"verdict": "confirmed", "points": 5}, {"verdict": "confirmed", "category": "x"}):
        status, _ = await chat.call("POST", f"/api/v1/flags/{flag['id']}/review", SUPERVISOR, bad)
        assert status == 400
    _, still = await chat.call("GET", f"/api/v1/flags/{flag['id']}", QA)
    assert (still["status"], still["review"]) == ("open", None)


async def _close(gateway: Gateway, conversations: list[str]) -> None:
    events = []
    for index, conv in enumerate(conversations):
        events += [
            assigned(conv, "alice", f"{conv}-a", ts=NOW - 50),
            customer_says(f"{conv}-m", conv=conv, text="谢谢", ts=NOW - 40),
            agent_replies(f"{conv}-r", "alice", conv=conv, text="不客气", ts=NOW - 39),
            closed(conv, f"{conv}-x{index}", ts=NOW - 30),
        ]
    status, _ = await gateway.post_events({"events": events})
    assert status == 202


async def test_closed_conversations_are_sampled_by_their_id(
    start_gateway: StartGateway, database_url: str
) -> None:
    gateway = await start_gateway(make_settings(database_url, qa={"sample_rate": 0.3}))
    conversations = [f"s{i}" for i in range(40)]
    await _close(gateway, conversations)
    _, queue = await gateway.call("GET", "/api/v1/flags?kind=qa.sample&limit=500", QA)
    drawn = sorted(f["conversation_id"] for f in queue["items"])
    assert drawn == sorted(c for c in conversations if sampled("api", c, 0.3))
    assert 0 < len(drawn) < 40
    assert {f["agent_id"] for f in queue["items"]} == {"alice"}
    assert {f["created_by"] for f in queue["items"]} == {"sampling"}


async def test_a_conversation_is_sampled_once_and_only_without_flags(
    start_gateway: StartGateway, sqlite_url: str
) -> None:
    gateway = await start_gateway(make_settings(sqlite_url, qa={"sample_rate": 1.0}))
    await _close(gateway, ["a"])
    status, _ = await gateway.post_events(  # b was answered late: it has a flag already
        {
            "events": [
                assigned("b", "alice", "b-a", ts=NOW - 100),
                customer_says("b-m", conv="b", text="在吗", ts=NOW - 90),
                agent_replies("b-r", "alice", conv="b", text="在的", ts=NOW - 60),
                closed("b", "b-x", ts=NOW - 50),
            ]
        }
    )
    assert status == 202
    await _close(gateway, ["a"])  # reopened by a new message, closed again
    again = [
        customer_says("a-m2", conv="a", text="还有", ts=NOW - 20),
        closed("a", "a-y", ts=NOW - 10),
    ]
    assert (await gateway.post_events({"events": again}))[0] == 202
    _, queue = await gateway.call("GET", "/api/v1/flags", QA)
    assert sorted((f["conversation_id"], f["kind"]) for f in queue["items"]) == [
        ("a", "qa.sample"),
        ("b", "reply.slow"),
    ]


async def test_no_sampling_by_default(chat: Gateway) -> None:
    await _close(chat, ["q1", "q2", "q3"])
    _, queue = await chat.call("GET", "/api/v1/flags?kind=qa.sample", QA)
    assert queue["items"] == []
