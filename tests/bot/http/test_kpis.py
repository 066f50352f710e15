"""Supervisors read the team's numbers over HTTP: KPIs for any range or period, and a
live view of who is busy and which customers are waiting."""

from __future__ import annotations

import time
from typing import Any

import pytest

from bot.http.kpis import TodayCache
from tests.support.events import agent_replies, assigned, customer_says
from tests.support.gateway import Gateway, StartGateway
from tests.support.settings import make_settings
from tests.support.tokens import ALICE, QA, SUPERVISOR, auth


async def get(gateway: Gateway, path: str, token: str = SUPERVISOR, **params: Any) -> Any:
    async with gateway.http.get(f"{gateway.url}{path}", params=params, headers=auth(token)) as resp:
        return resp.status, await resp.json()


@pytest.fixture
async def morning(start_gateway: StartGateway, database_url: str) -> Gateway:
    gateway = await start_gateway(make_settings(database_url))
    now = time.time()
    events = [
        assigned("c1", "alice", "a1"),
        customer_says("m1", conv="c1", ts=now - 100),
        agent_replies("r1", "alice", conv="c1", ts=now - 90),
        assigned("c2", "bob", "a2"),
        customer_says("m2", conv="c2", ts=now - 80),
        agent_replies("r2", "bob", conv="c2", ts=now - 50),
        customer_says("m3", conv="c3", ts=now - 5),
        customer_says("m4", conv="c2", ts=now - 30),
        {"id": "s1", "type": "agent.status", "agent_id": "bob", "status": "away"},
    ]
    status, _ = await gateway.post_events({"events": events})
    assert status == 202
    return gateway


async def test_kpis_per_agent_and_team_for_a_range(morning: Gateway) -> None:
    now = time.time()
    window: dict[str, Any] = {"from": now - 3600, "to": now + 1}
    status, body = await get(morning, "/api/v1/kpis", **window)
    assert status == 200
    agents = {item["agent_id"]: item for item in body["agents"]}
    assert set(agents) == {"alice", "bob"}
    alice, bob = agents["alice"], agents["bob"]
    assert (alice["customers_received"], alice["customers_replied"]) == (1, 1)
    assert alice["reply_rate"] == 1.0
    assert alice["response_seconds_avg"] == pytest.approx(10, abs=0.01)
    assert alice["scores"]["reply_rate"] == 100
    assert alice["scores"]["response"] == 100
    assert (bob["turns"], bob["turns_replied"], bob["customers_replied"]) == (2, 1, 1)
    assert bob["response_seconds_avg"] == pytest.approx(30, abs=0.01)
    assert bob["scores"]["response"] == 80
    assert bob["sla_compliance"] == 0.0
    assert bob["slow"] == 1
    assert body["team"]["customers_received"] == 3
    assert body["timezone"] == "UTC"


async def test_today_by_default_and_days_on_request(morning: Gateway) -> None:
    status, body = await get(morning, "/api/v1/kpis", by="day")
    assert status == 200
    today = time.strftime("%Y-%m-%d", time.gmtime())
    assert body["from"].startswith(today)
    assert [day["date"] for day in body["days"]] == [today]
    assert body["days"][0]["team"]["customers_received"] == body["team"]["customers_received"]
    status, week = await get(morning, "/api/v1/kpis", period="week", date=today)
    assert status == 200
    assert week["team"]["customers_received"] == 3
    status, quarter = await get(morning, "/api/v1/kpis", period="quarter", date="2026-11-22")
    assert status == 200
    assert (quarter["from"][:10], quarter["to"][:10]) == ("2026-10-01", "2027-01-01")
    status, year = await get(morning, "/api/v1/kpis", period="year", date=today)
    assert status == 200
    assert year["from"][:10] == f"{today[:4]}-01-01"
    assert year["team"]["customers_received"] == 3


async def test_an_agent_sees_only_their_own_figures(morning: Gateway) -> None:
    status, body = await get(morning, "/api/v1/kpis", token=ALICE, agent_id="bob")
    assert status == 200
    assert [item["agent_id"] for item in body["agents"]] == ["alice"]
    assert body["team"]["customers_received"] == 1


@pytest.mark.parametrize(
    "params",
    [
        {"from": "2026-11-22T10:00:00Z", "to": "2026-11-22T09:00:00Z"},
        {"from": "2026-11-22T10:00:00Z", "period": "day"},
        {"period": "decade"},
        {"date": "22/11/2026"},
        {"by": "week"},
        {"from": "yesterday"},
        {"from": "2020-01-01T00:00:00Z", "to": "2026-01-01T00:00:00Z"},
        {"agent": "alice"},
    ],
)
async def test_bad_queries_are_400_naming_the_problem(
    morning: Gateway, params: dict[str, str]
) -> None:
    status, body = await get(morning, "/api/v1/kpis", **params)
    assert status == 400
    assert body["error"] == "invalid query"


async def test_the_live_view_shows_who_is_busy_and_who_waits(morning: Gateway) -> None:
    status, body = await get(morning, "/api/v1/agents", token=QA)
    assert status == 200
    agents = {item["agent_id"]: item for item in body["items"]}
    bob = agents["bob"]
    assert bob["status"] == "away"
    assert bob["concurrency"] == 1
    [waiting] = bob["waiting"]
    assert (waiting["conversation_id"], waiting["message_id"]) == ("c2", "m4")
    assert waiting["waited_seconds"] == pytest.approx(30, abs=2)
    assert waiting["overdue"] is True
    assert bob["today"]["customers_received"] == 1
    assert agents["alice"]["waiting"] == []
    assert [w["message_id"] for w in body["unassigned"]] == ["m3"]
    assert (bob["waiting_count"], bob["overdue_count"]) == (1, 1)
    assert body["unassigned_count"] == 1
    assert body["unassigned_overdue_count"] == sum(w["overdue"] for w in body["unassigned"])


async def test_a_crowded_agent_lists_the_longest_waiting_and_counts_the_rest(
    start_gateway: StartGateway, sqlite_url: str
) -> None:
    gateway = await start_gateway(make_settings(sqlite_url, monitor={"busy_concurrency": 100}))
    now = time.time()
    events = [assigned(f"c{n}", "carol", f"a{n}", ts=now - 200) for n in range(25)]
    events += [customer_says(f"m{n}", f"c{n}", ts=now - 100 + n) for n in range(25)]
    events += [customer_says("fresh", "c99", ts=now)]
    await gateway.post_events({"events": events})
    status, body = await get(gateway, "/api/v1/agents")
    assert status == 200
    [carol] = [item for item in body["items"] if item["agent_id"] == "carol"]
    assert len(carol["waiting"]) == 20
    assert [w["message_id"] for w in carol["waiting"][:2]] == ["m0", "m1"]  # longest first
    assert (carol["waiting_count"], carol["overdue_count"]) == (25, 25)
    assert (body["unassigned_count"], body["unassigned_overdue_count"]) == (1, 0)


async def test_an_agent_sees_only_themself_in_the_live_view(morning: Gateway) -> None:
    status, body = await get(morning, "/api/v1/agents", token=ALICE)
    assert status == 200
    assert [item["agent_id"] for item in body["items"]] == ["alice"]
    assert body["unassigned"] == []


def test_todays_figures_are_refreshed_less_often_when_they_are_slow_to_compute() -> None:
    cache = TodayCache(at=100.0, took=0.05)
    assert cache.fresh(100.9)
    assert not cache.fresh(101.1)
    cache.took = 2.0  # a big team's day: at most a tenth of the database's time
    assert cache.fresh(119.0)
    assert not cache.fresh(121.0)
