"""The console with many open conversations, in Debian's Chromium: the agent's
workspace, then the supervisors' wall.

A real gateway process (SQLite) holds ``--conversations`` open conversations for
agent alice, each with a customer waiting; a second agent, bob, has none. Headless
Chromium (Playwright) signs in as each and opens ``/console/agent``. Reported, median
of ``--repeat`` page loads:

- first render: navigation start to the list rendered with its data
  (``body[data-ready]``), alice's page against bob's empty one as the baseline;
- timers: how many ``setInterval``/``setTimeout`` the page started (one ticker for all
  countdowns, not one per row);
- the tick: main-thread milliseconds the once-a-second countdown update takes;
- payload sizes: the HTML shell, the scripts and stylesheet, the conversation list;
- the wall with ``--wall-agents`` agents and ``--wall-waiting`` waiting customers: first
  render, and how many agent cards a 2-second poll redraws with nothing new and after
  one new customer (the page is updated in place, not re-rendered whole).

    .venv/bin/python benchmarks/console.py [--conversations 200] [--repeat 5]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
from common import free_port, wait_ready
from playwright.async_api import Browser, async_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.support.browser import FLAGS  # noqa: E402

INTEGRATION, ALICE, BOB = "bench-integration-token", "bench-agent-alice", "bench-agent-bob"
SUPERVISOR = "bench-supervisor-token"
COUNT_TIMERS = """
window.__timers = {interval: 0, timeout: 0};
const si = window.setInterval, st = window.setTimeout;
window.setInterval = (...a) => { window.__timers.interval += 1; return si(...a); };
window.setTimeout = (...a) => { window.__timers.timeout += 1; return st(...a); };
"""


def start(workdir: Path, port: int) -> subprocess.Popen[bytes]:
    config = workdir / "console.toml"
    tokens = [
        (INTEGRATION, "integration", None),
        (ALICE, "agent", "alice"),
        (BOB, "agent", "bob"),
        (SUPERVISOR, "supervisor", None),
    ]
    lines = [f'[storage]\nurl = "sqlite+aiosqlite:///{workdir / "console.db"}"']
    lines.append(
        '[monitor]\nreply_seconds = 3600\nbusy_reply_seconds = 3600\n[logging]\nlevel = "WARNING"'
    )
    for token, role, agent in tokens:
        lines.append(f'[[auth.tokens]]\ntoken = "{token}"\nrole = "{role}"')
        if agent:
            lines.append(f'agent_id = "{agent}"')
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    command = [sys.executable, "-m", "bot", "serve", "--config", str(config), "--port", str(port)]
    return subprocess.Popen(command, cwd=ROOT, stderr=subprocess.DEVNULL)


async def fill(url: str, count: int, agents: int = 1) -> None:
    events: list[dict[str, Any]] = []
    for n in range(count):
        conv = f"c{n:04d}"
        agent = "alice" if agents == 1 else f"agent{n % agents:03d}"
        events.append({"id": f"a{n}", "type": "conversation.assigned", "conversation_id": conv})
        events[-1]["agent_id"] = agent
        sender = {"role": "customer", "id": f"u{n}", "name": f"顾客 {n}"}
        text = f"你好，请问订单 {n} 几天能发货？"
        events.append({"id": f"m{n}", "conversation_id": conv, "sender": sender, "text": text})
    headers = {"Authorization": f"Bearer {INTEGRATION}"}
    async with aiohttp.ClientSession() as http:
        for i in range(0, len(events), 500):
            async with http.post(
                f"{url}/api/v1/events", json={"events": events[i : i + 500]}, headers=headers
            ) as resp:
                assert resp.status == 202, await resp.text()


async def post(url: str, event: dict[str, Any]) -> None:
    headers = {"Authorization": f"Bearer {INTEGRATION}"}
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{url}/api/v1/events", json=event, headers=headers) as resp,
    ):
        assert resp.status == 202, await resp.text()


async def wall(browser: Browser, url: str, repeat: int) -> None:
    """The supervisors' wall: first render, and what a poll redraws when one agent changes."""
    renders = []
    for _ in range(repeat):
        context = await browser.new_context(viewport={"width": 1600, "height": 1000})
        await context.add_init_script(COUNT_TIMERS)
        page = await context.new_page()
        await page.goto(f"{url}/")
        await page.fill("input[name=token]", SUPERVISOR)
        await page.click("button[type=submit]")
        await page.wait_for_selector("body[data-ready=true]")
        renders.append(await page.evaluate("performance.now()"))
        rows = await page.locator("[data-waited]").count()
        cards = await page.locator("article.agent[data-agent-id]").count()
        await context.close()
    context = await browser.new_context(viewport={"width": 1600, "height": 1000})
    page = await context.new_page()
    await page.goto(f"{url}/")
    await page.fill("input[name=token]", SUPERVISOR)
    await page.click("button[type=submit]")
    await page.wait_for_selector("body[data-ready=true]")
    await page.wait_for_timeout(4_500)  # two polls with nothing new
    quiet = await page.evaluate("window.__rwWall.cardsRedrawn.slice(1)")
    sender = {"role": "customer", "id": "u-new", "name": "新顾客"}
    await post(
        url,
        {
            "id": "a-new",
            "type": "conversation.assigned",
            "conversation_id": "c-new",
            "agent_id": "agent007",
        },
    )
    await post(url, {"id": "m-new", "conversation_id": "c-new", "sender": sender, "text": "在吗"})
    await page.wait_for_timeout(4_500)
    stats = await page.evaluate("window.__rwWall")
    ticks = await page.evaluate("window.__rwTicks")
    await context.close()
    refresh = statistics.median(stats["refreshMs"][1:])
    print(f"wall: {cards} agent cards, {rows} waiting customers, {repeat} loads")
    print(f"  first render median {statistics.median(renders):6.1f} ms (target <= 1000 ms)")
    print(
        f"  poll redraw: cards redrawn per poll with nothing new {quiet}, after one new"
        f" customer {stats['cardsRedrawn'][len(quiet) + 1 :]}; DOM update median {refresh:.2f} ms"
    )
    tick = statistics.median(ticks["busyMs"][1:])
    print(f"  tick (live seconds of {rows} rows) median {tick:.2f} ms")


