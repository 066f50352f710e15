"""The supervisors', QA and library pages in a real browser: a supervisor watches a chat
go overdue and hands it to bob, who gets it with its suggestions; QA confirms a slow
reply and the agent's score moves; a supervisor turns a gap into a script and the next
customer gets it; reports download and open."""

from __future__ import annotations

import io
import re
import time
from datetime import date, datetime
from zoneinfo import ZoneInfo

import aiohttp
from openpyxl import load_workbook
from playwright.async_api import Browser, expect

from bot.keys import SETTINGS
from tests.support.browser import page_errors, ready, screenshot, sign_in
from tests.support.events import agent_replies, assigned, customer_says
from tests.support.gateway import Gateway, StartGateway
from tests.support.shop import customer_writes, open_shop
from tests.support.tokens import ALICE, BOB, QA, SUPERVISOR, auth

SHIPPING = "你好，请问几天能发货？"


async def kpis(gateway: Gateway, agent: str) -> dict[str, object]:
    async with gateway.http.get(f"{gateway.url}/api/v1/kpis", headers=auth(SUPERVISOR)) as r:
        agents: list[dict[str, object]] = (await r.json())["agents"]
    [found] = [a for a in agents if a["agent_id"] == agent]
    return found


async def test_a_supervisor_reassigns_an_overdue_chat_to_bob_who_gets_its_suggestions(
    start_gateway: StartGateway, sqlite_url: str, browser: Browser
) -> None:
    gateway = await open_shop(start_gateway, sqlite_url, reply_seconds=1.0)
    wall_context, wall = await sign_in(browser, gateway, SUPERVISOR)
    bob_context, bob = await sign_in(browser, gateway, BOB)
    await ready(wall)
    await ready(bob)
    await customer_writes(gateway, "c1", SHIPPING, name="李先生")
    alice_card = wall.locator("[data-agent-id='alice']")
    row = alice_card.locator("[data-conversation-id='c1']")
    await expect(row).to_be_visible(timeout=5_000)
    await expect(row.locator("[data-waited]")).to_have_attribute(
        "data-state", "late", timeout=5_000
    )
    await expect(wall.locator("#feed [data-kind='reply.overdue']").first).to_be_visible()
    await expect(wall.locator("#banner")).to_contain_text("past the deadline")
    await screenshot(wall, "supervisor-wall")
    await row.get_by_role("button").click()
    await wall.locator("#reassign-agent").select_option("bob")
    await wall.locator("#reassign button[value=ok]").click()
    await expect(wall.locator("[data-agent-id='bob'] [data-conversation-id='c1']")).to_be_visible()
    await expect(bob.locator("[data-conversation-id='c1']")).to_be_visible()
    await bob.locator("[data-conversation-id='c1']").click()
    await expect(bob.locator(".suggestions .suggestion").first).to_contain_text("发货")
    assert (await gateway.transcript("c1"))["conversation"]["agent_id"] == "bob"
    assert page_errors(wall) == page_errors(bob) == []
    await wall_context.close()
    await bob_context.close()


async def test_qa_confirms_a_slow_reply_and_the_agents_score_moves(
    start_gateway: StartGateway, sqlite_url: str, browser: Browser
) -> None:
    gateway = await open_shop(start_gateway, sqlite_url, reply_seconds=1.0)
    now = time.time()
    status, _ = await gateway.post_events(
        {
            "events": [
                customer_says("m1", "c1", "这个有货吗", ts=now - 4),
                agent_replies("r1", "alice", "c1", "有的亲", ts=now),
            ]
        }
    )
    assert status == 202
    before = await kpis(gateway, "alice")
    context, page = await sign_in(browser, gateway, QA)
    await ready(page)
    flag = page.locator("#flags li[data-conversation-id='c1'][data-kind='reply.slow']")
    await expect(flag).to_contain_text("c1")
    await flag.click()
    await expect(page.locator(".transcript .message.highlight")).to_contain_text("这个有货吗")
    await expect(page.locator(".transcript .response.late")).to_contain_text("4.0 s")
    # 回复超时 gives no points by default (the response band scores slowness already)...
    await expect(page.locator("#review-category")).to_have_value("slow")
    await expect(page.locator("#review-points")).to_have_value("0")
    await page.locator("#review-category").select_option("away")  # ...a category's do
    await expect(page.locator("#review-points")).to_have_value("-5")
    await page.locator("#review-category").select_option("slow")
    await page.locator("#review-points").fill("-2")  # this team's own rule
    await page.locator("#review-note").fill("customer waited 4 s")
    await screenshot(page, "qa-desk")
    await page.locator("#review-note").press("Escape")
    await page.keyboard.press("c")  # confirm, from the keyboard
    await expect(page.locator("#flags li[data-kind='reply.slow']")).to_have_count(0)
    after = await kpis(gateway, "alice")
    assert after["qa_confirmed"] == 1
    scores_before, scores_after = before["scores"], after["scores"]
    assert isinstance(scores_before, dict)
    assert isinstance(scores_after, dict)
    assert scores_after["total"] == scores_before["total"] - 2
    await page.locator("#filters select[name=status]").select_option("reviewed")
    reviewed = page.locator("#flags li[data-kind='reply.slow']")
    await expect(reviewed).to_contain_text("confirmed")
    await reviewed.click()
    await expect(page.locator("#review-done")).to_contain_text("customer waited 4 s")
    await context.close()


