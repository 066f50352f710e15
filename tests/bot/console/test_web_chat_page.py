"""The customer's side in a real browser: a customer types in /chat, alice answers from
her console, the answer appears live; the same browser returns to its history; HTML in
a message stays text; a shop's page embeds the widget where it is allowed, and a site
that is not allowed gets no chat."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from aiohttp import web
from aiohttp.test_utils import TestServer
from playwright.async_api import Browser, Page, expect

from tests.support.browser import page_errors, ready, screenshot, sign_in
from tests.support.gateway import Gateway, StartGateway
from tests.support.settings import make_settings
from tests.support.tokens import ALICE, SUPERVISOR

ROSTER = [{"id": "alice", "name": "小美"}]
XSS = "<img src=x onerror=alert(1)>几天发货？"


async def _web_conversation(gateway: Gateway) -> str:
    _, listed = await gateway.call("GET", "/api/v1/conversations?unassigned=true", SUPERVISOR)
    [item] = [c for c in listed["items"] if c["channel"] == "web"]
    return str(item["conversation_id"])


async def _customer_page(browser: Browser, gateway: Gateway, locale: str = "zh-CN") -> Page:
    context = await browser.new_context(locale=locale, base_url=gateway.url)
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("dialog", lambda dialog: errors.append(f"dialog: {dialog.message}"))
    setattr(page, "errors", errors)  # noqa: B010 - the tests read what the page raised
    await page.goto("/chat")
    await ready(page)
    return page


async def test_a_customer_and_alice_talk_through_the_chat_page(
    start_gateway: StartGateway, sqlite_url: str, browser: Browser
) -> None:
    gateway = await start_gateway(make_settings(sqlite_url, agents=ROSTER))
    customer = await _customer_page(browser, gateway)
    box = customer.locator("textarea[name=message]")
    await box.fill(XSS)
    await box.press("Enter")
    mine = customer.locator("[data-sender-role=customer]")
    await expect(mine).to_have_count(1)
    await expect(mine.locator(".text")).to_have_text(XSS)  # shown as text, not markup
    assert await customer.locator(".messages img").count() == 0
    await expect(mine).to_have_attribute("data-state", "sent")

    conversation = await _web_conversation(gateway)
    await gateway.assign(conversation, "alice", channel="web")
    context, agent = await sign_in(browser, gateway, ALICE)
    await ready(agent)
    await agent.locator(f"[data-conversation-id='{conversation}']").click()
    await expect(agent.locator(".transcript .message.customer .text")).to_have_text(XSS)
    reply = agent.locator("textarea[name=reply]")
    await reply.fill("亲，48 小时内发货哦")
    await reply.press("Enter")

    theirs = customer.locator("[data-sender-role=agent]")
    await expect(theirs).to_contain_text("亲，48 小时内发货哦")
    await expect(theirs.locator(".who")).to_have_text("小美")
    await expect(customer.locator("#chat-status")).to_contain_text("小美")
    await screenshot(customer, "web-chat")
    await customer.reload()  # the same browser comes back to its conversation
    await ready(customer)
    await expect(customer.locator("[data-sender-role]")).to_have_count(2)
    assert page_errors(customer) == []
    assert page_errors(agent) == []
    await context.close()


@asynccontextmanager
async def _shop_site(service: Callable[[], str]) -> AsyncIterator[str]:
    """A shop's own page, on another origin, with the widget's one line (``service``:
    the chat service's URL, read when the page is served)."""

    async def page(_request: web.Request) -> web.Response:
        html = (
            "<!doctype html><html><head><meta charset=utf-8><title>Shop</title></head><body>"
            "<h1>Our shop</h1>"
            f'<script src="{service()}/widget.js" async data-lang="zh-CN"></script>'
            "</body></html>"
        )
        return web.Response(text=html, content_type="text/html")

    app = web.Application()
    app.add_routes([web.get("/", page)])
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        yield str(server.make_url("")).rstrip("/")
    finally:
        await server.close()


async def _open_widget(browser: Browser, site: str) -> Page:
    context = await browser.new_context(locale="zh-CN")
    page = await context.new_page()
    await page.goto(site)
    await page.locator("[data-replywatch=open]").click()
    await expect(page.locator("#replywatch-panel")).to_be_visible()
    return page


async def test_a_shop_page_embeds_the_widget_where_allowed(
    start_gateway: StartGateway, sqlite_url: str, browser: Browser
) -> None:
    async with _shop_site_for(start_gateway, sqlite_url, allowed=True) as (gateway, site):
        page = await _open_widget(browser, site)
        frame = page.frame_locator("#replywatch-panel iframe")
        box = frame.locator("textarea[name=message]")
        await box.fill("你好，从商店页面来的")
        await box.press("Enter")
        await expect(frame.locator("[data-sender-role=customer]")).to_have_attribute(
            "data-state", "sent"
        )
        await screenshot(page, "web-chat-widget")
        assert (await _web_conversation(gateway)).startswith("v-")
        await page.keyboard.press("Escape")
        await expect(page.locator("#replywatch-panel")).to_be_hidden()


async def test_a_site_that_is_not_allowed_gets_no_chat(
    start_gateway: StartGateway, sqlite_url: str, browser: Browser
) -> None:
    async with _shop_site_for(start_gateway, sqlite_url, allowed=False) as (gateway, site):
        context = await browser.new_context(locale="zh-CN")
        page = await context.new_page()
        await page.goto(site)
        async with page.expect_response(lambda r: "/chat?" in r.url) as answer:
            await page.locator("[data-replywatch=open]").click()
        assert (await answer.value).status == 403
        async with asyncio.timeout(5):  # the browser shows its error page in the frame
            while not page.frames[-1].url.startswith("chrome-error:"):
                await page.wait_for_timeout(50)
        frame = page.frame_locator("#replywatch-panel iframe")
        await expect(frame.locator("textarea[name=message]")).to_have_count(0)
        _, listed = await gateway.call("GET", "/api/v1/conversations", SUPERVISOR)
        assert listed["items"] == []


@asynccontextmanager
async def _shop_site_for(
    start_gateway: StartGateway, sqlite_url: str, *, allowed: bool
) -> AsyncIterator[tuple[Gateway, str]]:
    """The shop's site and the chat service (started second: it needs the site's origin)."""
    started: list[Gateway] = []
    async with _shop_site(lambda: started[0].url) as site:
        widget = {"allowed_origins": [site] if allowed else ["https://elsewhere.example"]}
        started.append(await start_gateway(make_settings(sqlite_url, widget=widget)))
        yield started[0], site
