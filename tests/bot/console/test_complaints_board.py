"""A customer complains in Alice's chat: she registers it on the complaints board and
acknowledges it, the supervisor approves the resolution, Alice records the call back;
a complaint nobody acknowledges in time shows late."""

from __future__ import annotations

from playwright.async_api import Browser, expect

from tests.support.browser import page_errors, ready, screenshot, sign_in
from tests.support.gateway import StartGateway
from tests.support.settings import make_settings
from tests.support.shop import customer_writes
from tests.support.tokens import ALICE, QA, SUPERVISOR


async def test_a_complaint_crosses_the_board(
    start_gateway: StartGateway, sqlite_url: str, browser: Browser
) -> None:
    settings = make_settings(
        sqlite_url, monitor={"sweep_seconds": 0.05}, complaints={"acknowledge_seconds": 0.5}
    )
    gateway = await start_gateway(settings)
    await gateway.assign("c1", "alice")
    await gateway.assign("c2", "alice")
    await customer_writes(gateway, "c1", "你们客服态度太差了")
    alice_context, alice = await sign_in(browser, gateway, ALICE)
    await ready(alice)
    await alice.locator("[data-conversation-id='c1']").click()
    link = alice.locator("#complaint-open")
    await expect(link).to_have_attribute("href", "/console/complaints?conversation=c1")
    await alice.goto("/console/complaints?conversation=c1")
    await ready(alice)
    register = alice.locator("#register")
    await expect(register.locator("input[name=conversation_id]")).to_have_value("c1")
    await register.locator("select[name=category]").select_option("服务态度")
    await register.locator("input[name=summary]").fill("顾客说客服态度差 <img src=x>")
    await register.locator("button[type=submit]").click()
    card = alice.locator(".column[data-status=open] .card")
    await expect(card).to_contain_text("<img src=x>")
    await card.locator("[data-action=acknowledge] button").click()
    acknowledged = alice.locator(".column[data-status=acknowledged] .card")
    await expect(acknowledged).to_have_count(1)
    await expect(acknowledged.locator("[data-action=resolve]")).to_have_count(0)  # not hers
    # A second complaint, on c2, that nobody acknowledges in time.
    await register.locator("input[name=conversation_id]").fill("c2")
    await register.locator("input[name=summary]").fill("发货太慢")
    await register.locator("button[type=submit]").click()
    sup_context, supervisor = await sign_in(browser, gateway, SUPERVISOR)
    await supervisor.goto("/console/complaints")
    await ready(supervisor)
    late = supervisor.locator(".column[data-status=open] .card .due.late")
    await expect(late).to_contain_text("acknowledgement", timeout=10_000)
    step = supervisor.locator(".column[data-status=acknowledged] [data-action=resolve]")
    await step.locator("textarea").fill("致歉并赠送 10 元优惠券")
    await step.locator("button").click()
    await expect(supervisor.locator(".column[data-status=resolved] .card")).to_contain_text(
        "致歉并赠送 10 元优惠券"
    )
    await screenshot(supervisor, "complaints")
    await alice.reload()
    await ready(alice)
    follow = alice.locator(".column[data-status=resolved] [data-action=follow-up]")
    await follow.locator("textarea").fill("顾客表示满意")
    await follow.locator("button").click()
    await expect(alice.locator(".column[data-status=followed_up] .card")).to_contain_text(
        "顾客表示满意"
    )
    _, listed = await gateway.call("GET", "/api/v1/complaints", QA)
    assert sorted(c["status"] for c in listed["items"]) == ["followed_up", "open"]
    assert page_errors(alice) == page_errors(supervisor) == []
    await alice_context.close()
    await sup_context.close()


async def test_the_board_in_chinese_for_qa(
    start_gateway: StartGateway, sqlite_url: str, browser: Browser
) -> None:
    gateway = await start_gateway(make_settings(sqlite_url))
    await gateway.assign("c1", "alice")
    body = {"conversation_id": "c1", "category": "发货物流", "summary": "快递三天没动"}
    assert (await gateway.call("POST", "/api/v1/complaints", ALICE, body))[0] == 201
    context, page = await sign_in(browser, gateway, QA, locale="zh-CN")
    await page.goto("/console/complaints")
    await ready(page)
    await expect(page.locator(".column[data-status=open] h2")).to_contain_text("待受理")
    await expect(page.locator(".card")).to_contain_text("快递三天没动")
    await expect(page.locator("#register")).to_be_hidden()  # QA reads, does not register
    await expect(page.locator(".card form")).to_have_count(0)
    await screenshot(page, "complaints-zh-CN")
    await context.close()
