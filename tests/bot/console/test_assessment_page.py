"""The supervisor closes the month on the assessment page: the team's table, Alice's
entries explaining each point, a merit and a reasoned adjustment, the month as XLSX."""

from __future__ import annotations

import io
import time

from openpyxl import load_workbook
from playwright.async_api import Browser, expect

from tests.support.browser import page_errors, ready, screenshot, sign_in
from tests.support.events import agent_replies, assigned, customer_says
from tests.support.gateway import Gateway, StartGateway
from tests.support.shop import open_shop
from tests.support.tokens import ALICE, QA, SUPERVISOR


async def a_month(gateway: Gateway) -> None:
    """Alice answers late once (QA confirms -10); Bob answers in time."""
    now = time.time()
    status, _ = await gateway.post_events(
        {
            "events": [
                assigned("c1", "alice", "a1", ts=now - 200),
                assigned("c2", "bob", "a2", ts=now - 200),
                customer_says("q1", conv="c1", text="在吗", ts=now - 100),
                agent_replies("r1", "alice", conv="c1", text="在的", ts=now - 60),
                customer_says("q2", conv="c2", text="在吗", ts=now - 50),
                agent_replies("r2", "bob", conv="c2", text="在的", ts=now - 45),
            ]
        }
    )
    assert status == 202
    _, flags = await gateway.call("GET", "/api/v1/flags", QA)
    [slow] = [f["id"] for f in flags["items"] if f["agent_id"] == "alice"]
    review = {"verdict": "confirmed", "points": -10, "note": "等了 40 秒"}
    assert (await gateway.call("POST", f"/api/v1/flags/{slow}/review", QA, review))[0] == 200


async def test_the_supervisor_closes_alices_month(
    start_gateway: StartGateway, sqlite_url: str, browser: Browser
) -> None:
    gateway = await open_shop(start_gateway, sqlite_url)
    await a_month(gateway)
    context, page = await sign_in(browser, gateway, SUPERVISOR)
    await page.goto("/console/assessment")
    await ready(page)
    alice = page.locator("#assessment-table tr[data-agent-id=alice]")
    await expect(alice.locator("td[data-key=score]")).to_have_text("70")
    await expect(alice.locator("td[data-key=grade]")).to_have_text("初级客服")
    await expect(page.locator("tr[data-agent-id=bob] td[data-key=score]")).to_have_text("80")
    await alice.click()
    await expect(page.locator("#detail-entries .entry.flag")).to_contain_text("等了 40 秒")
    merit = page.locator("#merit-form")
    await merit.locator("input[name=points]").fill("4")
    await merit.locator("input[name=reason]").fill("顾客来信表扬 <i>好</i>")
    await merit.locator("button").click()
    await expect(alice.locator("td[data-key=score]")).to_have_text("74")
    await expect(page.locator("#detail-entries .entry.merit")).to_contain_text("<i>好</i>")
    adjust = page.locator("#adjust-form")
    await adjust.locator("input[name=adjustment]").fill("9")
    await adjust.locator("input[name=reason]").fill("大促")
    await adjust.locator("button").click()  # the browser refuses > 5 before the API does
    await expect(alice.locator("td[data-key=score]")).to_have_text("74")
    await adjust.locator("input[name=adjustment]").fill("3")
    await adjust.locator("button").click()
    await expect(alice.locator("td[data-key=score]")).to_have_text("77")
    await expect(page.locator("#detail-summary")).to_contain_text("大促")
    await screenshot(page, "assessment")
    href = await page.locator("#dl-assessment").get_attribute("href")
    assert href is not None
    response = await page.request.get(href)
    assert response.ok
    rows = list(load_workbook(io.BytesIO(await response.body()))["Assessment"].values)
    assert {row[0]: row[8] for row in rows[1:]} == {"alice": 77, "bob": 80}
    assert page_errors(page) == []
    await context.close()


async def test_qa_reads_the_month_in_chinese_without_the_forms(
    start_gateway: StartGateway, sqlite_url: str, browser: Browser
) -> None:
    gateway = await open_shop(start_gateway, sqlite_url)
    await a_month(gateway)
    context, page = await sign_in(browser, gateway, QA, locale="zh-CN")
    await page.goto("/console/assessment")
    await ready(page)
    await expect(page.locator("nav a[aria-current=page]")).to_have_text("月度考核")
    await expect(page.locator("#assessment-table thead")).to_contain_text("得分")
    await expect(page.locator("#agent-detail")).to_be_visible()
    await expect(page.locator(".detail-forms")).to_be_hidden()
    await screenshot(page, "assessment-zh-CN")
    await context.close()
    context, page = await sign_in(browser, gateway, ALICE)
    response = await page.goto("/console/assessment")
    assert response is not None
    assert response.status == 403
    await context.close()
