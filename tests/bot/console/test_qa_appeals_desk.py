"""The QA desk closes the loop: a second reviewer decides Alice's appeal from the
appeals queue, and QA flags a promised discount straight from the transcript."""

from __future__ import annotations

import time

from playwright.async_api import Browser, expect

from tests.support.browser import page_errors, ready, screenshot, sign_in
from tests.support.events import agent_replies, assigned, customer_says
from tests.support.gateway import Gateway, StartGateway
from tests.support.shop import open_shop
from tests.support.tokens import ALICE, QA, QA2


async def late_reply(gateway: Gateway) -> int:
    """Alice answers c1 late and promises a discount; QA confirms the slow reply (-2)."""
    now = time.time()
    status, _ = await gateway.post_events(
        {
            "events": [
                assigned("c1", "alice", "a1", ts=now - 200),
                customer_says("q1", conv="c1", text="能便宜点吗", ts=now - 100),
                agent_replies("r1", "alice", conv="c1", text="给您便宜20，我去改价", ts=now - 70),
            ]
        }
    )
    assert status == 202
    _, flags = await gateway.call("GET", "/api/v1/flags", QA)
    [slow] = [f["id"] for f in flags["items"] if f["kind"] == "reply.slow"]
    review = {"verdict": "confirmed", "points": -2, "note": "超时 30 秒"}
    assert (await gateway.call("POST", f"/api/v1/flags/{slow}/review", QA, review))[0] == 200
    return int(slow)


async def test_a_second_reviewer_upholds_an_appeal_from_the_queue(
    start_gateway: StartGateway, sqlite_url: str, browser: Browser
) -> None:
    gateway = await open_shop(start_gateway, sqlite_url)
    slow = await late_reply(gateway)
    reason = {"reason": "顾客问价时我在核对库存"}
    assert (await gateway.call("POST", f"/api/v1/flags/{slow}/appeal", ALICE, reason))[0] == 201
    context, page = await sign_in(browser, gateway, QA2)
    await ready(page)
    await page.locator("#filters select[name=status]").select_option("appealed")
    row = page.locator(f"#flags li[data-flag-id='{slow}']")
    await row.click()
    pane = page.locator("#appeal-decision")
    await expect(pane).to_contain_text("顾客问价时我在核对库存")
    await pane.locator("textarea[name=note]").fill("核对库存不超过 20 秒，维持")
    await pane.locator("input[name=points]").fill("-1")
    await screenshot(page, "qa-appeal")
    await pane.locator("[data-decision=upheld]").click()
    await expect(page.locator("#review-done .appeal[data-decision=upheld]")).to_contain_text(
        "qa-second"
    )
    _, flag = await gateway.call("GET", f"/api/v1/flags/{slow}", ALICE)
    assert (flag["status"], flag["appeal"]["decision"], flag["counted_points"]) == (
        "reviewed",
        "upheld",
        -1,
    )
    assert page_errors(page) == []
    await context.close()


async def test_qa_flags_a_promised_discount_from_the_transcript(
    start_gateway: StartGateway, sqlite_url: str, browser: Browser
) -> None:
    gateway = await open_shop(start_gateway, sqlite_url)
    await late_reply(gateway)
    context, page = await sign_in(browser, gateway, QA, locale="zh-CN")
    await ready(page)
    await page.locator("#filters select[name=status]").select_option("reviewed")
    await page.locator("#flags li[data-kind='reply.slow']").click()
    await page.locator(".transcript .message[data-message-id=r1]").click()
    form = page.locator("#manual-flag")
    await expect(form).to_contain_text("消息 r1")
    await form.locator("select[name=category]").select_option("price")
    await form.locator("textarea[name=note]").fill("未经允许答应改价 <script>x</script>")
    await screenshot(page, "qa-manual-flag-zh-CN")
    await form.locator("button[type=submit]").click()
    await page.locator("#filters select[name=kind]").select_option("qa.manual")
    await page.locator("#filters select[name=status]").select_option("open")
    manual = page.locator("#flags li[data-kind='qa.manual']")
    await expect(manual).to_have_count(1)
    await manual.click()
    await expect(page.locator("#review-category")).to_have_value("price")
    await expect(page.locator("#review-points")).to_have_value("-10")
    await expect(page.locator("#review-flag")).to_contain_text("<script>x</script>")
    _, flags = await gateway.call("GET", "/api/v1/flags?kind=qa.manual", ALICE)
    [flag] = flags["items"]
    assert (flag["message_id"], flag["category"], flag["agent_id"]) == ("r1", "price", "alice")
    assert page_errors(page) == []
    await context.close()
