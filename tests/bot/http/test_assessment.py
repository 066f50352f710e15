"""The month ends in a score (DESIGN.md section 12): base 80, the month's confirmed flags
and merits moving it between -20 and +20, a supervisor's reasoned adjustment of at most
5, capped at 100, graded; three months below 70 in a row are tracked.

The team's autumn, computed by hand:

- October: Alice answers three customers late; QA confirms each at -10. Deductions -30,
  delta clamped to -20, score 60: no grade (below 70).
- November: Alice answers two late (-10 each, confirmed) and one more that QA dismisses;
  her supervisor adjusts +5 for the peak season. Delta -20, score 80 - 20 + 5 = 65: no
  grade, and her second month below 70 in a row. Bob answers one late, confirmed -2,
  appeals and a supervisor overturns: it counts 0. Score 80, 中级客服.
- December (this month): Alice is praised twice (+5, +3) and QA flags an incomplete
  handover (-2, the category's default): delta +6, score 86, 中级客服. Bob is praised
  +15 and +10 (additions 25, delta clamped to +20) and adjusted +5: capped at 100, 高级客服.
"""

from __future__ import annotations

import io
import time
from datetime import UTC, datetime
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.support.events import agent_replies, assigned, customer_says
from tests.support.gateway import Gateway
from tests.support.tokens import ADMIN, ALICE, BOB, QA, QA2, SUPERVISOR

NOW = time.time()
THIS_MONTH = datetime.fromtimestamp(NOW, UTC).strftime("%Y-%m")


def _at(year: int, month: int, day: int) -> float:
    return datetime(year, month, day, 10, tzinfo=UTC).timestamp()


def _late(agent: str, conv: str, n: int, ts: float) -> list[dict[str, object]]:
    """``agent`` answers customer ``n`` of ``conv`` 30 s after they wrote (20 s allowed)."""
    return [
        customer_says(f"{conv}-m{n}", conv=conv, text="在吗", ts=ts),
        agent_replies(f"{conv}-r{n}", agent, conv=conv, text="在的", ts=ts + 30),
    ]


async def _review(gateway: Gateway, message_id: str, verdict: str, points: float) -> int:
    _, queue = await gateway.call("GET", "/api/v1/flags?limit=500", QA)
    [flag] = [f for f in queue["items"] if f["message_id"] == message_id]
    body = {"verdict": verdict, "points": points}
    status, _ = await gateway.call("POST", f"/api/v1/flags/{flag['id']}/review", QA, body)
    assert status == 200
    return int(flag["id"])


@pytest.fixture
async def autumn(gateway: Gateway) -> Gateway:
    """The team's October, November and December as the module docstring tells."""
    october, november = _at(2026, 10, 15), _at(2026, 11, 12)
    events = [
        assigned("oct", "alice", "oct-a", ts=october - 60),
        *(e for n in range(3) for e in _late("alice", "oct", n, october + 100 * n)),
        assigned("nov", "alice", "nov-a", ts=november - 60),
        *(e for n in range(3) for e in _late("alice", "nov", n, november + 100 * n)),
        assigned("nob", "bob", "nob-a", ts=november - 60),
        *_late("bob", "nob", 0, november),
    ]
    assert (await gateway.post_events({"events": events}))[0] == 202
    for n in range(3):
        await _review(gateway, f"oct-m{n}", "confirmed", -10)
    await _review(gateway, "nov-m0", "confirmed", -10)
    await _review(gateway, "nov-m1", "confirmed", -10)
    await _review(gateway, "nov-m2", "dismissed", 0)
    bobs = await _review(gateway, "nob-m0", "confirmed", -2)
    await gateway.call("POST", f"/api/v1/flags/{bobs}/appeal", BOB, {"reason": "系统延迟"})
    decision = {"decision": "overturned", "note": "系统延迟属实"}
    assert (await gateway.call("POST", f"/api/v1/flags/{bobs}/appeal/decision", QA2, decision))[
        0
    ] == 200
    adjust = {"adjustment": 5, "reason": "大促期间接待量翻倍"}
    assert (await gateway.call("PUT", ADJ, SUPERVISOR, adjust))[0] == 200
    for agent, points, reason in (
        ("alice", 5, "顾客来信表扬"),
        ("alice", 3, "主动分享话术"),
        ("bob", 15, "季度服务之星"),
        ("bob", 10, "带教新人"),
    ):
        body = {"agent_id": agent, "points": points, "reason": reason}
        assert (await gateway.call("POST", "/api/v1/merits", SUPERVISOR, body))[0] == 201
    flag = {"conversation_id": "nov", "category": "handover", "note": "交接记录不全"}
    status, handover = await gateway.call("POST", "/api/v1/flags", QA, flag)
    assert status == 201
    review = {"verdict": "confirmed"}
    await gateway.call("POST", f"/api/v1/flags/{handover['id']}/review", QA, review)
    bob_adjust = {"adjustment": 5, "reason": "跨组支援"}
    path = f"/api/v1/assessment/{THIS_MONTH}/bob"
    assert (await gateway.call("PUT", path, ADMIN, bob_adjust))[0] == 200
    return gateway


