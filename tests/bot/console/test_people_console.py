"""People in the console, in a real browser (DESIGN.md section 11): lin signs in with her
password, says she is away and gets no new chats until she is back; alice transfers a
chat to bob and asks for help, and the supervisor acknowledges on the wall, which shows
each agent's load against their cap; an admin runs the Team page. In both languages."""

from __future__ import annotations

from playwright.async_api import Browser, expect

from tests.support.browser import page_errors, ready, screenshot, sign_in, sign_in_as
from tests.support.events import customer_says
from tests.support.gateway import Gateway, StartGateway
from tests.support.people import PASSWORD, add_person
from tests.support.settings import make_settings
from tests.support.tokens import ALICE, BOB, SUPERVISOR

ROUTING = {"mode": "least_loaded", "max_concurrency": 2}


async def routed_shop(start_gateway: StartGateway, url: str) -> Gateway:
    return await start_gateway(make_settings(url, routing=ROUTING))


async def assignee(gateway: Gateway, conversation: str) -> str | None:
    found: str | None = (await gateway.transcript(conversation))["conversation"]["agent_id"]
    return found


async def test_lin_goes_away_and_gets_no_new_chats_until_she_is_back(
    start_gateway: StartGateway, sqlite_url: str, browser: Browser
) -> None:
    gateway = await routed_shop(start_gateway, sqlite_url)
    await add_person(gateway, "lin", name="Lin Fang")
    context, page = await sign_in_as(browser, gateway, "lin", PASSWORD)
    await ready(page)
    presence = page.locator("[data-presence]")
    await expect(presence).to_have_attribute("data-presence", "online")
    await expect(page.locator(".who")).to_have_text("lin")
    await page.click("[data-presence-set=away]")
    await expect(presence).to_have_attribute("data-presence", "away")
    await expect(page.locator("#away-banner")).to_be_visible()
    await expect(page.locator("#away-banner")).to_contain_text("no new chats")
    await screenshot(page, "agent-away")
    await gateway.post_events(customer_says("m1", conv="c1"))
    assert await assignee(gateway, "c1") is None
    await page.click("[data-presence-set=online]")
    await expect(presence).to_have_attribute("data-presence", "online")
    await expect(page.locator("#away-banner")).to_be_hidden()
    await expect(page.locator("[data-conversation-id='c1']")).to_be_visible()
    assert page_errors(page) == []
    await context.close()


async def test_alice_transfers_and_asks_for_help_and_the_wall_acknowledges(
    start_gateway: StartGateway, sqlite_url: str, browser: Browser
) -> None:
    gateway = await routed_shop(start_gateway, sqlite_url)
    alice_context, alice = await sign_in(browser, gateway, ALICE, locale="zh-CN")
    await ready(alice)
    await expect(alice.locator("[data-presence]")).to_have_text("在线")
    await gateway.post_events(customer_says("m1", conv="c1", text="我要退款"))
    await gateway.post_events(customer_says("m2", conv="c2", text="发票怎么开"))
    bob_context, bob = await sign_in(browser, gateway, BOB, locale="zh-CN")
    await ready(bob)
    wall_context, wall = await sign_in(browser, gateway, SUPERVISOR, locale="zh-CN")
    await ready(wall)
    # the wall shows each agent's load against routing's cap
    await expect(wall.locator("[data-agent-id=alice] .load")).to_have_attribute("data-cap", "2")
    await expect(wall.locator("[data-agent-id=alice] .load .label")).to_have_text("2 / 2")

    await alice.click("[data-conversation-id='c1']")
    await alice.click("#transfer-open")
    await alice.select_option("#transfer-to", "bob")
    await alice.fill("#transfer-note", "客户要退款，你熟悉流程")
    await alice.click("#transfer-form button[type=submit]")
    await expect(alice.locator(".toast")).to_contain_text("已转接")
    await expect(bob.locator("[data-conversation-id='c1']")).to_be_visible()
    assert await assignee(gateway, "c1") == "bob"

    await alice.click("[data-conversation-id='c2']")
    await alice.click("#help-open")
    await alice.fill("#help-note", "客户要求开专票，我不确定")
    await alice.click("#help-form button[type=submit]")
    await expect(alice.locator(".toast").last).to_contain_text("已请主管协助")
    item = wall.locator(".feed-item[data-kind='conversation.help_requested']")
    await expect(item).to_contain_text("客户要求开专票，我不确定")
    await item.locator(".ack button").click()
    await expect(item.locator(".ack")).to_contain_text("确认")
    await expect(item.locator("[data-acknowledged-by]")).to_have_attribute(
        "data-acknowledged-by", "supervisor:test…"
    )
    await screenshot(wall, "wall-help-acknowledged-zh")
    for page in (alice, bob, wall):
        assert page_errors(page) == []
    for context in (alice_context, bob_context, wall_context):
        await context.close()


async def test_an_admin_adds_and_changes_people_on_the_team_page(
    start_gateway: StartGateway, sqlite_url: str, browser: Browser
) -> None:
    gateway = await routed_shop(start_gateway, sqlite_url)
    await add_person(gateway, "root", role="admin")
    for locale, short, inactive in (
        ("en-US", "at least 10 characters", "deactivated"),
        ("zh-CN", "at least 10 characters", "已停用"),
    ):
        context, page = await sign_in_as(browser, gateway, "root", PASSWORD, locale=locale)
        await page.goto("/console/team")
        await ready(page)
        name = "mei" if locale == "en-US" else "mei2"
        await page.fill("#add-id", name)
        await page.fill("#add-name", "Mei Chen")
        await page.select_option("#add-role", "agent")
        await page.fill("#add-groups", "presales, aftersales")
        await page.fill("#add-capacity", "4")
        await page.fill("#add-password", "short")
        await page.click("#add-person button[type=submit]")
        await expect(page.locator("#add-errors")).to_contain_text(short)
        await page.fill("#add-password", "a much longer secret")
        await page.click("#add-person button[type=submit]")
        row = page.locator(f"tr[data-user-id={name}]")
        await expect(row).to_contain_text("aftersales, presales")
        await expect(row).to_contain_text("4")
        await row.locator("button").click()
        await page.fill("#edit-capacity", "6")
        await page.uncheck("#edit-active")
        await page.click("#edit-form button[type=submit]")
        await expect(row).to_have_attribute("data-active", "false")
        await expect(row).to_contain_text(inactive)
        await screenshot(page, f"team-{locale}")
        assert page_errors(page) == []
        await context.close()
    status, listing = await gateway.call("GET", "/api/v1/users", SUPERVISOR)
    assert status == 200
    mei = next(u for u in listing["users"] if u["id"] == "mei")
    assert (mei["max_concurrency"], mei["active"]) == (6, False)
