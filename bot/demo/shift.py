"""The simulated shift ``replywatch demo`` plays (see :mod:`bot.demo`).

Times are demo seconds, multiplied by the pace. Every agent signs in to their own
account (DESIGN.md section 11) and comes online; customers' chats name the agent's team
and routing gives them out. With the demo's thresholds (reply 4 s, warning at 3 s, busy
deadline 10 s from the 4th chat, unanswered 15 s, offline 1.5 s after the last console):

- Alice answers her customer in ~1.5 s with the suggested script;
- Bob answers after 6 s (warning, overdue, then slow) and says 不行 (forbidden phrase);
- Carol has four chats at once: the fourth gets the busy deadline, and her ~6 s
  answer there is on time;
- Dave forgets three chats (Erin, his teammate, is on a break: away, so routing gives
  them all to him): warnings, one overdue popup and then the other two merged into one;
  Erin is back at 6 s; after 8 s the first chat is escalated to her, and she answers
  it; the other two stay with Dave and get unanswered alerts after 15 s. Then Dave's
  laptop drops off: once he is offline, his two waiting customers are handed over to
  Erin, who answers them.
- Every customer who opens a chat gets the automatic welcome line.
"""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

import aiohttp
from aiohttp import web

from bot.demo import month, webchat
from bot.demo.consoles import (
    ADMIN,
    AGENTS,
    GROUPS,
    INTEGRATION,
    PASSWORD,
    SUPERVISOR,
    Console,
    Screen,
    demo_settings,
    expect_status,
)
from bot.settings import Settings

CHANNEL = "demo"


class Shift:
    """The running demo: the service's URL, an HTTP client and the consoles."""

    def __init__(self, url: str, http: aiohttp.ClientSession, screen: Screen) -> None:
        self.url, self.http, self.screen = url, http, screen
        self.agents = {agent: Console(agent, screen) for agent in AGENTS}
        self.supervisor = Console("SUPERVISOR", screen)
        self.asked_at: dict[str, float] = {}

    async def connect(self) -> None:
        """The admin gives each roster agent a password; each signs in with it and opens
        their console (and so comes online); Erin then says she is on a break."""
        await self.supervisor.connect(self.url, "/supervisor", SUPERVISOR)
        admin = {"Authorization": f"Bearer {ADMIN}"}
        for agent, console in self.agents.items():
            url = f"{self.url}/api/v1/users/{agent}"
            async with self.http.patch(url, json={"password": PASSWORD}, headers=admin) as r:
                await expect_status(r, 200)
            body = {"username": agent, "password": PASSWORD}
            async with self.http.post(f"{self.url}/api/v1/session", json=body) as r:
                token = (await expect_status(r, 200))["token"]
            await console.connect(self.url, "/agent", token)
            if agent == "erin":
                await console.client.call("presence", {"status": "away"}, namespace="/agent")
                self.screen.show("erin", "signs in, and is on a break (away: no new chats)")

    async def disconnect(self) -> None:
        """Close every console."""
        for console in (self.supervisor, *self.agents.values()):
            if console.client.connected:
                await console.client.disconnect()

    async def post(self, event: dict[str, Any]) -> None:
        """Send one event as the IM channel would."""
        headers = {"Authorization": f"Bearer {INTEGRATION}"}
        body = {"channel": CHANNEL, **event}
        async with self.http.post(f"{self.url}/api/v1/events", json=body, headers=headers) as r:
            if r.status != 202:
                raise RuntimeError(f"the demo service refused an event: {await r.text()}")

    async def customer(self, conv: str, agent: str, name: str, text: str, gloss: str) -> str:
        """A customer writes in a chat of ``agent``'s team, which routing gives to them;
        the message id comes back."""
        message_id = f"{conv}-q"
        await self.post(
            {"id": message_id, "conversation_id": conv, "text": text, "group": GROUPS[agent]}
            | {"sender": {"role": "customer", "id": f"cust-{conv}", "name": name}}
        )
        self.asked_at[message_id] = time.monotonic()
        self.screen.show(name, f"-> {agent} ({conv}): {text}  ({gloss})")
        return message_id

    async def answer(
        self, agent: str, conv: str, message_id: str, own: str | None = None, channel: str = CHANNEL
    ) -> None:
        """``agent`` replies from the console: with the suggested script, or ``own`` words."""
        console = self.agents[agent]
        top = await console.suggestion_for(message_id, within=2.0)
        body: dict[str, Any] = {"conversation_id": conv, "channel": channel}
        if own is None and top is not None:
            body |= {"text": top["text"], "script_id": top["script_id"]}
            feedback = {"message_id": message_id, "script_id": top["script_id"], "action": "used"}
            await console.client.call("suggestion.feedback", feedback, namespace="/agent")
        else:
            body["text"] = own or "您好，我看一下哦"
        ack = await console.client.call("reply", body, namespace="/agent")
        if "error" in ack:
            raise RuntimeError(f"the demo service refused {agent}'s reply: {ack}")
        how = "with the suggested script" if "script_id" in body else f"typing: {body['text']}"
        after = self.screen.since(self.asked_at[message_id])
        self.screen.show(agent, f"replies on {conv} after {after:.1f}s {how}")

    async def summary(self) -> Counter[str]:
        """Alert counts by kind, read back from ``GET /api/v1/alerts``."""
        headers = {"Authorization": f"Bearer {SUPERVISOR}"}
        counts: Counter[str] = Counter()
        params = {"limit": "200"}
        async with self.http.get(f"{self.url}/api/v1/alerts", params=params, headers=headers) as r:
            counts.update(item["kind"] for item in (await r.json())["items"])
        async with self.http.get(f"{self.url}/api/v1/flags", headers=headers) as r:
            counts["QA flags"] = len((await r.json())["items"])
        return counts

    async def kpis(self) -> list[dict[str, Any]]:
        """Today's figures per agent, from ``GET /api/v1/kpis``."""
        headers = {"Authorization": f"Bearer {SUPERVISOR}"}
        async with self.http.get(f"{self.url}/api/v1/kpis", headers=headers) as r:
            agents: list[dict[str, Any]] = (await r.json())["agents"]
        return agents