def _by_agent(body: dict[str, list[dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    return {item["agent_id"]: item for item in body["items"]}


ADJ = "/api/v1/assessment/2026-11/alice"
MERITS = "/api/v1/merits"
LIMIT = "adjustment: at most 5 either way"
MONTH = "month: YYYY-MM (1970 or later)"
NO_REASON = "reason: an adjustment needs one"
NOBODY = "/api/v1/assessment/2026-11/nobody"


def merit(agent: str, points: float, reason: str = "x") -> dict[str, object]:
    """A ``POST /api/v1/merits`` body."""
    return {"agent_id": agent, "points": points, "reason": reason}


SUMMARY = ("deductions", "additions", "delta", "adjustment", "score", "grade", "below_streak")


async def test_the_months_as_computed_by_hand(autumn: Gateway) -> None:
    _, october = await autumn.call("GET", "/api/v1/assessment?month=2026-10", SUPERVISOR)
    alice = _by_agent(october)["alice"]
    assert tuple(alice[k] for k in SUMMARY) == (-30, 0, -20, 0, 60, None, 1)
    _, november = await autumn.call("GET", "/api/v1/assessment?month=2026-11", SUPERVISOR)
    alice, bob = _by_agent(november)["alice"], _by_agent(november)["bob"]
    assert tuple(alice[k] for k in SUMMARY) == (-20, 0, -20, 5, 65, None, 2)
    assert alice["adjustment_reason"] == "大促期间接待量翻倍"
    assert [(e["source"], e["points"]) for e in alice["entries"]] == [("flag", -10), ("flag", -10)]
    assert {e["category"] for e in alice["entries"]} == {"slow"}  # scored by 回复超时
    assert tuple(bob[k] for k in SUMMARY) == (0, 0, 0, 0, 80, "中级客服", 0)
    assert [e["points"] for e in bob["entries"]] == [0]  # the overturned flag, shown at 0
    _, december = await autumn.call("GET", f"/api/v1/assessment?month={THIS_MONTH}", SUPERVISOR)
    alice, bob = _by_agent(december)["alice"], _by_agent(december)["bob"]
    assert tuple(alice[k] for k in SUMMARY) == (-2, 8, 6, 0, 86, "中级客服", 0)
    assert sorted((e["source"], e["points"], e["reason"]) for e in alice["entries"]) == [
        ("flag", -2, "交接记录不全"),
        ("merit", 3, "主动分享话术"),
        ("merit", 5, "顾客来信表扬"),
    ]
    [handover] = [e for e in alice["entries"] if e["source"] == "flag"]
    assert (handover["category"], handover["category_name"]) == ("handover", "交接班信息不完整")
    assert tuple(bob[k] for k in SUMMARY) == (0, 25, 20, 5, 100, "高级客服", 0)
    _, default = await autumn.call("GET", "/api/v1/assessment", SUPERVISOR)
    assert default == december


async def test_an_agent_sees_only_her_own_month(autumn: Gateway) -> None:
    _, mine = await autumn.call("GET", "/api/v1/assessment?month=2026-11&agent_id=bob", ALICE)
    assert [item["agent_id"] for item in mine["items"]] == ["alice"]
    assert mine["items"][0]["score"] == 65


async def test_the_month_as_a_workbook(autumn: Gateway) -> None:
    async with autumn.http.get(
        f"{autumn.url}/api/v1/assessment/file?month=2026-11",
        headers={"Authorization": f"Bearer {SUPERVISOR}"},
    ) as resp:
        assert resp.status == 200
        assert "replywatch-assessment-2026-11.xlsx" in resp.headers["Content-Disposition"]
        book = load_workbook(io.BytesIO(await resp.read()))
    rows = list(book["Assessment"].iter_rows(values_only=True))
    assert rows[0][:3] == ("Agent", "Month", "Base")
    table = {row[0]: row for row in rows[1:]}
    assert table["alice"][8:11] == (65, None, 2)
    assert table["bob"][8:10] == (80, "中级客服")
    entries = list(book["Entries"].iter_rows(values_only=True))[1:]
    assert sorted((row[0], row[5]) for row in entries) == [
        ("alice", -10),
        ("alice", -10),
        ("bob", 0),
    ]


async def test_the_monthly_report_carries_the_assessment(autumn: Gateway) -> None:
    async with autumn.http.get(
        f"{autumn.url}/api/v1/reports/file?period=month&date=2026-11-01&format=xlsx",
        headers={"Authorization": f"Bearer {SUPERVISOR}"},
    ) as resp:
        assert resp.status == 200
        book = load_workbook(io.BytesIO(await resp.read()))
    scores = {row[0]: row[8] for row in list(book["Assessment"].iter_rows(values_only=True))[1:]}
    assert (scores["alice"], scores["bob"]) == (65, 80)


def _case(token: str, method: str, path: str, body: object, status: int, error: str | None) -> Any:
    return pytest.param(token, method, path, body, status, error, id=f"{method}-{status}-{error}")


@pytest.mark.parametrize(
    ("token", "method", "path", "body", "status", "error"),
    [
        _case(SUPERVISOR, "PUT", ADJ, {"adjustment": 6, "reason": "x"}, 400, LIMIT),
        _case(SUPERVISOR, "PUT", ADJ, {"adjustment": -5.5, "reason": "x"}, 400, LIMIT),
        _case(SUPERVISOR, "PUT", ADJ, {"adjustment": 2, "reason": " "}, 400, NO_REASON),
        _case(SUPERVISOR, "PUT", ADJ, {"adjustment": 2}, 400, "invalid adjustment"),
        _case(
            SUPERVISOR, "PUT", ADJ.replace("11", "13"), {"adjustment": 2, "reason": "x"}, 400, MONTH
        ),
        _case(SUPERVISOR, "PUT", NOBODY, {"adjustment": 2, "reason": "x"}, 404, "no such agent"),
        _case(QA, "PUT", ADJ, {"adjustment": 2, "reason": "x"}, 403, None),
        _case(ALICE, "PUT", ADJ, {"adjustment": 5, "reason": "x"}, 403, None),
        _case(SUPERVISOR, "POST", MERITS, merit("alice", 0), 400, "invalid merit"),
        _case(SUPERVISOR, "POST", MERITS, merit("alice", -3), 400, "invalid merit"),
        _case(SUPERVISOR, "POST", MERITS, merit("alice", 3, ""), 400, "invalid merit"),
        _case(SUPERVISOR, "POST", MERITS, merit("nobody", 3), 404, "no such agent"),
        _case(ALICE, "POST", MERITS, merit("alice", 3), 403, None),
        _case(SUPERVISOR, "GET", "/api/v1/assessment?month=11-2026", None, 400, MONTH),
    ],
)
async def test_bad_input_changes_nothing(
    autumn: Gateway,
    token: str,
    method: str,
    path: str,
    body: object,
    status: int,
    error: str | None,
) -> None:
    _, before = await autumn.call("GET", "/api/v1/assessment?month=2026-11", SUPERVISOR)
    got, answer = await autumn.call(method, path, token, body)
    assert got == status
    if error is not None:
        assert answer["error"] == error
    _, after = await autumn.call("GET", "/api/v1/assessment?month=2026-11", SUPERVISOR)
    assert after == before
