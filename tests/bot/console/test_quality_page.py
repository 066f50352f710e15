"""Alice opens *My quality*: her flags with QA's verdicts, points, notes and reviewers,
nobody else's; a verdict given while she works reaches the page live."""

from __future__ import annotations

import time

from playwright.async_api import Browser, expect

from tests.support.browser import page_errors, ready, screenshot, sign_in
from tests.support.events import agent_replies, assigned, customer_says
from tests.support.gateway import Gateway, StartGateway
from tests.support.shop import open_shop
from tests.support.tokens import ALICE, BOB, QA, SUPERVISOR


async def a_shift(gateway: Gateway) -> dict[str, int]:
    """Alice answers c1 late and with a flat refusal; Bob answers c2 late too."""
    now = time.time()
    status, _ = await gateway.post_events(
        {
            "events": [
                assigned("c2", "bob", "a2", ts=now - 200),
                customer_says("q1", conv="c1", text="几天发货", ts=now - 100),
                agent_replies("r1", "alice", conv="c1", text="48小时内发货", ts=now - 70),
                customer_says("q2", conv="c1", text="能便宜点吗", ts=now - 60),
                agent_replies("r2", "alice", conv="c1", text="这个不行哦", ts=now - 58),
                customer_says("q3", conv="c2", text="有发票吗", ts=now - 50),
                agent_replies("r3", "bob", conv="c2", text="可以开", ts=now - 20),
            ]
        }
    )
    assert status == 202
    _, flags = await gateway.call("GET", "/api/v1/flags", QA)
    return {f"{f['agent_id']}:{f['kind']}": f["id"] for f in flags["items"]}


async def test_alice_sees_her_verdicts_and_a_new_one_arrives_live(
    start_gateway: StartGateway, sqlite_url: str, browser: Browser
) -> None:
    gateway = await open_shop(start_gateway, sqlite_url)
    flags = await a_shift(gateway)
    assert {"alice:reply.slow", "alice:reply.forbidden_phrase", "bob:reply.slow"} <= set(flags)
    review = {"verdict": "confirmed", "note": "超过 20 秒", "points": -2}
    status, _ = await gateway.call(
        "POST", f"/api/v1/flags/{flags['alice:reply.slow']}/review", QA, review
    )
    assert status == 200
    context, console = await sign_in(browser, gateway, ALICE)
    await ready(console)
    quality = await context.new_page()
    await quality.goto("/console/quality")
    await ready(quality)
    slow = quality.locator(f"[data-flag-id='{flags['alice:reply.slow']}']")
    await expect(slow.locator("[data-verdict=confirmed]")).to_contain_text("-2")
    await expect(slow).to_contain_text("超过 20 秒")
    await expect(slow).to_contain_text("qa:")
    refusal = quality.locator(f"[data-flag-id='{flags['alice:reply.forbidden_phrase']}']")
    await expect(refusal).to_contain_text("Waiting for QA review")
    await expect(quality.locator(f"[data-flag-id='{flags['bob:reply.slow']}']")).to_have_count(0)
    await expect(quality.locator("#quality-total")).to_contain_text("-2")
    review = {"verdict": "confirmed", "note": "不要说不行", "points": -5}
    path = f"/api/v1/flags/{flags['alice:reply.forbidden_phrase']}/review"
    assert (await gateway.call("POST", path, QA, review))[0] == 200
    await expect(console.locator(".toast")).to_contain_text("-5")  # the console hears it
    await expect(refusal.locator("[data-verdict=confirmed]")).to_contain_text("-5")  # live
    await expect(quality.locator("#quality-total")).to_contain_text("-7")
    await screenshot(quality, "agent-quality")
    assert page_errors(quality) == []
    assert page_errors(console) == []
    await context.close()