async def test_a_gap_becomes_a_script_and_the_next_customer_gets_it(
    start_gateway: StartGateway, sqlite_url: str, browser: Browser
) -> None:
    gateway = await open_shop(start_gateway, sqlite_url)
    question = "你们有线下实体店吗"
    await customer_writes(gateway, "c1", question)
    context, page = await sign_in(browser, gateway, SUPERVISOR)
    await page.goto("/console/library")
    await ready(page)
    gap = page.locator("#gaps .gap").filter(has_text="实体店")
    await gap.get_by_role("button").click()
    await expect(page.locator("#field-questions")).to_have_value(re.compile("实体店"))
    await page.locator("#field-id").fill("bad id!")
    await page.locator("#editor button[type=submit]").click()
    errors = page.locator(".field-error:not([hidden])")
    await expect(page.locator(".field-error[data-field=id]")).to_be_visible()
    await expect(page.locator(".field-error[data-field=title]")).to_be_visible()
    assert await errors.count() >= 3  # id, category, title, reply: each at its field
    await screenshot(page, "library-errors")
    await page.locator("#field-id").fill("zh-store")
    await page.locator("#field-category").fill("pre-sale")
    await page.locator("#field-title").fill("线下实体店")
    await page.locator("#field-keywords").fill("实体店")
    await page.locator("#field-reply").fill("亲，我们暂时没有线下实体店，欢迎在线选购～")
    await page.locator("#editor button[type=submit]").click()
    await expect(page.locator("#editor-status")).to_contain_text("Saved")
    await gateway.assign("c2", "alice")
    alice_context, alice = await sign_in(browser, gateway, ALICE)
    await ready(alice)
    await customer_writes(gateway, "c2", "你们有没有线下实体店？")
    await alice.locator("[data-conversation-id='c2']").click()
    await expect(alice.locator(".suggestions .suggestion").first).to_contain_text("实体店")
    await alice_context.close()
    await context.close()


async def test_reports_show_the_figures_and_download_files_that_open(
    start_gateway: StartGateway, sqlite_url: str, browser: Browser
) -> None:
    gateway = await open_shop(start_gateway, sqlite_url)
    await customer_writes(gateway, "c1", SHIPPING)
    status, _ = await gateway.post_events(agent_replies("r1", "alice", "c1", "亲，马上发货"))
    assert status == 202
    context, page = await sign_in(browser, gateway, SUPERVISOR)
    await page.goto("/console/reports")
    await ready(page)
    await expect(page.locator("#agents-table tr.team")).to_contain_text("1")
    await expect(page.locator("#agents-table")).to_contain_text("alice")
    for chart in ("response", "hourly"):
        image = page.locator(f"#chart-{chart}")
        await expect(image).to_have_js_property("complete", True)
        assert await image.evaluate("img => img.naturalWidth") > 100  # a PNG from matplotlib
    await page.locator("#period select[name=period]").select_option("week")
    await page.locator("#period button[type=submit]").click()
    await expect(page.locator("#days-block")).to_be_visible()
    await screenshot(page, "reports")
    async with page.expect_download() as download_info:
        await page.locator("#dl-xlsx").click()
    download = await download_info.value
    path = await download.path()
    assert download.suggested_filename.endswith(".xlsx")
    book = load_workbook(io.BytesIO(path.read_bytes()))
    rows = list(book["Team"].iter_rows(values_only=True))
    assert rows[1][0] == "TEAM"
    assert any(r[0] == "alice" for r in rows)
    async with page.expect_download() as download_info:
        await page.locator("#dl-csv").click()
    csv_text = (await (await download_info.value).path()).read_text(encoding="utf-8-sig")
    assert csv_text.splitlines()[0].startswith("Agent,")
    await context.close()


async def test_an_agents_session_cannot_use_the_supervisors_endpoints(
    start_gateway: StartGateway, sqlite_url: str, browser: Browser
) -> None:
    gateway = await open_shop(start_gateway, sqlite_url)
    await customer_writes(gateway, "c1", SHIPPING)
    context, page = await sign_in(browser, gateway, ALICE)
    await ready(page)
    csrf = await page.evaluate("JSON.parse(document.getElementById('rw-config').textContent).csrf")
    script = """async ([path, method, csrf]) => (await fetch(path, {method,
        headers: {'Content-Type': 'application/json', 'X-CSRF-Token': csrf},
        body: method === 'GET' ? undefined : JSON.stringify({agent_id: 'alice'})})).status"""
    for path, method in [
        ("/api/v1/conversations/c1/assign", "POST"),
        ("/api/v1/flags/1/review", "POST"),
        ("/api/v1/reports/file?period=day", "GET"),
        ("/api/v1/reports/chart?chart=hourly", "GET"),
        ("/api/v1/scripts/zh-greeting", "DELETE"),
    ]:
        assert await page.evaluate(script, [path, method, csrf]) == 403, path
    for name in ("supervisor", "qa", "library", "reports"):
        response = await page.goto(f"/console/{name}")
        assert response is not None
        assert response.status == 403
    await context.close()