async def alice(shift: Shift) -> None:
    """Fast, and uses the suggestions."""
    await shift.screen.wait(0.5)
    asked = await shift.customer(
        "wx-1001", "alice", "王女士", "亲 下单后几天能发出去呀", "when do you ship?"
    )
    await shift.screen.wait(1.5)
    await shift.answer("alice", "wx-1001", asked)


async def bob(shift: Shift) -> None:
    """Slow, and answers with a flat refusal."""
    await shift.screen.wait(1.0)
    asked = await shift.customer("wx-1002", "bob", "李先生", "这个能再便宜一点不", "any discount?")
    await shift.screen.wait(6.0)
    await shift.answer("bob", "wx-1002", asked, own="这个价格不行哦，已经是最低价了")


async def carol(shift: Shift) -> None:
    """Busy with four chats: the fourth has the busy deadline, and she makes it."""
    chats = [
        ("wx-1003", "赵女士", "我地址填错了 能改吗", "wrong address"),
        ("wx-1004", "钱先生", "有没有优惠券可以用", "any coupons?"),
        ("wx-1005", "孙女士", "这个是正品吧", "is it genuine?"),
        ("wx-1006", "周先生", "会不会起球啊", "does it pill?"),
    ]
    await shift.screen.wait(2.0)
    asked = []
    for conv, name, text, gloss in chats:
        asked.append(await shift.customer(conv, "carol", name, text, gloss))
        await shift.screen.wait(0.2)
    busy = 10 * shift.screen.pace
    shift.screen.show("carol", f"has 4 chats now: wx-1006 gets the busy deadline ({busy:g}s)")
    for (conv, *_), message_id in zip(chats[:3], asked, strict=False):
        await shift.answer("carol", conv, message_id)
        await shift.screen.wait(0.5)
    await shift.screen.wait(4.0)
    await shift.answer("carol", chats[3][0], asked[3])


async def erin(shift: Shift) -> None:
    """Back from her break at 6 s; takes over a chat when one is escalated to her, and
    Dave's waiting customers when he drops off."""
    console = shift.agents["erin"]
    await shift.screen.wait(6.0)
    await console.client.call("presence", {"status": "online"}, namespace="/agent")
    shift.screen.show("erin", "is back from her break: online")
    await console.took_over.wait()
    conv = console.escalated[0]
    await shift.screen.wait(0.8)
    await shift.answer("erin", conv, f"{conv}-q")
    await shift.supervisor.someone_offline.wait()  # Dave: his customers wait for a place
    for _ in range(3):  # she finishes a chat; a waiting one is handed over to her
        await shift.screen.wait(0.5)
        shift.screen.show("erin", f"finishes {conv}: the chat closes, she has room again")
        console.handed_over.clear()
        close = {"id": f"close-{conv}", "type": "conversation.closed", "conversation_id": conv}
        await shift.post(close)
        if not console.handed:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(console.handed_over.wait(), 3.0 * shift.screen.pace)
        if not console.handed:
            return
        conv = console.handed.pop(0)
        await shift.screen.wait(0.5)
        await shift.answer("erin", conv, f"{conv}-q")


