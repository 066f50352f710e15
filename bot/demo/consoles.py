"""``replywatch demo``: a simulated shift that shows every part of ReplyWatch in a minute.

The real service starts on a temporary SQLite file with the bundled library and
thresholds scaled down (4 s to reply, 10 s when busy, 15 s unanswered). Customers
post over the HTTP API and are greeted by the automatic welcome line; five agents
work from real Socket.IO consoles: Alice answers fast from the suggestions, Bob is
slow and says 不行, Carol is busy with four chats, Dave forgets his, and Erin, the
only one marked online, takes over one of Dave's chats when it is escalated.
Everything is printed as the consoles receive it.
"""

from __future__ import annotations

import asyncio
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import socketio

from bot.settings import Settings, settings_from

INTEGRATION, SUPERVISOR = "demo-integration-token", "demo-supervisor-token"
ADMIN, QA = "demo-admin-token", "demo-qa-token"
#: The script sent when a chat closes (``[csat]``).
SURVEY_SCRIPT = "zh-survey"
AGENTS = ("alice", "bob", "carol", "dave", "erin")
#: Each agent's team: customers' chats name one, and routing gives them to its agents.
GROUPS = {
    "alice": "presales",
    "bob": "pricing",
    "carol": "aftersales",
    "dave": "logistics",
    "erin": "logistics",
}
#: The password the demo gives every agent's account.
PASSWORD = "demo shift password"


def demo_settings(workdir: Path, pace: float) -> Settings:
    """The demo's service: a fresh SQLite file, demo tokens, thresholds times ``pace``."""
    tokens = [{"token": INTEGRATION, "role": "integration"}]
    tokens += [{"token": SUPERVISOR, "role": "supervisor"}, {"token": ADMIN, "role": "admin"}]
    tokens += [{"token": QA, "role": "qa", "name": "qa-lin"}]
    monitor = {"reply_seconds": 4, "busy_reply_seconds": 10, "unanswered_seconds": 15}
    return settings_from(
        {
            "storage": {"url": f"sqlite+aiosqlite:///{workdir / 'demo.db'}"},
            "monitor": {k: v * pace for k, v in monitor.items()}
            | {"busy_concurrency": 4, "sweep_seconds": 0.1 * pace},
            "alerts": {"merge_overdue_seconds": 3 * pace},
            "escalation": {"reassign_after_seconds": 8 * pace},
            "automation": {"welcome_script": "zh-welcome"},
            "csat": {"survey_script": SURVEY_SCRIPT},
            # A month of one shift: the satisfaction merit counts from a single rating.
            "assessment": {"satisfaction_min_responses": 1},
            "agents": [
                {"id": a, "name": a.capitalize(), "group": GROUPS[a]}
                | ({"max_concurrency": 1} if a == "erin" else {})
                for a in AGENTS
            ],
            "auth": {"tokens": tokens},
            "routing": {"mode": "least_loaded"},
            "presence": {"offline_after_seconds": 1.5 * pace},
            "logging": {"level": "WARNING"},
        }
    )


async def expect_status(response: Any, status: int) -> dict[str, Any]:
    """The JSON answer of an ``aiohttp`` response, which must have ``status``."""
    if response.status != status:
        raise RuntimeError(f"the demo service answered {response.status}: {await response.text()}")
    answer: dict[str, Any] = await response.json()
    return answer