async def test_report_endpoints_answer_files_over_http(
    start_gateway: StartGateway, sqlite_url: str
) -> None:
    gateway = await open_shop(start_gateway, sqlite_url)
    async with aiohttp.ClientSession(headers=auth(SUPERVISOR)) as http:
        async with http.get(f"{gateway.url}/api/v1/reports/file?period=month&format=xlsx") as r:
            assert r.status == 200
            assert "attachment" in r.headers["Content-Disposition"]
            load_workbook(io.BytesIO(await r.read()))
        async with http.get(f"{gateway.url}/api/v1/reports/chart?chart=nope") as r:
            assert r.status == 400
        async with http.get(f"{gateway.url}/api/v1/reports/file?period=decade") as r:
            assert r.status == 400
        async with http.get(f"{gateway.url}/api/v1/reports/file?period=quarter") as r:
            assert r.status == 200
            quarter = r.headers["Content-Disposition"]
        async with http.get(f"{gateway.url}/api/v1/reports/file?period=year&format=xlsx") as r:
            assert r.status == 200
            year = r.headers["Content-Disposition"]
            days = load_workbook(io.BytesIO(await r.read()))["Days"]
    today = datetime.now(ZoneInfo(gateway.app[SETTINGS].kpi.timezone)).date()
    assert f"replywatch-quarter-{today.year}-Q{(today.month - 1) // 3 + 1}.html" in quarter
    assert f"replywatch-year-{today.year}.xlsx" in year
    assert days.max_row - 1 == (today - date(today.year, 1, 1)).days + 1  # a row per day so far


async def test_an_agents_library_pick_becomes_a_question_the_supervisor_accepts(
    start_gateway: StartGateway, sqlite_url: str, browser: Browser
) -> None:
    """Alice answers an unusual wording by picking the refund-time script from the
    library search; the supervisor sees the wording proposed in the library editor,
    accepts it, and the script now lists it among its questions."""
    gateway = await open_shop(start_gateway, sqlite_url)
    wording = "钱啥时候能回到我卡上"
    await customer_writes(gateway, "c1", wording)
    alice_context, alice = await sign_in(browser, gateway, ALICE)
    await ready(alice)
    await alice.locator("[data-conversation-id='c1']").click()
    reply = alice.locator("textarea[name=reply]")
    await reply.press("/")
    search = alice.locator("#library-dialog input")
    await search.fill("退款到账")
    await expect(alice.locator("#library-results li").first).to_contain_text("退款")
    await search.press("Enter")
    await expect(reply).to_have_value(re.compile("退款"))
    await reply.press("Control+Enter")
    await expect(alice.locator(".transcript .message.agent")).to_have_count(1)
    await alice_context.close()
    context, page = await sign_in(browser, gateway, SUPERVISOR, locale="zh-CN")
    await page.goto("/console/library")
    await ready(page)
    proposal = page.locator("#proposals .proposal").filter(has_text=wording)
    await expect(proposal).to_contain_text("zh-refund-time")
    await proposal.scroll_into_view_if_needed()
    await screenshot(page, "library-proposals-zh")
    await proposal.get_by_role("button", name="接受").click()
    await expect(page.locator("#editor-status")).to_contain_text("zh-refund-time")
    await expect(page.locator("#proposals")).to_contain_text("暂无建议")
    async with gateway.http.get(
        f"{gateway.url}/api/v1/scripts/zh-refund-time", headers=auth(SUPERVISOR)
    ) as resp:
        assert wording in (await resp.json())["questions"]
    assert page_errors(page) == []
    await context.close()


async def test_a_crowded_wall_lists_the_longest_waiting_and_counts_every_late_customer(
    start_gateway: StartGateway, sqlite_url: str, browser: Browser
) -> None:
    """Carol has 25 customers past due: her card lists the 20 longest waiting with
    "+5 more", and the banner counts all 25."""
    gateway = await open_shop(start_gateway, sqlite_url, busy_concurrency=100)
    now = time.time()
    events = [assigned(f"k{n}", "carol", f"ak{n}", ts=now - 200) for n in range(25)]
    events += [customer_says(f"km{n}", f"k{n}", ts=now - 100 + n) for n in range(25)]
    status, _ = await gateway.post_events({"events": events})
    assert status == 202
    context, wall = await sign_in(browser, gateway, SUPERVISOR)
    await ready(wall)
    carol = wall.locator("[data-agent-id='carol']")
    await expect(carol.locator(".waiting-row")).to_have_count(20)
    await expect(carol.locator(".more")).to_have_text("+5 more waiting")
    await expect(wall.locator("#banner")).to_contain_text("25")
    await carol.scroll_into_view_if_needed()
    await screenshot(wall, "supervisor-wall-crowded")
    await context.close()
