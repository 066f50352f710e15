"""Alice disagrees with a verdict: she appeals within a day, a second reviewer decides,
and every step is in the flag's history (DESIGN.md section 12, 复核申请)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import pytest

from tests.support.events import agent_replies, assigned, customer_says
from tests.support.gateway import Gateway, Listener, StartGateway
from tests.support.settings import make_settings
from tests.support.tokens import ADMIN, ALICE, BOB, QA, QA2, SUPERVISOR

NOW = time.time()


async def _shift(gateway: Gateway) -> dict[str, int]:
    """Alice answers m1 late and m3 with a flat refusal; the flags' ids by message."""
    status, _ = await gateway.post_events(
        {
            "events": [
                assigned("c1", "alice", "a1", ts=NOW - 200),
                customer_says("m1", conv="c1", text="几天发货", ts=NOW - 100),
                agent_replies("r1", "alice", conv="c1", text="48小时内发货", ts=NOW - 70),
                customer_says("m3", conv="c1", text="能便宜点吗", ts=NOW - 60),
                agent_replies("r2", "alice", conv="c1", text="这个不行哦", ts=NOW - 58),
            ]
        }
    )
    assert status == 202
    _, queue = await gateway.call("GET", "/api/v1/flags", QA)
    return {f["message_id"]: f["id"] for f in queue["items"]}


async def _qa_points(gateway: Gateway) -> tuple[int, float]:
    """Alice's confirmed flags and their points in the KPIs around the shift."""
    window = f"from={NOW - 3600:.3f}&to={NOW + 3600:.3f}"
    _, kpis = await gateway.call("GET", f"/api/v1/kpis?{window}", SUPERVISOR)
    [alice] = [a for a in kpis["agents"] if a["agent_id"] == "alice"]
    return alice["qa_confirmed"], alice["qa_points"]


@pytest.fixture
async def reviewed(gateway: Gateway) -> tuple[Gateway, int, int]:
    """QA confirms the slow reply (-2) and dismisses the refusal."""
    ids = await _shift(gateway)
    slow, refusal = ids["m1"], ids["r2"]
    body = {"verdict": "confirmed", "note": "回复超时", "points": -2}
    assert (await gateway.call("POST", f"/api/v1/flags/{slow}/review", QA, body))[0] == 200
    dismiss = {"verdict": "dismissed"}
    assert (await gateway.call("POST", f"/api/v1/flags/{refusal}/review", QA, dismiss))[0] == 200
    return gateway, slow, refusal


async def test_alice_appeals_and_a_supervisor_overturns(
    reviewed: tuple[Gateway, int, int], listeners: Callable[[], Listener]
) -> None:
    gateway, slow, _ = reviewed
    assert await _qa_points(gateway) == (1, -2)
    alice = listeners()
    await alice.connect(gateway.url, "/agent", ALICE)
    _, mine = await gateway.call("GET", "/api/v1/flags", ALICE)
    flag = next(f for f in mine["items"] if f["id"] == slow)
    assert (flag["counted_points"], flag["appeal_until"] is not None) == (-2, True)

    status, appealed = await gateway.call(
        "POST", f"/api/v1/flags/{slow}/appeal", ALICE, {"reason": "顾客同时发了三条，我在查物流"}
    )
    assert status == 201
    assert appealed["status"] == "appealed"
    assert appealed["appeal"]["reason"] == "顾客同时发了三条，我在查物流"
    assert (appealed["appeal"]["decision"], appealed["appeal_until"]) == (None, None)
    _, queue = await gateway.call("GET", "/api/v1/flags?status=appealed", SUPERVISOR)
    assert [f["id"] for f in queue["items"]] == [slow]

    status, decided = await gateway.call(
        "POST",
        f"/api/v1/flags/{slow}/appeal/decision",
        SUPERVISOR,
        {"decision": "overturned", "note": "三条消息同时到，查物流合理"},
    )
    assert status == 200
    assert decided["status"] == "reviewed"
    assert decided["appeal"]["decision"] == "overturned"
    assert decided["appeal"]["decided_by"].startswith("supervisor:")
    assert decided["counted_points"] == 0
    assert decided["review"]["points"] == -2  # the first verdict stays on record
    her_appeal, the_decision = await alice.next("flag.reviewed"), await alice.next("flag.reviewed")
    assert (her_appeal["status"], the_decision["appeal"]["decision"]) == ("appealed", "overturned")

    _, whole = await gateway.call("GET", f"/api/v1/flags/{slow}", ALICE)
    steps = [(s["action"], s["actor"].split(":")[0]) for s in whole["history"]]
    assert steps == [("reviewed", "qa"), ("appealed", "alice"), ("overturned", "supervisor")]
    assert whole["history"][1]["note"] == "顾客同时发了三条，我在查物流"

    assert await _qa_points(gateway) == (0, 0)


async def test_an_upheld_appeal_may_change_the_points(reviewed: tuple[Gateway, int, int]) -> None:
    gateway, slow, _ = reviewed
    await gateway.call("POST", f"/api/v1/flags/{slow}/appeal", ALICE, {"reason": "不同意"})
    status, decided = await gateway.call(
        "POST",
        f"/api/v1/flags/{slow}/appeal/decision",
        QA2,
        {"decision": "upheld", "note": "确实超时，但情有可原", "points": -1},
    )
    assert status == 200
    assert (decided["appeal"]["decision"], decided["counted_points"]) == ("upheld", -1)
    assert await _qa_points(gateway) == (1, -1)


