"""The agent's workspace in a real browser: a customer writes, the countdown ticks,
alice answers from a suggestion, the clock stops; overdue chats turn red and the
banner takes her to the longest waiting; she sees only her own chats; a flat refusal
in a draft warns her first; customer text stays text."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable
from pathlib import Path

import aiohttp
from playwright.async_api import Browser, Page, expect

from tests.support.browser import page_errors, ready, screenshot, sign_in
from tests.support.events import assigned
from tests.support.gateway import Gateway, StartGateway
from tests.support.processes import GatewayProcess, write_config
from tests.support.shop import customer_writes, open_shop
from tests.support.tokens import ALICE, BOB, SUPERVISOR, auth

SHIPPING = "你好，请问几天能发货？"


async def countdown(page: Page, conv: str) -> int:
    text = await page.locator(f"[data-conversation-id='{conv}'] [data-countdown]").inner_text()
    return int(text)


async def test_alice_answers_from_a_suggestion_and_the_clock_stops(
    start_gateway: StartGateway, sqlite_url: str, browser: Browser
) -> None:
    gateway = await open_shop(start_gateway, sqlite_url)
    context, page = await sign_in(browser, gateway, ALICE)
    await page.clock.install(time=time.time())
    await page.reload()
    await ready(page)
    await customer_writes(gateway, "c1", SHIPPING)
    row = page.locator("[data-conversation-id='c1']")
    await expect(row.locator("[data-countdown]")).to_be_visible()
    await expect(row.locator(".tier")).to_contain_text("20 s")
    first = await countdown(page, "c1")
    assert 17 <= first <= 21  # Playwright's installed clock may trail the server by ~1 s
    await page.clock.run_for(5_000)  # one timer ticks every countdown once a second
    # Shown values change on the 1 Hz tick, so they trail the clock by up to a second.
    assert first - 6 <= await countdown(page, "c1") <= first - 4

    await row.click()
    suggestion = page.locator(".suggestions .suggestion").first
    await expect(suggestion).to_contain_text("发货")
    await screenshot(page, "agent-workspace")
    await suggestion.click()
    reply = page.locator("textarea[name=reply]")
    await expect(reply).to_have_value(re.compile("48 小时内发货"))
    await reply.press("End")
    await reply.type(" 李先生请放心")
    await reply.press("Enter")
    await expect(page.locator(".transcript .message.agent")).to_contain_text("李先生请放心")
    await expect(row.locator("[data-countdown]")).to_have_count(0)  # the clock stopped

    transcript = await gateway.transcript("c1")
    [turn] = transcript["turns"]
    assert turn["end_reason"] == "reply"
    assert turn["replied_by"] == "alice"
    assert transcript["messages"][-1]["text"].endswith("李先生请放心")
    async with gateway.http.get(f"{gateway.url}/api/v1/kpis", headers=auth(SUPERVISOR)) as r:
        [script] = [s for s in (await r.json())["scripts"] if s["edited"]]
    assert script["edited"] == 1  # the feedback went by itself
    assert page_errors(page) == []
    await context.close()


async def test_an_overdue_chat_turns_red_and_the_banner_jumps_to_it(
    start_gateway: StartGateway, sqlite_url: str, browser: Browser
) -> None:
    gateway = await open_shop(start_gateway, sqlite_url, reply_seconds=1.0, warn_ratio=0.5)
    await gateway.assign("c2", "alice")
    context, page = await sign_in(browser, gateway, ALICE)
    await ready(page)
    await customer_writes(gateway, "c1", "在吗", name="first")
    await customer_writes(gateway, "c2", "在吗", name="second")
    late = page.locator("[data-conversation-id='c1'] [data-countdown]")
    await expect(late).to_have_attribute("data-state", "late", timeout=5_000)
    assert await countdown(page, "c1") <= 0
    await expect(page.locator(".toast.late").first).to_be_visible()  # the live overdue alert
    banner = page.locator("#banner")
    await expect(banner).to_contain_text("2 customer(s) waiting past the deadline")
    await screenshot(page, "agent-overdue")
    await banner.get_by_role("button").click()
    await expect(page.locator("[data-conversation-id='c1']")).to_have_class(re.compile("selected"))
    await expect(page.locator("#chat-header")).to_contain_text("first")
    await context.close()


async def test_two_agents_see_only_their_own_chats(
    start_gateway: StartGateway, sqlite_url: str, browser: Browser
) -> None:
    gateway = await open_shop(start_gateway, sqlite_url)
    status, _ = await gateway.post_events(assigned("c9", "bob"))
    assert status == 202
    await customer_writes(gateway, "c1", "alice 的顾客")
    await customer_writes(gateway, "c9", "bob 的顾客")
    alice_context, alice = await sign_in(browser, gateway, ALICE)
    bob_context, bob = await sign_in(browser, gateway, BOB)
    await ready(alice)
    await ready(bob)
    await expect(alice.locator("[data-conversation-id]")).to_have_count(1)
    await expect(alice.locator("[data-conversation-id='c1']")).to_be_visible()
    await expect(bob.locator("[data-conversation-id]")).to_have_count(1)
    await expect(bob.locator("[data-conversation-id='c9']")).to_be_visible()
    answer = await alice.evaluate("fetch('/api/v1/conversations/c9').then(r => r.status)")
    assert answer == 403
    await alice_context.close()
    await bob_context.close()


async def test_a_flat_refusal_in_a_draft_warns_before_sending(
    start_gateway: StartGateway, sqlite_url: str, browser: Browser
) -> None:
    gateway = await open_shop(start_gateway, sqlite_url)
    await customer_writes(gateway, "c1", "能便宜点吗")
    context, page = await sign_in(browser, gateway, ALICE)
    await ready(page)
    await page.locator("[data-conversation-id='c1']").click()
    reply = page.locator("textarea[name=reply]")
    await reply.fill("這個不可以")  # traditional characters, normalised like QA's check
    await reply.press("Enter")
    dialog = page.locator("#forbidden-dialog")
    await expect(dialog).to_be_visible()
    await expect(dialog).to_contain_text("不可以")
    await screenshot(page, "agent-forbidden-phrase")
    await dialog.locator("[data-action=edit]").click()
    await expect(reply).to_have_value("這個不可以")  # nothing was sent
    assert len((await gateway.transcript("c1"))["messages"]) == 1
    await reply.fill("这个价格已经是最低了，我帮您申请一张优惠券")
    await reply.press("Enter")
    await expect(page.locator(".transcript .message.agent")).to_have_count(1)
    await expect(dialog).to_be_hidden()
    await context.close()


async def test_an_xss_payload_in_a_customer_message_shows_as_text(
    start_gateway: StartGateway, sqlite_url: str, browser: Browser
) -> None:
    gateway = await open_shop(start_gateway, sqlite_url)
    payload = "<img src=x onerror=alert(1)><script>alert(2)</script>"
    await customer_writes(gateway, "c1", payload, name="<b onmouseover=alert(3)>x</b>")
    context, page = await sign_in(browser, gateway, ALICE)
    await ready(page)
    await page.locator("[data-conversation-id='c1']").click()
    await expect(page.locator(".transcript .message.customer .text")).to_have_text(payload)
    await expect(page.locator("[data-conversation-id='c1'] .name")).to_have_text(
        "<b onmouseover=alert(3)>x</b>"
    )
    assert await page.locator("img[src=x], .transcript script, b[onmouseover]").count() == 0
    await page.locator("[data-conversation-id='c1'] .name").hover()
    assert page_errors(page) == []  # no alert() ran
    await context.close()


async def test_the_library_search_and_the_keyboard(
    start_gateway: StartGateway, sqlite_url: str, browser: Browser
) -> None:
    gateway = await open_shop(start_gateway, sqlite_url)
    await gateway.assign("c2", "alice")
    await customer_writes(gateway, "c1", SHIPPING)
    await customer_writes(gateway, "c2", "还在吗")
    context, page = await sign_in(browser, gateway, ALICE)
    await ready(page)
    await page.keyboard.press("Alt+ArrowDown")
    await expect(page.locator("[data-conversation-id='c1']")).to_have_class(re.compile("selected"))
    await page.keyboard.press("Alt+ArrowDown")
    await expect(page.locator("[data-conversation-id='c2']")).to_have_class(re.compile("selected"))
    await page.keyboard.press("Alt+ArrowUp")
    await expect(page.locator(".suggestions .suggestion").first).to_contain_text("发货")
    await page.keyboard.press("Alt+1")
    reply = page.locator("textarea[name=reply]")
    await expect(reply).to_have_value(re.compile("发货"))
    await expect(reply).to_be_focused()
    await reply.fill("")
    await reply.press("/")
    search = page.locator("#library-dialog input")
    await expect(search).to_be_focused()
    await search.fill("退款")
    await expect(page.locator("#library-results li").first).to_contain_text("退款")
    await screenshot(page, "agent-library-search")
    await search.press("Enter")
    await expect(reply).to_have_value(re.compile("退款"))
    await context.close()


async def test_a_reload_keeps_the_open_chat_and_chinese_pages_speak_chinese(
    start_gateway: StartGateway, sqlite_url: str, browser: Browser
) -> None:
    gateway = await open_shop(start_gateway, sqlite_url)
    await customer_writes(gateway, "c1", SHIPPING)
    context, page = await sign_in(browser, gateway, ALICE, locale="zh-CN")
    await ready(page)
    await expect(page.locator("#list-title")).to_contain_text("会话")
    await page.locator("[data-conversation-id='c1']").click()
    await expect(page.locator(".transcript .message")).to_have_count(1)
    await page.reload()
    await ready(page)
    await expect(page.locator("[data-conversation-id='c1']")).to_have_class(re.compile("selected"))
    await expect(page.locator(".transcript .message.customer")).to_have_text(re.compile("发货"))
    await expect(page.locator(".tier").first).to_contain_text("20 秒")
    await screenshot(page, "agent-workspace-zh")
    await context.close()


async def test_a_server_restart_loses_nothing(
    tmp_path: Path,
    sqlite_url: str,
    browser: Browser,
    gateway_processes: Callable[..., GatewayProcess],
) -> None:
    config = write_config(
        tmp_path / "gateway.toml", sqlite_url, monitor={"reply_seconds": 3.0, "sweep_seconds": 0.1}
    )
    first = gateway_processes(config)
    await first.start()
    port = first.port
    async with aiohttp.ClientSession() as http:
        gateway = Gateway.remote(first.url, http)
        await gateway.assign("c1", "alice")
        await customer_writes(gateway, "c1", SHIPPING)
        context, page = await sign_in(browser, gateway, ALICE)
        await ready(page)
        await page.locator("[data-conversation-id='c1']").click()
        await expect(page.locator(".transcript .message")).to_have_count(1)

        first.kill()  # a crash: no goodbye to the browser
        await expect(page.locator("#connection")).to_have_attribute("data-state", "offline")
        await asyncio.sleep(3.5)  # c1's deadline passes while nobody serves
        second = gateway_processes(config, port=port)
        await second.start()  # its first sweep raises c1's overdue alert before the page is back

        await expect(page.locator("#connection")).to_have_attribute(
            "data-state", "online", timeout=15_000
        )
        await expect(
            page.locator(".toast").filter(has_text="While you were offline")
        ).to_be_visible()
        await expect(
            page.locator("[data-conversation-id='c1'] [data-countdown]")
        ).to_have_attribute("data-state", "late")
        await gateway.assign("c2", "alice")
        await customer_writes(gateway, "c2", "还有货吗")
        await expect(page.locator("[data-conversation-id='c2']")).to_be_visible()
        await expect(page.locator(".transcript .message")).to_have_count(1)  # c1 still open
        assert page.url.endswith("/console/agent#c1")  # the session outlived the restart
        await context.close()


async def test_sound_and_desktop_alerts_are_one_click_away(
    start_gateway: StartGateway, sqlite_url: str, browser: Browser
) -> None:
    gateway = await open_shop(start_gateway, sqlite_url)
    context, page = await sign_in(browser, gateway, ALICE)
    await context.grant_permissions(["notifications"])
    await ready(page)
    toggle = page.locator("#alerts-toggle")
    await expect(toggle).to_have_attribute("aria-pressed", "false")
    await toggle.click()
    await expect(toggle).to_have_attribute("aria-pressed", "true")
    assert await page.evaluate("Notification.permission") == "granted"
    await page.reload()
    await ready(page)
    await expect(toggle).to_have_attribute("aria-pressed", "true")  # remembered
    await toggle.click()
    await expect(toggle).to_have_attribute("aria-pressed", "false")
    await context.close()