async def dave(shift: Shift) -> None:
    """Forgets his chats."""
    await shift.screen.wait(3.0)
    forgotten = [
        ("wx-1007", "吴女士", "退货要寄到哪里", "return address?"),
        ("wx-1008", "郑先生", "发到广州要几天", "delivery time?"),
        ("wx-1009", "冯女士", "你们家用什么快递", "which courier?"),
    ]
    for conv, name, text, gloss in forgotten:
        await shift.customer(conv, "dave", name, text, gloss)
        await shift.screen.wait(0.3)
    shift.screen.show("dave", "has gone for a coffee...")
    await shift.screen.wait(16.0)  # after his unanswered alerts (18-18.6 s)
    shift.screen.show("dave", "his laptop drops off the network")
    await shift.agents["dave"].client.disconnect()


def banner(screen: Screen, url: str) -> None:
    """What the newcomer is about to see."""
    p = screen.pace
    lines = [
        f"ReplyWatch demo: the real service at {url} (SQLite in a temp folder, bundled library)",
        f"rules, scaled for the demo: reply within {4 * p:g}s with fewer than 4 chats,"
        f" {10 * p:g}s when busy; a warning at {3 * p:g}s;",
        f"unanswered after {15 * p:g}s; an agent's overdue popups within {3 * p:g}s"
        " are merged into one.",
        "agents sign in to their accounts; routing gives each team's chats to its online agents:",
        "alice (fast, uses suggestions), bob (slow), carol (busy), dave (forgets chats),",
        f"erin (dave's teammate: takes over a chat nobody answered for {8 * p:g}s, and his"
        " waiting customers when he drops off);",
        "customers are greeted by the automatic welcome line; at the end, chats close,",
        "customers answer the survey, QA reviews, and the month's assessment is printed;",
        "last, a customer writes from the web chat page (/chat) and is answered live",
        "",
    ]
    for line in lines:
        print(line, file=screen.out, flush=True)


def print_summary(screen: Screen, counts: Counter[str]) -> None:
    """The shift's alerts and QA queue, as stored."""
    print("\nstored alerts (GET /api/v1/alerts) and QA queue (GET /api/v1/flags):", file=screen.out)
    for kind in (
        "reply.warning",
        "reply.overdue",
        "reply.slow",
        "message.unanswered",
        "reply.forbidden_phrase",
        "conversation.escalated",
        "QA flags",
    ):
        print(f"  {kind:<24}{counts[kind]:>3}", file=screen.out)


def print_kpis(screen: Screen, agents: list[dict[str, Any]]) -> None:
    """Today's KPIs per agent (SLA against the demo's deadlines; score bands are the
    manuals' own, in real seconds)."""
    print("\ntoday's KPIs (GET /api/v1/kpis):", file=screen.out)
    print("  agent  customers  replied  avg reply  SLA   score", file=screen.out)
    for item in agents:
        avg = item["response_seconds_avg"]
        sla = item["sla_compliance"]
        total = item["scores"]["total"]
        print(
            f"  {item['agent_id']:<6}{item['customers_received']:>10}{item['customers_replied']:>9}"
            f"{'-' if avg is None else f'{avg:.1f}s':>11}{'-' if sla is None else f'{sla:.0%}':>6}"
            f"{'-' if total is None else f'{total:.0f}':>8}",
            file=screen.out,
        )


async def run_demo(
    create_app: Callable[[Settings], web.Application],
    pace: float,
    out: TextIO,
    stay: bool = False,
) -> Counter[str]:
    """Start the service (``create_app``, given by the CLI that wires the app), play the
    shift at ``pace`` (1 = as described), print it all; the stored alert counts come back
    (with ``stay``, only once Ctrl-C ends the service, left running for the newcomer)."""
    with tempfile.TemporaryDirectory(prefix="replywatch-demo-") as tmp:
        runner = web.AppRunner(create_app(demo_settings(Path(tmp), pace)))
        await runner.setup()
        try:
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            url = f"http://127.0.0.1:{runner.addresses[0][1]}"
            screen = Screen(out, pace)
            banner(screen, url)
            async with aiohttp.ClientSession() as http:
                shift = Shift(url, http, screen)
                try:
                    await shift.connect()
                    await asyncio.gather(
                        alice(shift), bob(shift), carol(shift), dave(shift), erin(shift)
                    )
                    # Dave drops off at 19.9 s; Erin answers his chats by about 23 s.
                    await asyncio.sleep(max(0.0, 24 * pace - (time.monotonic() - screen.started)))
                    counts = await shift.summary()
                    agents = await shift.kpis()
                    print_summary(screen, counts)
                    print_kpis(screen, agents)
                    print("\nthe month's end (DESIGN.md section 12):", file=screen.out)
                    await month.close_and_rate(shift)
                    await month.review(shift)
                    month.print_assessment(shift, await month.assessment(shift))
                    await webchat.visit(shift)
                    if stay:
                        webchat.print_stay(shift)
                        await webchat.until_interrupted()
                finally:
                    await shift.disconnect()
            print("run `replywatch serve` to start the real thing (see README).", file=out)
            return counts
        finally:
            await runner.cleanup()
