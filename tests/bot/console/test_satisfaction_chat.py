"""Alice ends a chat from her console and the shop's survey goes to the customer; the
customer's "5" is the chat's rating: QA sees it on the sampled transcript, and Alice
sees the month's satisfaction on her quality page."""

from __future__ import annotations

import time

from playwright.async_api import Browser, expect

from tests.support.browser import page_errors, ready, screenshot, sign_in
from tests.support.gateway import StartGateway
from tests.support.settings import make_settings
from tests.support.shop import customer_writes
from tests.support.tokens import ALICE, QA


async def test_alice_closes_the_chat_and_the_rating_is_seen(
    start_gateway: StartGateway, sqlite_url: str, browser: Browser
) -> None:
    settings = make_settings(
        sqlite_url,
        csat={"survey_script": "zh-survey"},
        qa={"sample_rate": 1.0},  # every closed chat goes to QA
        agents=[{"id": "alice", "name": "小美"}],
    )
    gateway = await start_gateway(settings)
    await gateway.assign("c1", "alice")
    await customer_writes(gateway, "c1", "请问几天发货？")
    context, page = await sign_in(browser, gateway, ALICE)
    await ready(page)
    row = page.locator("[data-conversation-id='c1']")
    await row.click()
    await expect(page.locator(".transcript .message.customer")).to_contain_text("几天发货")
    await page.locator("#close-chat").click()
    await expect(page.locator(".toast")).to_contain_text("Chat c1 closed")
    await expect(row).to_have_count(0)
    [survey] = await gateway.bot_messages("c1")
    assert "请为客服小美的服务打个分" in survey["text"]
    await customer_writes(gateway, "c1", "5 非常满意", ts=time.time())
    assert (await gateway.transcript("c1"))["conversation"]["status"] == "closed"

    await page.goto("/console/quality")
    await ready(page)
    expected = "Customer satisfaction this month: 5.00 / 5, 100 % satisfied (1 ratings)"
    await expect(page.locator("#quality-csat")).to_have_text(expected)
    assert page_errors(page) == []
    await context.close()

    context, page = await sign_in(browser, gateway, QA, locale="zh-CN")
    await ready(page)
    await page.locator("#flags li[data-flag-id]").first.click()
    badge = page.locator("#transcript-pane .badge.rating")
    await expect(badge).to_have_text("顾客评分 5 / 5")
    await screenshot(page, "qa-rating")
    assert page_errors(page) == []
    await context.close()
