"""Presence (DESIGN.md section 11): alice opens her console and is online, says she is
away, closes it and is offline a moment later; she comes back away, as she left it. The
supervisor sees every change, with its reason; the history and attendance follow. A
process that dies does not leave its agents online."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp

from tests.support.gateway import Gateway, Listener, StartGateway
from tests.support.processes import GatewayProcess, write_config
from tests.support.settings import make_settings, new_postgres_database
from tests.support.tokens import ALICE, BOB, SUPERVISOR, auth

#: Offline 0.4 s after the last console went (heartbeat and sweep every 0.1 s).
PRESENCE = {"offline_after_seconds": 0.4}


async def presence_gateway(start_gateway: StartGateway, url: str) -> Gateway:
    return await start_gateway(make_settings(url, presence=PRESENCE, routing={"mode": "off"}))


async def changes(wall: Listener, count: int) -> list[tuple[str, str]]:
    found = []
    for _ in range(count):
        change = await wall.next("agent.status")
        assert change["agent_id"] == "alice"
        found.append((change["status"], change["reason"]))
    return found


async def test_alice_comes_online_goes_away_and_offline_and_back_away(
    start_gateway: StartGateway, database_url: str, listeners: Callable[[], Listener]
) -> None:
    gateway = await presence_gateway(start_gateway, database_url)
    wall = listeners()
    await wall.connect(gateway.url, "/supervisor", SUPERVISOR)
    alice = listeners()
    await alice.connect(gateway.url, "/agent", ALICE)
    assert await changes(wall, 1) == [("online", "connected")]
    assert await alice.client.call("presence", {"status": "away"}, namespace="/agent") == {
        "status": "away"
    }
    assert await changes(wall, 1) == [("away", "chosen")]
    await alice.client.disconnect()
    assert await changes(wall, 1) == [("offline", "disconnected")]
    back = listeners()
    await back.connect(gateway.url, "/agent", ALICE)
    assert await changes(wall, 1) == [("away", "connected")]
    assert await back.client.call("presence", {"status": "online"}, namespace="/agent") == {
        "status": "online"
    }
    assert await changes(wall, 1) == [("online", "chosen")]
    status, history = await gateway.call("GET", "/api/v1/agents/alice/status-history", SUPERVISOR)
    assert status == 200
    assert [(i["status"], i["reason"]) for i in history["items"]] == [
        ("online", "connected"),
        ("away", "chosen"),
        ("offline", "disconnected"),
        ("away", "connected"),
        ("online", "chosen"),
    ]


async def test_a_second_console_keeps_alice_online(
    start_gateway: StartGateway, sqlite_url: str, listeners: Callable[[], Listener]
) -> None:
    gateway = await presence_gateway(start_gateway, sqlite_url)
    wall = listeners()
    await wall.connect(gateway.url, "/supervisor", SUPERVISOR)
    laptop, phone = listeners(), listeners()
    await laptop.connect(gateway.url, "/agent", ALICE)
    await phone.connect(gateway.url, "/agent", ALICE)
    assert await changes(wall, 1) == [("online", "connected")]
    await laptop.client.disconnect()
    assert await wall.nothing("agent.status", wait=1.0)
    await phone.client.disconnect()
    assert await changes(wall, 1) == [("offline", "disconnected")]


async def test_a_console_that_reconnects_in_time_changes_nothing(
    start_gateway: StartGateway, sqlite_url: str, listeners: Callable[[], Listener]
) -> None:
    gateway = await presence_gateway(start_gateway, sqlite_url)
    wall = listeners()
    await wall.connect(gateway.url, "/supervisor", SUPERVISOR)
    first = listeners()
    await first.connect(gateway.url, "/agent", ALICE)
    assert await changes(wall, 1) == [("online", "connected")]
    await first.client.disconnect()
    again = listeners()
    await again.connect(gateway.url, "/agent", ALICE)  # a page reload: well within 0.4 s
    assert await wall.nothing("agent.status", wait=1.0)


async def test_bad_presence_payloads_get_an_error_ack(
    start_gateway: StartGateway, sqlite_url: str, listeners: Callable[[], Listener]
) -> None:
    gateway = await presence_gateway(start_gateway, sqlite_url)
    alice = listeners()
    await alice.connect(gateway.url, "/agent", ALICE)
    for payload in (None, {}, {"status": "offline"}, {"status": "online", "x": 1}, "away"):
        ack = await alice.client.call("presence", payload, namespace="/agent")
        assert ack["error"] == "invalid presence", payload


async def test_status_over_http_by_the_agent_or_a_supervisor(
    start_gateway: StartGateway, sqlite_url: str, listeners: Callable[[], Listener]
) -> None:
    gateway = await presence_gateway(start_gateway, sqlite_url)
    wall = listeners()
    await wall.connect(gateway.url, "/supervisor", SUPERVISOR)
    bob = listeners()
    await bob.connect(gateway.url, "/agent", BOB)  # bob is known: he has connected
    assert (await wall.next("agent.status"))["agent_id"] == "bob"
    url = "/api/v1/agents/bob/status"
    assert await gateway.call("PUT", url, BOB, {"status": "away"}) == (
        200,
        {"agent_id": "bob", "status": "away"},
    )
    change = await wall.next("agent.status")
    assert (change["status"], change["reason"]) == ("away", "chosen")
    assert (await gateway.call("PUT", url, SUPERVISOR, {"status": "online"}))[0] == 200
    change = await wall.next("agent.status")
    assert (change["status"], change["reason"]) == ("online", "supervisor")
    assert (await gateway.call("PUT", url, ALICE, {"status": "away"}))[0] == 403
    status, answer = await gateway.call("PUT", url, BOB, {"status": "busy"})
    assert status == 400
    assert answer["error"] == "invalid status"
    status, _ = await gateway.call(
        "PUT", "/api/v1/agents/nobody/status", SUPERVISOR, {"status": "away"}
    )
    assert status == 404


async def test_attendance_adds_up_the_day(
    start_gateway: StartGateway, sqlite_url: str, listeners: Callable[[], Listener]
) -> None:
    gateway = await presence_gateway(start_gateway, sqlite_url)
    alice = listeners()
    await alice.connect(gateway.url, "/agent", ALICE)
    await asyncio.sleep(0.3)
    await alice.client.call("presence", {"status": "away"}, namespace="/agent")
    await asyncio.sleep(0.2)
    status, report = await gateway.call("GET", "/api/v1/agents/alice/attendance", ALICE)
    assert status == 200
    [today] = report["days"]
    assert 0.25 <= today["online_seconds"] <= 5
    assert 0.15 <= today["away_seconds"] <= 5
    assert today["away_over_5_minutes"] == []
    assert (await gateway.call("GET", "/api/v1/agents/alice/attendance", BOB))[0] == 403
    status, answer = await gateway.call(
        "GET", "/api/v1/agents/alice/attendance?from=2026-12-01&to=2026-03-01", SUPERVISOR
    )
    assert status == 400
    status, answer = await gateway.call(
        "GET", "/api/v1/agents/alice/attendance?from=2026-01-01&to=2026-12-01", SUPERVISOR
    )
    assert (status, answer["details"]) == (400, [{"field": "to", "error": "at most 62 days"}])


async def test_a_crashed_process_does_not_leave_its_agents_online(
    postgres_server: Any,
    redis_url: str,
    tmp_path: Path,
    gateway_processes: Callable[..., GatewayProcess],
    listeners: Callable[[], Listener],
) -> None:
    config = write_config(
        tmp_path / "gateway.toml",
        new_postgres_database(postgres_server),
        realtime={"redis_url": redis_url},
        presence={"offline_after_seconds": 1.0},
    )
    survivor, doomed = gateway_processes(config), gateway_processes(config)
    await survivor.start()
    await doomed.start()
    wall = listeners()
    await wall.connect(survivor.url, "/supervisor", SUPERVISOR)
    alice = listeners()
    await alice.connect(doomed.url, "/agent", ALICE)
    assert (await wall.next("agent.status"))["status"] == "online"
    doomed.kill()
    killed = time.monotonic()
    change = await wall.next("agent.status", within=10)
    waited = time.monotonic() - killed
    assert (change["agent_id"], change["status"], change["reason"]) == (
        "alice",
        "offline",
        "disconnected",
    )
    # offline_after_seconds (1 s) after her last heartbeat, plus one sweep (0.25 s)
    assert waited <= 1.0 + 0.25 + 1.0  # and a second for the machine
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"{survivor.url}/api/v1/agents", headers=auth(SUPERVISOR)) as r,
    ):
        agents = {a["agent_id"]: a for a in (await r.json())["items"]}
    assert agents["alice"]["status"] == "offline"


async def test_an_attendance_range_that_ends_before_today_needs_its_start(
    start_gateway: StartGateway, sqlite_url: str, listeners: Callable[[], Listener]
) -> None:
    gateway = await presence_gateway(start_gateway, sqlite_url)
    alice = listeners()
    await alice.connect(gateway.url, "/agent", ALICE)
    status, answer = await gateway.call(
        "GET", "/api/v1/agents/alice/attendance?to=2026-01-01", SUPERVISOR
    )
    assert (status, answer["details"]) == (
        400,
        [{"field": "to", "error": "must not be before from"}],
    )