async def test_the_quality_page_in_chinese(
    start_gateway: StartGateway, sqlite_url: str, browser: Browser
) -> None:
    gateway = await open_shop(start_gateway, sqlite_url)
    flags = await a_shift(gateway)
    review = {"verdict": "dismissed", "note": "顾客已离开"}
    path = f"/api/v1/flags/{flags['alice:reply.slow']}/review"
    assert (await gateway.call("POST", path, QA, review))[0] == 200
    context, page = await sign_in(browser, gateway, ALICE, locale="zh-CN")
    await page.goto("/console/quality")
    await ready(page)
    await expect(page.locator("nav a[aria-current=page]")).to_have_text("我的质检")
    slow = page.locator(f"[data-flag-id='{flags['alice:reply.slow']}']")
    await expect(slow.locator("[data-verdict=dismissed]")).to_contain_text("已驳回")
    refusal = page.locator(f"[data-flag-id='{flags['alice:reply.forbidden_phrase']}']")
    await expect(refusal).to_contain_text("等待质检")
    await expect(page.locator("#quality-total")).to_have_text("我的质检扣分：0")
    await expect(page.locator("#quality-month")).to_contain_text("本月")
    await expect(page.locator("#quality-month")).to_contain_text("80 分，中级客服")
    await screenshot(page, "agent-quality-zh-CN")
    assert page_errors(page) == []
    await context.close()


async def test_only_agents_have_a_quality_page(
    start_gateway: StartGateway, sqlite_url: str, browser: Browser
) -> None:
    gateway = await open_shop(start_gateway, sqlite_url)
    context, page = await sign_in(browser, gateway, BOB)
    await ready(page)
    await expect(page.locator("nav a[href='/console/quality']")).to_have_count(1)
    await context.close()
    context, page = await sign_in(browser, gateway, QA)
    await ready(page)
    await expect(page.locator("nav a[href='/console/quality']")).to_have_count(0)
    response = await page.goto("/console/quality")
    assert response is not None
    assert response.status == 403
    await context.close()


async def test_alice_appeals_a_verdict_and_sees_it_overturned(
    start_gateway: StartGateway, sqlite_url: str, browser: Browser
) -> None:
    gateway = await open_shop(start_gateway, sqlite_url)
    flags = await a_shift(gateway)
    slow, refusal = flags["alice:reply.slow"], flags["alice:reply.forbidden_phrase"]
    review = {"verdict": "confirmed", "note": "超过 20 秒", "points": -2}
    assert (await gateway.call("POST", f"/api/v1/flags/{slow}/review", QA, review))[0] == 200
    context, console = await sign_in(browser, gateway, ALICE)
    await ready(console)
    quality = await context.new_page()
    await quality.goto("/console/quality")
    await ready(quality)
    await expect(quality.locator("#quality-month")).to_contain_text("78 points")
    waiting = quality.locator(f"[data-flag-id='{refusal}']")
    await expect(waiting.locator("[data-action=appeal]")).to_have_count(0)  # not reviewed yet
    flag = quality.locator(f"[data-flag-id='{slow}']")
    await flag.locator("[data-action=appeal]").click()
    await flag.locator("textarea").fill("顾客连发三条，我在查物流 <b>急</b>")
    await flag.locator("textarea").press("Tab")
    await quality.keyboard.press("Enter")
    await expect(flag.locator(".appeal")).to_contain_text("waiting for a decision")
    await expect(flag.locator(".appeal")).to_contain_text("<b>急</b>")  # text, not markup
    await expect(flag.locator("[data-action=appeal]")).to_have_count(0)
    decision = {"decision": "overturned", "note": "查物流合理"}
    path = f"/api/v1/flags/{slow}/appeal/decision"
    assert (await gateway.call("POST", path, SUPERVISOR, decision))[0] == 200
    await expect(console.locator(".toast")).to_contain_text("overturned")
    await expect(flag.locator(".appeal[data-decision=overturned]")).to_contain_text("查物流合理")
    await expect(quality.locator("#quality-total")).to_contain_text("0")
    await expect(quality.locator("#quality-month")).to_contain_text("80 points")
    await screenshot(quality, "agent-quality-appeal")
    assert page_errors(quality) == []
    await context.close()
