"""Every answer has the shape the OpenAPI document gives it, field by field: after a
shift with alerts, flags, reviews, replies and a library edit, each endpoint's real
answer (with data in it, not the empty lists a fuzzer mostly sees) validates against
the served document."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.support.events import agent_replies, assigned, customer_says
from tests.support.gateway import Gateway
from tests.support.openapi import violations
from tests.support.tokens import ADMIN, ALICE, INTEGRATION, QA, SUPERVISOR

NOW = time.time()
SCRIPT = {
    "id": "camera-rental",
    "category": "product",
    "title": "Camera rental",
    "questions": ["相机可以租借吗", "can I rent the camera"],
    "keywords": ["租借"],
    "reply": "{customer}您好，相机支持按天租借哦",
}


@pytest.fixture
async def shift(gateway: Gateway) -> Gateway:
    """Alice answers c1 late and with a flat refusal; a customer of c2 still waits."""
    status, _ = await gateway.post_events(
        {
            "events": [
                assigned("c1", "alice", "a1", ts=NOW - 200),
                assigned("c2", "alice", "a2", ts=NOW - 200),
                customer_says("m1", conv="c1", text="几天发货", name="王女士", ts=NOW - 100),
                agent_replies("r1", "alice", conv="c1", text="48小时内发货", ts=NOW - 70),
                customer_says("m2", conv="c1", text="能便宜点吗", ts=NOW - 60),
                agent_replies("r2", "alice", conv="c1", text="这个不行哦", ts=NOW - 58),
                customer_says("m3", conv="c2", text="你们老板是谁", ts=NOW - 5),
            ]
        }
    )
    assert status == 202
    return gateway


async def _checked(
    gateway: Gateway, document: Any, method: str, path: str, token: str, **kwargs: Any
) -> Any:
    url = path.format(**kwargs.pop("ids", {}))
    params, body = kwargs.pop("params", None), kwargs.pop("json", None)
    async with gateway.http.request(
        method, f"{gateway.url}{url}", params=params, json=body,
        headers={"Authorization": f"Bearer {token}"},
    ) as resp:  # fmt: skip
        answer = await resp.json()
        assert resp.status < 300, (method, url, resp.status, answer)
        assert violations(document, method, path, resp.status, answer) == []
        return answer


async def test_every_answer_matches_its_documented_schema(shift: Gateway) -> None:
    async with shift.http.get(f"{shift.url}/api/v1/openapi.json") as resp:
        doc = await resp.json()

    async def check(method: str, path: str, token: str = SUPERVISOR, **kwargs: Any) -> Any:
        return await _checked(shift, doc, method, path, token, **kwargs)

    await check("POST", "/api/v1/scripts", ADMIN, json=SCRIPT)
    await check("PUT", "/api/v1/scripts/{id}", ADMIN, ids={"id": "camera-rental"}, json=SCRIPT)
    await check("GET", "/api/v1/scripts/{id}", ids={"id": "camera-rental"})
    page = await check("GET", "/api/v1/scripts", params={"limit": "2"})
    assert page["items"]
    assert page["next"]
    found = await check("GET", "/api/v1/suggest", INTEGRATION, params={"q": "相机能租借吗"})
    assert found["items"][0]["script_id"] == "camera-rental"
    hits = await check("GET", "/api/v1/scripts/search", params={"q": "租借"})
    assert hits["items"][0]["score"] > 0
    gaps = await check("GET", "/api/v1/scripts/gaps")
    assert gaps["items"]
    await check("GET", "/api/v1/scripts/proposals")

    alerts = await check("GET", "/api/v1/alerts", params={"limit": "2"})
    assert {"response_seconds"} <= set(alerts["items"][0]) or alerts["next"]
    flags = await check("GET", "/api/v1/flags", QA)
    assert flags["items"]
    flag_id = flags["items"][0]["id"]
    review = {"verdict": "confirmed", "note": "说了不行", "points": -5}
    reviewed = await check(
        "POST", "/api/v1/flags/{id}/review", QA, ids={"id": flag_id}, json=review
    )
    assert reviewed["review"]["verdict"] == "confirmed"
    await check("GET", "/api/v1/flags", QA, params={"status": "reviewed"})
    appeal = {"reason": "顾客在砍价，我说的是这个价不行"}
    await check("POST", "/api/v1/flags/{id}/appeal", ALICE, ids={"id": flag_id}, json=appeal)
    decision = {"decision": "upheld", "note": "维持", "points": -2}
    await check(
        "POST", "/api/v1/flags/{id}/appeal/decision", SUPERVISOR, ids={"id": flag_id}, json=decision
    )
    manual = {"conversation_id": "c1", "category": "handover", "note": "交接不全"}
    await check("POST", "/api/v1/flags", QA, json=manual)
    whole = await check("GET", "/api/v1/flags/{id}", ALICE, ids={"id": flag_id})
    assert [s["action"] for s in whole["history"]] == ["reviewed", "appealed", "upheld"]
    merit = {"agent_id": "alice", "points": 3, "reason": "顾客表扬"}
    await check("POST", "/api/v1/merits", SUPERVISOR, json=merit)
    adjustment = {"adjustment": 2, "reason": "代班"}
    month = time.strftime("%Y-%m", time.gmtime(NOW))
    ids = {"month": month, "agent_id": "alice"}
    await check(
        "PUT", "/api/v1/assessment/{month}/{agent_id}", SUPERVISOR, ids=ids, json=adjustment
    )
    assessed = await check("GET", "/api/v1/assessment", ALICE)
    assert {e["source"] for e in assessed["items"][0]["entries"]} == {"flag", "merit"}

    open_ = await check("GET", "/api/v1/conversations", ALICE)
    assert any(item["waiting"] for item in open_["items"])
    await check("POST", "/api/v1/replies/check", ALICE, json={"text": "不知道"})
    ack = await check(
        "POST", "/api/v1/conversations/{id}/reply", ALICE, ids={"id": "c2"},
        json={"text": "您好，这个我帮您问一下", "script_id": "camera-rental"},
    )  # fmt: skip
    assert ack["duplicate"] is False
    transcript = await check("GET", "/api/v1/conversations/{id}", ids={"id": "c1"})
    assert transcript["messages"][0]["turn_id"] == "m1"
    assert transcript["turns"]
    await check("GET", "/api/v1/conversations/{id}", ids={"id": "c2"})
    await check(
        "POST", "/api/v1/conversations/{id}/assign", ids={"id": "c1"}, json={"agent_id": "bob"}
    )

    kpis = await check("GET", "/api/v1/kpis", params={"by": "day"})
    assert kpis["agents"]
    assert kpis["days"]
    live = await check("GET", "/api/v1/agents")
    assert any(agent["today"] for agent in live["items"])
    await check("POST", "/api/v1/events", INTEGRATION, json=customer_says("m9", conv="c3"))


def test_a_wrong_answer_is_caught() -> None:
    """The check itself can fail: a flag without its kind, a time that is no time."""
    doc = {
        "paths": {"/x": {"get": {"responses": {"200": {"content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/T"}}}}}}}},
        "components": {"schemas": {"T": {
            "type": "object", "required": ["kind"],
            "properties": {"kind": {"type": "string"}, "at": {"format": "date-time"}},
        }}},
    }  # fmt: skip
    assert violations(doc, "GET", "/x", 200, {"kind": "a", "at": "2026-11-26T10:00:00.000Z"}) == []
    assert len(violations(doc, "GET", "/x", 200, {"at": "yesterday"})) == 2
