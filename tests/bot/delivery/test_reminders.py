"""An agent whose chats go overdue together gets one popup, not a storm; supervisors
still see every alert, and every message keeps its own alert row."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from bot.delivery.reminders import OverdueMerger, turn_key
from monitors.rules import AlertKind
from storage.alerts import Alert
from tests.support.events import agent_replies, assigned, customer_says
from tests.support.gateway import Gateway, Listener, StartGateway
from tests.support.settings import make_settings
from tests.support.store import eventually
from tests.support.tokens import ALICE, SUPERVISOR, auth


def overdue(n: int, agent: str = "alice") -> Alert:
    return Alert(n, AlertKind.OVERDUE, "api", f"c{n}", f"m{n}", agent, 20, 20, None, 0.0)


class Popups:
    """What the agent was shown, as lists of alert ids."""

    def __init__(self) -> None:
        self.shown: list[tuple[str, list[int]]] = []

    async def show(self, agent_id: str, records: list[Alert]) -> None:
        self.shown.append((agent_id, [r.id for r in records]))


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_the_first_reminder_shows_at_once_and_later_ones_wait_for_the_window() -> None:
    popups, clock = Popups(), Clock()
    merger = OverdueMerger(10, popups.show, clock)
    await merger.offer("alice", [overdue(1)])
    clock.now += 2
    await merger.offer("alice", [overdue(2)])
    clock.now += 1
    await merger.offer("alice", [overdue(3)])
    await merger.offer("bob", [overdue(4, "bob")])
    assert popups.shown == [("alice", [1]), ("bob", [4])]
    assert [r.id for r in merger.held("alice")] == [2, 3]
    await merger.close()


async def test_held_reminders_come_together_when_the_window_ends() -> None:
    popups = Popups()
    merger = OverdueMerger(0.2, popups.show)
    await merger.offer("alice", [overdue(1), overdue(2)])
    await merger.offer("alice", [overdue(3)])
    await merger.offer("alice", [overdue(4)])
    assert popups.shown == [("alice", [1, 2])]

    async def second_popup() -> bool:
        return len(popups.shown) == 2

    await eventually(second_popup, within=2)
    assert popups.shown[1] == ("alice", [3, 4])
    await merger.close()


async def test_an_answered_chat_leaves_the_held_reminders() -> None:
    popups, clock = Popups(), Clock()
    merger = OverdueMerger(10, popups.show, clock)
    await merger.offer("alice", [overdue(1)])
    await merger.offer("alice", [overdue(2), overdue(3)])
    merger.discard(turn_key(overdue(2)))
    assert [r.id for r in merger.held("alice")] == [3]
    merger.discard(turn_key(overdue(3)))
    assert merger.held("alice") == []
    clock.now += 11
    await merger.offer("alice", [overdue(5)])
    assert popups.shown == [("alice", [1]), ("alice", [5])]
    await merger.close()


async def test_a_zero_window_shows_every_reminder_alone() -> None:
    popups = Popups()
    merger = OverdueMerger(0, popups.show)
    await merger.offer("alice", [overdue(1), overdue(2)])
    assert popups.shown == [("alice", [1]), ("alice", [2])]


async def overdue_alerts(listener: Listener, count: int, within: float) -> list[Any]:
    seen: list[Any] = []
    async with asyncio.timeout(within):
        while len(seen) < count:
            alert = await listener.next("alert")
            if alert["kind"] == "reply.overdue":
                seen.append(alert)
    return seen


async def test_three_chats_overdue_together_make_two_popups_and_three_rows(
    start_gateway: StartGateway, sqlite_url: str, listeners: Callable[[], Listener]
) -> None:
    monitor = {"reply_seconds": 0.3, "busy_concurrency": 10, "sweep_seconds": 0.05}
    settings = make_settings(sqlite_url, monitor=monitor, alerts={"merge_overdue_seconds": 1.0})
    gateway = await start_gateway(settings)
    alice, supervisor = listeners(), listeners()
    await alice.connect(gateway.url, "/agent", ALICE)
    await supervisor.connect(gateway.url, "/supervisor", SUPERVISOR)
    await assign(gateway, ["c1", "c2", "c3", "c4"])
    for conv in ("c1", "c2", "c3", "c4"):
        await gateway.post_events(customer_says(f"m-{conv}", conv=conv))
        await asyncio.sleep(0.1)
    (first,) = await overdue_alerts(alice, 1, within=2)
    assert first["message_id"] == "m-c1"
    assert "merged" not in first
    assert len(await overdue_alerts(supervisor, 4, within=2)) == 4
    status, _ = await gateway.post_events(agent_replies("r-c2", "alice", conv="c2"))
    assert status == 202
    started = time.monotonic()
    (second,) = await overdue_alerts(alice, 1, within=2)
    assert second["message_id"] == "m-c3"
    assert second["count"] == 2
    assert [a["message_id"] for a in second["merged"]] == ["m-c3", "m-c4"]
    assert time.monotonic() - started < 1.0
    assert await alice.nothing("alert", wait=0.3)
    async with gateway.http.get(
        f"{gateway.url}/api/v1/alerts", params={"kind": "reply.overdue"}, headers=auth(SUPERVISOR)
    ) as resp:
        rows = (await resp.json())["items"]
    assert sorted(row["message_id"] for row in rows) == ["m-c1", "m-c2", "m-c3", "m-c4"]


async def assign(gateway: Gateway, conversations: list[str]) -> None:
    events = [assigned(c, "alice", f"as-{c}") for c in conversations]
    status, _ = await gateway.post_events({"events": events})
    assert status == 202
