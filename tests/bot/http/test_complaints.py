"""A customer complains (投诉): Alice registers it from the conversation, the clocks run
(acknowledge, a supervisor's approved resolution, the call back), each late step alerts
the supervisors once, and the month's report counts complaints by category."""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import Callable

import pytest
from openpyxl import load_workbook

from tests.support.events import assigned, customer_says
from tests.support.gateway import Gateway, Listener, StartGateway
from tests.support.settings import make_settings
from tests.support.tokens import ADMIN, ALICE, BOB, QA, SUPERVISOR, auth

NOW = time.time()
COMPLAINT = {"conversation_id": "c1", "category": "服务态度", "summary": "顾客说客服态度差"}


async def _chat(gateway: Gateway) -> None:
    events = [
        assigned("c1", "alice", "a1", ts=NOW - 100),
        customer_says("m1", conv="c1", text="你们客服态度太差了，我要投诉", ts=NOW - 50),
    ]
    assert (await gateway.post_events({"events": events}))[0] == 202


@pytest.fixture
async def shop(start_gateway: StartGateway, database_url: str) -> Gateway:
    """Tiny clocks: acknowledge in 0.4 s, resolve in 0.8 s, call back 0.4 s after."""
    settings = make_settings(
        database_url,
        monitor={"sweep_seconds": 0.05},
        complaints={
            "acknowledge_seconds": 0.4,
            "resolve_seconds": 0.8,
            "follow_up_days": 0.4 / 86400,
        },
    )
    gateway = await start_gateway(settings)
    await _chat(gateway)
    return gateway


async def test_a_complaint_handled_on_time_raises_no_alert(shop: Gateway) -> None:
    status, made = await shop.call("POST", "/api/v1/complaints", ALICE, COMPLAINT)
    assert status == 201
    assert (made["status"], made["agent_id"], made["category"]) == ("open", "alice", "服务态度")
    assert made["acknowledge_by"] < made["resolve_by"]
    path = f"/api/v1/complaints/{made['id']}"
    status, acked = await shop.call("POST", f"{path}/acknowledge", ALICE)
    assert (status, acked["status"], acked["acknowledged_by"]) == (200, "acknowledged", "alice")
    resolution = {"resolution": "致歉并赠送优惠券，已获顾客认可"}
    assert (await shop.call("POST", f"{path}/resolve", ALICE, resolution))[0] == 403
    status, resolved = await shop.call("POST", f"{path}/resolve", SUPERVISOR, resolution)
    assert (status, resolved["status"]) == (200, "resolved")
    assert resolved["resolved_by"].startswith("supervisor:")
    assert resolved["follow_up_by"] is not None
    status, done = await shop.call("POST", f"{path}/follow-up", ALICE, {"note": "顾客满意"})
    assert (status, done["status"], done["follow_up_note"]) == (200, "followed_up", "顾客满意")
    await asyncio.sleep(1.0)  # every clock has passed (swept every 0.05 s): none was late
    _, alerts = await shop.call("GET", "/api/v1/alerts?kind=complaint.overdue", SUPERVISOR)
    assert alerts["items"] == []


async def test_each_late_step_alerts_the_supervisors_once(
    shop: Gateway, listeners: Callable[[], Listener]
) -> None:
    supervisor, alice = listeners(), listeners()
    await supervisor.connect(shop.url, "/supervisor", SUPERVISOR)
    await alice.connect(shop.url, "/agent", ALICE)
    _, made = await shop.call("POST", "/api/v1/complaints", ALICE, COMPLAINT)
    path = f"/api/v1/complaints/{made['id']}"
    first = await supervisor.alert("complaint.overdue", within=3)
    assert first["conversation_id"] == "c1"
    assert first["note"].startswith("acknowledge: 服务态度")
    second = await supervisor.alert("complaint.overdue", within=3)
    assert second["note"].startswith("resolve: ")
    _, late = await shop.call("GET", path, SUPERVISOR)
    assert late["overdue"] == ["acknowledge", "resolve"]
    resolution = {"resolution": "补发商品"}
    assert (await shop.call("POST", f"{path}/resolve", SUPERVISOR, resolution))[0] == 200
    third = await supervisor.alert("complaint.overdue", within=3)
    assert third["note"].startswith("follow_up: ")
    await asyncio.sleep(0.3)
    _, alerts = await shop.call("GET", "/api/v1/alerts?kind=complaint.overdue", SUPERVISOR)
    assert len(alerts["items"]) == 3  # once each, however many sweeps passed
    while not alice.received.empty():  # supervisors' business, not the agent's
        event, data = alice.received.get_nowait()
        assert not (event == "alert" and data["kind"] == "complaint.overdue")


async def test_bad_complaints_change_nothing(shop: Gateway) -> None:
    for token, body, status, error in [
        (ALICE, {**COMPLAINT, "category": "天气"}, 400, "unknown category"),
        (ALICE, {**COMPLAINT, "conversation_id": "nope"}, 404, "no such conversation"),
        (ALICE, {**COMPLAINT, "summary": ""}, 400, "invalid complaint"),
        (BOB, COMPLAINT, 403, "this conversation is another agent's, or outside your groups"),
        (QA, COMPLAINT, 403, None),
    ]:
        got, answer = await shop.call("POST", "/api/v1/complaints", token, body)
        assert got == status, (token, body, answer)
        if error is not None:
            assert answer["error"] == error
    _, listed = await shop.call("GET", "/api/v1/complaints", SUPERVISOR)
    assert listed["items"] == []


async def test_steps_in_order_and_once(shop: Gateway) -> None:
    _, made = await shop.call("POST", "/api/v1/complaints", ALICE, COMPLAINT)
    path = f"/api/v1/complaints/{made['id']}"
    early = await shop.call("POST", f"{path}/follow-up", ALICE, {"note": "x"})
    assert (early[0], early[1]["error"]) == (409, "only a resolved complaint is followed up, once")
    assert (await shop.call("POST", f"{path}/acknowledge", ALICE))[0] == 200
    again = await shop.call("POST", f"{path}/acknowledge", SUPERVISOR)
    assert (again[0], again[1]["error"]) == (409, "this complaint was already acknowledged")
    assert (await shop.call("POST", f"{path}/resolve", ADMIN, {"resolution": ""}))[0] == 400
    racing = await asyncio.gather(
        shop.call("POST", f"{path}/resolve", ADMIN, {"resolution": "退款"}),
        shop.call("POST", f"{path}/resolve", SUPERVISOR, {"resolution": "换货"}),
    )
    assert sorted(status for status, _ in racing) == [200, 409]
    assert (await shop.call("GET", f"{path}", BOB))[0] == 404  # not Bob's
    _, mine = await shop.call("GET", "/api/v1/complaints?status=resolved", ALICE)
    assert [c["id"] for c in mine["items"]] == [made["id"]]


async def test_the_report_counts_complaints_by_category(shop: Gateway) -> None:
    for category in ("服务态度", "服务态度", "发货物流"):
        body = {**COMPLAINT, "category": category}
        assert (await shop.call("POST", "/api/v1/complaints", ALICE, body))[0] == 201
    day = time.strftime("%Y-%m-%d", time.gmtime())
    async with shop.http.get(
        f"{shop.url}/api/v1/reports/file?period=month&date={day}&format=xlsx",
        headers=auth(SUPERVISOR),
    ) as resp:
        assert resp.status == 200
        book = load_workbook(io.BytesIO(await resp.read()))
    rows = list(book["Complaints"].iter_rows(values_only=True))
    assert rows == [("Category", "Complaints"), ("服务态度", 2), ("发货物流", 1)]
