"""The library page's "most asked this week", in a real browser: customers ask three
times when their parcel ships and once whether there is a shop in town; the supervisor
sees shipping first, answered by the library's script (one click opens it), and the
shop question unanswered, one click away from a new script — in English and Chinese."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Browser, expect

from tests.support.browser import page_errors, ready, screenshot, sign_in
from tests.support.gateway import StartGateway
from tests.support.shop import customer_writes, open_shop
from tests.support.tokens import SUPERVISOR


@pytest.mark.parametrize(
    ("locale", "answered_by", "unanswered"),
    [("en-US", "Answered by", "Not answered"), ("zh-CN", "答案：", "话术库没有答案")],
)
async def test_the_most_asked_questions_lead_to_their_script_or_a_new_one(
    start_gateway: StartGateway,
    sqlite_url: str,
    browser: Browser,
    locale: str,
    answered_by: str,
    unanswered: str,
) -> None:
    gateway = await open_shop(start_gateway, sqlite_url)
    for text in ("请问几天能发货？", "几天发货呀", "什么时候能发货"):
        await customer_writes(gateway, "c1", text)
    await customer_writes(gateway, "c1", "你们有线下实体店吗")
    context, page = await sign_in(browser, gateway, SUPERVISOR, locale=locale)
    await page.goto("/console/library")
    await ready(page)
    items = page.locator("#asked li")
    await expect(items).to_have_count(2)
    await expect(items.nth(0).locator(".count")).to_have_text("×3")
    await expect(items.nth(0)).to_contain_text(answered_by)
    await expect(items.nth(1)).to_contain_text("实体店")
    await expect(items.nth(1)).to_contain_text(unanswered)
    await page.locator("section.asked").scroll_into_view_if_needed()
    await screenshot(page, f"library-most-asked-{locale}")
    await items.nth(0).get_by_role("button").click()
    await expect(page.locator("#field-id")).not_to_have_value("")
    await expect(page.locator("#field-questions")).to_have_value(re.compile("发货"))
    await items.nth(1).get_by_role("button").click()
    await expect(page.locator("#field-questions")).to_have_value(re.compile("实体店"))
    assert page_errors(page) == []
    await context.close()
