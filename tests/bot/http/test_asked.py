"""The week's most asked questions: customers ask about delivery again and again and
about the invoice once; alice answers two of the delivery questions with the script;
somebody asks twice about the shop's boss, which the library does not answer. The
supervisor sees them most asked first, answered or not, with the acceptance."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from tests.support.events import assigned, customer_says
from tests.support.gateway import Gateway, Listener
from tests.support.tokens import ALICE, SUPERVISOR

DELIVERY = ["几天能发货", "什么时候发货呀", "今天下单几天发货", "亲 多久发货"]


async def _suggested(gateway: Gateway, message: str) -> str:
    status, found = await gateway.call("GET", f"/api/v1/suggest?q={quote(message)}", SUPERVISOR)
    assert status == 200
    return str(found["items"][0]["script_id"])


async def _asked(gateway: Gateway, **params: Any) -> tuple[int, Any]:
    return await gateway.call("GET", f"/api/v1/scripts/asked?{urlencode(params)}", SUPERVISOR)


async def test_the_most_asked_questions_with_whether_and_how_well_the_library_answers(
    gateway: Gateway, listeners: object
) -> None:
    alice: Listener = listeners()  # type: ignore[operator]
    await alice.connect(gateway.url, "/agent", ALICE)
    delivery_script = await _suggested(gateway, DELIVERY[0])
    events = [assigned("c1", "alice", "a1")]
    events += [customer_says(f"d{i}", "c1", text) for i, text in enumerate(DELIVERY)]
    events += [
        customer_says("i1", "c1", "能开发票吗"),
        customer_says("b1", "c1", "你们老板是谁"),
        customer_says("b2", "c1", "你们老板是谁？"),
    ]
    await gateway.post_events({"events": events})
    await gateway.suggested()
    for message in ("d0", "d1"):
        feedback = {"message_id": message, "script_id": delivery_script, "action": "used"}
        await alice.client.call("suggestion.feedback", feedback, namespace="/agent", timeout=5)
    status, body = await _asked(gateway)
    assert status == 200
    first, second = body["items"][:2]
    assert (first["script_id"], first["count"], first["answered"]) == (delivery_script, 4, True)
    assert (first["accepted"], first["acceptance"]) == (2, 0.5)
    assert (second["count"], second["answered"], second["acceptance"]) == (2, False, None)
    assert second["question"] in ("你们老板是谁", "你们老板是谁？")
    assert len(second["examples"]) == 2
    rest = body["items"][2:]
    assert [(r["count"], r["answered"], r["accepted"]) for r in rest] == [(1, True, 0)]
    assert sum(i["count"] for i in body["items"]) == len(events) - 1  # every question counted


async def test_a_period_and_a_limit_and_bad_ones(gateway: Gateway) -> None:
    await gateway.post_events({"events": [customer_says("m1", "c1", "几天能发货")]})
    await gateway.suggested()
    status, body = await _asked(gateway, limit=1)
    assert status == 200
    assert len(body["items"]) == 1
    status, body = await _asked(gateway, since="2999-01-01T00:00:00Z", until="2999-01-02T00:00:00Z")
    assert (status, body["items"]) == (200, [])
    for bad in (
        {"limit": 0},
        {"limit": 101},
        {"since": "yesterday"},
        {"since": "2026-01-02T00:00:00Z", "until": "2026-01-01T00:00:00Z"},
        {"since": "2999-01-01T00:00:00Z"},  # after now, the default end
    ):
        status, body = await _asked(gateway, **bad)
        assert status == 400, bad
        assert body["error"]
    status, _ = await gateway.call("GET", "/api/v1/scripts/asked", "not-a-token")
    assert status == 401