def display_width(text: str) -> int:
    """Terminal columns ``text`` takes (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


class Screen:
    """Prints what happens, stamped with seconds since the shift began."""

    def __init__(self, out: TextIO, pace: float) -> None:
        self.out, self.pace = out, pace
        self.started = time.monotonic()

    def show(self, who: str, text: str) -> None:
        """One line: ``[  3.1s] who        text``."""
        elapsed = time.monotonic() - self.started
        pad = " " * max(1, 12 - display_width(who))
        print(f"[{elapsed:5.1f}s] {who}{pad}{text}", file=self.out, flush=True)

    def since(self, started: float) -> float:
        """Seconds since ``started`` (a ``time.monotonic()`` reading)."""
        return time.monotonic() - started

    async def wait(self, seconds: float) -> None:
        """Sleep ``seconds`` of demo time (scaled by the pace)."""
        await asyncio.sleep(seconds * self.pace)


def describe_alert(alert: dict[str, Any]) -> str:
    """An alert as one readable line."""
    kind, conv = alert["kind"], alert["conversation_id"]
    if "merged" in alert:
        convs = ", ".join(a["conversation_id"] for a in alert["merged"])
        return f"ALERT {kind} x{alert['count']} ({convs}) merged into one popup"
    if kind == "reply.slow":
        return (
            f"ALERT {kind} {alert['agent_id']} on {conv}: answered after "
            f"{alert['response_seconds']:.1f}s, deadline {alert['deadline_seconds']:g}s -> QA queue"
        )
    if kind == "reply.forbidden_phrase":
        return f"ALERT {kind} {alert['agent_id']} on {conv} -> QA queue"
    return (
        f"ALERT {kind} {alert['agent_id']} on {conv}: waiting {alert['waited_seconds']:.1f}s, "
        f"deadline {alert['deadline_seconds']:g}s"
    )


@dataclass
class Console:
    """A Socket.IO console (an agent's, or the supervisors' wall) that prints what it gets."""

    name: str
    screen: Screen
    client: socketio.AsyncClient = field(
        default_factory=lambda: socketio.AsyncClient(reconnection=False)
    )
    suggestions: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    escalated: list[str] = field(default_factory=list)
    took_over: asyncio.Event = field(default_factory=asyncio.Event)
    handed: list[str] = field(default_factory=list)
    handed_over: asyncio.Event = field(default_factory=asyncio.Event)
    someone_offline: asyncio.Event = field(default_factory=asyncio.Event)
    token: str = ""

    async def connect(self, url: str, namespace: str, token: str) -> None:
        """Connect and print everything the namespace pushes."""
        self.token = token
        self.client.on("suggestions", self._suggestions, namespace=namespace)
        self.client.on("alert", self._alert, namespace=namespace)
        self.client.on("alert.resolved", self._resolved, namespace=namespace)
        self.client.on("message", self._message, namespace=namespace)
        self.client.on("conversation.assigned", self._assigned, namespace=namespace)
        self.client.on("agent.status", self._status, namespace=namespace)
        await self.client.connect(
            url, namespaces=[namespace], auth={"token": token}, transports=["websocket"]
        )

    async def _suggestions(self, data: dict[str, Any]) -> None:
        self.suggestions[data["message_id"]] = data["items"]
        self.arrived.set()
        if data["items"]:
            top = data["items"][0]
            text = f"{top['text'][:28]}..." if len(top["text"]) > 28 else top["text"]
            self.screen.show(self.name, f"suggested [{top['title']} {top['score']:.0f}] {text}")
        else:
            self.screen.show(self.name, "no suggestion fits this question")

    async def _alert(self, data: dict[str, Any]) -> None:
        self.screen.show(self.name, describe_alert(data))

    async def _message(self, data: dict[str, Any]) -> None:
        if data["sender"]["role"] == "bot":
            text = data["text"]
            shown = f"{text[:20]}..." if len(text) > 20 else text
            what = "survey" if data.get("script_id") == SURVEY_SCRIPT else "welcome line"
            self.screen.show("(auto)", f"{what} on {data['conversation_id']}: {shown}")

    async def _status(self, data: dict[str, Any]) -> None:
        if self.name != "SUPERVISOR" or data["reason"] == "chosen":
            return
        self.screen.show(self.name, f"{data['agent_id']} is {data['status']} ({data['reason']})")
        if data["status"] == "offline":
            self.someone_offline.set()

    async def _assigned(self, data: dict[str, Any]) -> None:
        if data.get("reason") == "handover" and data["agent_id"] == self.name:
            self.handed.append(data["conversation_id"])
            self.handed_over.set()
            self.screen.show(
                self.name,
                f"takes over {data['conversation_id']} from {data['previous_agent_id']}"
                " (handover: they went offline with a customer waiting)",
            )
        if data.get("reason") == "escalation" and data["agent_id"] == self.name:
            self.escalated.append(data["conversation_id"])
            self.took_over.set()
            self.screen.show(
                self.name,
                f"takes over {data['conversation_id']} from {data['previous_agent_id']}"
                " (escalated: nobody answered)",
            )

    async def _resolved(self, data: dict[str, Any]) -> None:
        kinds = ", ".join(data["kinds"])
        self.screen.show(self.name, f"resolved {kinds} on {data['conversation_id']}")

    async def suggestion_for(self, message_id: str, within: float) -> dict[str, Any] | None:
        """The top suggestion pushed for a customer message, once it has arrived."""
        deadline = time.monotonic() + within
        while message_id not in self.suggestions and time.monotonic() < deadline:
            self.arrived.clear()
            try:
                await asyncio.wait_for(self.arrived.wait(), deadline - time.monotonic())
            except TimeoutError:
                break
        items = self.suggestions.get(message_id) or []
        return items[0] if items else None