async def load(browser: Browser, url: str, token: str) -> dict[str, Any]:
    context = await browser.new_context(viewport={"width": 1280, "height": 800})
    await context.add_init_script(COUNT_TIMERS)
    page = await context.new_page()
    sizes: dict[str, int] = {}

    async def record(response: Any) -> None:
        if response.url.startswith(url) and not 300 <= response.status < 400:
            sizes[response.url.removeprefix(url).split("?")[0]] = len(await response.body())

    page.on("response", lambda r: asyncio.ensure_future(record(r)))
    await page.goto(f"{url}/")
    await page.fill("input[name=token]", token)
    await page.click("button[type=submit]")
    await page.wait_for_selector("body[data-ready=true]")
    render = await page.evaluate("performance.now()")  # ms since this navigation began
    rows = await page.locator("[data-conversation-id]").count()
    await page.wait_for_timeout(5_500)
    ticks = await page.evaluate("window.__rwTicks")
    timers = await page.evaluate("window.__timers")
    await context.close()
    return {"render": render, "rows": rows, "ticks": ticks, "timers": timers, "sizes": sizes}


def report(name: str, runs: list[dict[str, Any]], baseline: float | None) -> float:
    render = statistics.median(r["render"] for r in runs)
    busy = [ms for r in runs for ms in r["ticks"]["busyMs"][1:]]
    ratio = f"{render / baseline:5.2f}x the empty page" if baseline else "baseline"
    print(f"  {name}: {runs[0]['rows']} rows, first render median {render:6.1f} ms ({ratio})")
    print(
        f"     tick main-thread time median {statistics.median(busy):.2f} ms,"
        f" max {max(busy):.2f} ms over {len(busy)} ticks; timers started: {runs[0]['timers']}"
    )
    return render


@contextlib.asynccontextmanager
async def serving(conversations: int, agents: int = 1) -> AsyncIterator[tuple[str, Browser]]:
    """A gateway process holding ``conversations`` waiting customers, and a Chromium."""
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        server = start(Path(tmp), port)
        try:
            await wait_ready(url)
            await fill(url, conversations, agents=agents)
            async with async_playwright() as playwright:
                browser = await playwright.chromium.launch(
                    executable_path="/usr/bin/chromium", args=FLAGS
                )
                yield url, browser
                await browser.close()
        finally:
            server.terminate()
            server.wait(10)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--conversations", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--wall-agents", type=int, default=100)
    parser.add_argument("--wall-waiting", type=int, default=1000)
    args = parser.parse_args()
    async with serving(args.conversations) as (url, browser):
        empty = [await load(browser, url, BOB) for _ in range(args.repeat)]
        full = [await load(browser, url, ALICE) for _ in range(args.repeat)]
    print(f"console: {args.conversations} waiting conversations, {args.repeat} loads each")
    baseline = report("bob (no conversations)", empty, None)
    render = report(f"alice ({args.conversations} waiting)", full, baseline)
    sizes = full[0]["sizes"]
    scripts = sum(v for k, v in sizes.items() if k.endswith(".js"))
    print(
        f"  payload: HTML shell {sizes.get('/console/agent', 0)} B, scripts {scripts} B "
        f"({sum(1 for k in sizes if k.endswith('.js'))} files), stylesheet "
        f"{sizes.get('/static/console.css', 0)} B, conversation list "
        f"{sizes.get('/api/v1/conversations', 0)} B"
    )
    verdict = "met" if render <= 1000 else "NOT met"
    print(f"  first render with {args.conversations} conversations: target <= 1000 ms: {verdict}")
    async with serving(args.wall_waiting, agents=args.wall_agents) as (url, browser):
        await wall(browser, url, args.repeat)


if __name__ == "__main__":
    asyncio.run(main())