async def test_what_cannot_be_appealed(reviewed: tuple[Gateway, int, int]) -> None:
    gateway, slow, refusal = reviewed
    reason = {"reason": "不同意"}
    bob = await gateway.call("POST", f"/api/v1/flags/{slow}/appeal", BOB, reason)
    assert (bob[0], bob[1]["error"]) == (403, "only the flag's agent may appeal it")
    assert (await gateway.call("POST", f"/api/v1/flags/{slow}/appeal", SUPERVISOR, reason))[
        0
    ] == 403
    status, dismissed = await gateway.call("POST", f"/api/v1/flags/{refusal}/appeal", ALICE, reason)
    assert (status, dismissed["error"]) == (409, "only a confirmed review can be appealed")
    empty = await gateway.call("POST", f"/api/v1/flags/{slow}/appeal", ALICE, {"reason": ""})
    assert (empty[0], empty[1]["error"]) == (400, "invalid appeal")
    assert (await gateway.call("POST", f"/api/v1/flags/{slow}/appeal", ALICE, reason))[0] == 201
    status, twice = await gateway.call("POST", f"/api/v1/flags/{slow}/appeal", ALICE, reason)
    assert (status, twice["error"]) == (409, "this flag was already appealed")
    missing = await gateway.call("POST", "/api/v1/flags/999999/appeal", ALICE, reason)
    assert missing[0] == 404
    _, whole = await gateway.call("GET", f"/api/v1/flags/{slow}", ALICE)
    assert [s["action"] for s in whole["history"]] == ["reviewed", "appealed"]


async def test_an_open_flag_cannot_be_appealed(gateway: Gateway) -> None:
    ids = await _shift(gateway)
    status, body = await gateway.call(
        "POST", f"/api/v1/flags/{ids['m1']}/appeal", ALICE, {"reason": "还没审"}
    )
    assert (status, body["error"]) == (409, "only a confirmed review can be appealed")


async def test_an_appeal_after_the_window_is_refused(
    start_gateway: StartGateway, sqlite_url: str
) -> None:
    gateway = await start_gateway(make_settings(sqlite_url, qa={"appeal_window_seconds": 0.2}))
    ids = await _shift(gateway)
    body = {"verdict": "confirmed", "points": -2}
    await gateway.call("POST", f"/api/v1/flags/{ids['m1']}/review", QA, body)
    await asyncio.sleep(0.3)
    status, late = await gateway.call(
        "POST", f"/api/v1/flags/{ids['m1']}/appeal", ALICE, {"reason": "晚了"}
    )
    assert (status, late["error"]) == (409, "the appeal window has passed")
    assert (late["details"]["status"], late["details"]["appeal"]) == ("reviewed", None)


async def test_who_decides_an_appeal(reviewed: tuple[Gateway, int, int]) -> None:
    gateway, slow, _ = reviewed
    decision = {"decision": "upheld", "note": "维持"}
    path = f"/api/v1/flags/{slow}/appeal/decision"
    assert (await gateway.call("POST", path, SUPERVISOR, decision))[0] == 409  # nothing appealed
    await gateway.call("POST", f"/api/v1/flags/{slow}/appeal", ALICE, {"reason": "不同意"})
    own = await gateway.call("POST", path, QA, decision)
    assert (own[0], own[1]["error"]) == (
        403,
        "the first reviewer cannot decide the appeal of their own review",
    )
    assert (await gateway.call("POST", path, ALICE, decision))[0] == 403
    bad = await gateway.call(
        "POST", path, SUPERVISOR, {"decision": "overturned", "note": "x", "points": -1}
    )
    assert (bad[0], bad[1]["error"]) == (400, "points: an overturned flag counts 0")
    no_note = await gateway.call("POST", path, SUPERVISOR, {"decision": "upheld"})
    assert no_note[0] == 400
    _, still = await gateway.call("GET", f"/api/v1/flags/{slow}", SUPERVISOR)
    assert still["status"] == "appealed"


async def test_two_deciders_at_once_one_wins(reviewed: tuple[Gateway, int, int]) -> None:
    gateway, slow, _ = reviewed
    await gateway.call("POST", f"/api/v1/flags/{slow}/appeal", ALICE, {"reason": "不同意"})
    path = f"/api/v1/flags/{slow}/appeal/decision"
    answers = await asyncio.gather(
        gateway.call("POST", path, SUPERVISOR, {"decision": "upheld", "note": "维持"}),
        gateway.call("POST", path, ADMIN, {"decision": "overturned", "note": "撤销"}),
        gateway.call("POST", path, QA2, {"decision": "upheld", "note": "维持", "points": -1}),
    )
    assert sorted(status for status, _ in answers) == [200, 409, 409]
    [winner] = [body for status, body in answers if status == 200]
    _, whole = await gateway.call("GET", f"/api/v1/flags/{slow}", SUPERVISOR)
    assert whole["appeal"]["decision"] == winner["appeal"]["decision"]
    assert [s["action"] for s in whole["history"]][-1] == winner["appeal"]["decision"]
    assert len(whole["history"]) == 3
