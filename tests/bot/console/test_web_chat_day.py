"""A customer's evening in the chat page, in a real browser: nobody is online, the page
asks them to leave a message, alice signs in and the page says she is there; she closes
the chat and the customer rates it with a button; a message typed while the connection
is down is sent once it is back; writing too fast shows why the message was refused; a
signed-in shop customer finds the same conversation on a second device; and the page
fits a phone."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from playwright.async_api import Browser, Page, WebSocketRoute, expect

from tests.support.browser import page_errors, ready, screenshot, sign_in
from tests.support.gateway import Gateway, StartGateway
from tests.support.settings import make_settings
from tests.support.tokens import ALICE, SUPERVISOR

ROSTER = [{"id": "alice", "name": "小美"}]
SECRET = "shop-identity-secret-1234"


async def _chat(browser: Browser, gateway: Gateway, path: str = "/chat") -> Page:
    context = await browser.new_context(locale="zh-CN", base_url=gateway.url)
    page = await context.new_page()
    await page.goto(path)
    return page


async def _say(page: Page, text: str) -> None:
    box = page.locator("textarea[name=message]")
    await box.fill(text)
    await box.press("Enter")


async def _web_messages(gateway: Gateway) -> list[Any]:
    _, listed = await gateway.call("GET", "/api/v1/conversations", SUPERVISOR)
    [item] = [c for c in listed["items"] if c["channel"] == "web"]
    transcript = await gateway.transcript(item["conversation_id"])
    return [m for m in transcript["messages"] if m["sender"]["role"] == "customer"]


async def test_nobody_online_then_alice_comes_closes_and_the_customer_rates(
    start_gateway: StartGateway, sqlite_url: str, browser: Browser
) -> None:
    settings = make_settings(
        sqlite_url,
        agents=ROSTER,
        routing={"mode": "least_loaded"},
        csat={"survey_script": "zh-survey"},
    )
    gateway = await start_gateway(settings)
    customer = await _chat(browser, gateway)
    await ready(customer)
    banner = customer.locator("#chat-availability")
    await expect(banner).to_have_text("客服暂时不在线。请留言，客服上线后会尽快回复您。")
    await expect(customer.locator("#chat-status")).to_have_text("请留言")
    await _say(customer, "在吗？想开发票")
    await expect(customer.locator("[data-sender-role=customer]")).to_have_attribute(
        "data-state", "sent"
    )
    await screenshot(customer, "web-chat-nobody")

    context, agent = await sign_in(browser, gateway, ALICE)  # the waiting chat is routed
    await ready(agent)
    await expect(banner).to_be_hidden()
    await expect(customer.locator("#chat-status")).to_have_text("客服 小美 为您服务")
    _, listed = await gateway.call("GET", "/api/v1/conversations", SUPERVISOR)
    conversation = listed["items"][0]["conversation_id"]
    await agent.locator(f"[data-conversation-id='{conversation}']").click()
    await agent.locator("#close-chat").click()

    buttons = customer.locator(".choices button")
    await expect(buttons).to_have_count(5)
    await expect(customer.locator("[data-sender-role=bot]").last).to_contain_text("打个分")
    await screenshot(customer, "web-chat-survey")
    await buttons.first.focus()
    await customer.keyboard.press("Enter")  # keyboard-usable
    await expect(buttons).to_have_count(0)
    mine = customer.locator("[data-sender-role=customer]")
    await expect(mine.last.locator(".text")).to_have_text("5 非常满意")
    assert [r["rating"] for r in (await gateway.transcript(conversation))["ratings"]] == [5]
    assert page_errors(customer) == []
    await context.close()


async def test_a_message_typed_while_disconnected_is_sent_once_back_online(
    start_gateway: StartGateway, sqlite_url: str, browser: Browser
) -> None:
    gateway = await start_gateway(make_settings(sqlite_url, agents=ROSTER))
    customer = await _chat(browser, gateway)
    down = {"now": False}
    routes: list[WebSocketRoute] = []

    async def through(ws: WebSocketRoute) -> None:
        if down["now"]:
            await ws.close()
            return
        routes.append(ws)
        ws.connect_to_server()

    await customer.route_web_socket("**/socket.io/**", through)
    await customer.reload()
    await ready(customer)
    await _say(customer, "第一条")
    await expect(customer.locator("[data-state=sent]")).to_have_count(1)

    down["now"] = True
    for ws in routes:
        await ws.close()
    await expect(customer.locator("#chat-status")).to_contain_text("已断开")
    await _say(customer, "断网时写的")
    pending = customer.locator("[data-sender-role=customer]").last
    await expect(pending).to_have_attribute("data-state", "pending")
    down["now"] = False  # socket.io reconnects by itself
    await expect(pending).to_have_attribute("data-state", "sent", timeout=15_000)
    await expect(customer.locator("[data-sender-role=customer]")).to_have_count(2)
    assert [m["text"] for m in await _web_messages(gateway)] == ["第一条", "断网时写的"]
    await customer.reload()  # nothing left to send again
    await ready(customer)
    await expect(customer.locator("[data-sender-role=customer]")).to_have_count(2)
    assert len(await _web_messages(gateway)) == 2


async def test_writing_too_fast_shows_why_and_stores_nothing_more(
    start_gateway: StartGateway, sqlite_url: str, browser: Browser
) -> None:
    widget = {"max_messages_per_minute": 2}
    gateway = await start_gateway(make_settings(sqlite_url, agents=ROSTER, widget=widget))
    customer = await _chat(browser, gateway)
    await ready(customer)
    for text in ["一", "二"]:
        await _say(customer, text)
        await expect(customer.locator(f"[data-state=sent] >> text={text}")).to_have_count(1)
    await _say(customer, "三")
    await expect(customer.locator("#chat-error")).to_contain_text("too many messages")
    await expect(customer.locator("[data-sender-role=customer]").last).to_have_attribute(
        "data-state", "failed"
    )
    assert [m["text"] for m in await _web_messages(gateway)] == ["一", "二"]


async def test_a_signed_in_shop_customer_has_one_chat_on_two_devices(
    start_gateway: StartGateway, sqlite_url: str, browser: Browser
) -> None:
    widget = {"identity_secret": SECRET}
    gateway = await start_gateway(make_settings(sqlite_url, agents=ROSTER, widget=widget))
    signed = hmac.new(SECRET.encode(), b"shop-user-42", hashlib.sha256).hexdigest()
    laptop = await _chat(browser, gateway, f"/chat?user_id=shop-user-42&user_hash={signed}")
    await ready(laptop)
    await _say(laptop, "我在电脑上问的")
    await expect(laptop.locator("[data-state=sent]")).to_have_count(1)
    phone = await _chat(browser, gateway, f"/chat?user_id=shop-user-42&user_hash={signed}")
    await ready(phone)
    await expect(phone.locator("[data-sender-role=customer] .text")).to_have_text("我在电脑上问的")

    forged = await _chat(browser, gateway, f"/chat?user_id=shop-user-43&user_hash={signed}")
    await expect(forged.locator("#chat-error")).to_contain_text("user_hash")
    await expect(forged.locator("[data-sender-role]")).to_have_count(0)


async def test_the_chat_page_fits_a_phone(
    start_gateway: StartGateway, sqlite_url: str, browser: Browser
) -> None:
    gateway = await start_gateway(make_settings(sqlite_url, agents=ROSTER))
    context = await browser.new_context(
        locale="en", base_url=gateway.url, viewport={"width": 360, "height": 640}, is_mobile=True
    )
    page = await context.new_page()
    await page.goto("/chat")
    await ready(page)
    await _say(page, "Hello, when will my order ship? " * 8)  # a long line wraps
    await expect(page.locator("[data-state=sent]")).to_have_count(1)
    assert await page.evaluate("document.documentElement.scrollWidth") <= 360
    send = page.get_by_role("button", name="Send")
    await expect(send).to_be_in_viewport()
    await expect(page.locator("#chat-availability")).to_contain_text("Nobody is online")
    await screenshot(page, "web-chat-phone")
    await context.close()
