"""The demo's month end (DESIGN.md section 12), played right after the shift: chats are
closed and customers answer the survey, QA reviews the queue, Dave appeals and a
supervisor overturns, Erin is praised, Carol's month is adjusted, and the month's
assessment is printed with every entry that explains it.

What each agent ends with (base 80, the manuals' categories):

- alice: her customer rates 5 (1 of 1 satisfied) -> satisfaction merit +5 -> 85 中级客服;
- bob: his 不行 confirmed at -5, his slow reply confirmed at the category's 0 -> 75 初级客服;
- carol: ratings 5, 4, 5, 3 (75 % satisfied: no merit), adjustment +2 -> 82 中级客服;
- dave: two unanswered chats confirmed at -10 each, one overturned on appeal -> 70 初级客服;
- erin: three slow replies at 0, praise +3, her customer rates 5 -> +8 -> 88 中级客服.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.demo.consoles import QA, SUPERVISOR, expect_status

if TYPE_CHECKING:
    from bot.demo.shift import Shift

#: (conversation, agent who closes it, the customer's answer to the survey).
RATED = [
    ("wx-1001", "alice", "5 非常满意"),
    ("wx-1003", "carol", "5"),
    ("wx-1004", "carol", "满意"),
    ("wx-1005", "carol", "5分"),
    ("wx-1006", "carol", "一般"),
]
#: Erin closed wx-1008 in the shift; its customer answers the survey too.
ALREADY_CLOSED = [("wx-1008", "非常满意")]
NOTES = {
    "reply.forbidden_phrase": (-5.0, "对顾客说“不行”：应改为积极的说法"),
    "reply.slow": (None, "响应慢：已计入 KPI 响应时间"),
    "message.unanswered": (None, "5 分钟未回复"),
}


async def _call(shift: Shift, method: str, path: str, token: str, body: Any = None) -> Any:
    headers = {"Authorization": f"Bearer {token}"}
    async with shift.http.request(method, f"{shift.url}{path}", json=body, headers=headers) as r:
        return await expect_status(r, 201 if path.endswith(("/appeal", "/merits")) else 200)


async def _rate(shift: Shift, conv: str, text: str) -> None:
    await shift.post(
        {"id": f"{conv}-rating", "conversation_id": conv, "text": text}
        | {"sender": {"role": "customer", "id": f"cust-{conv}"}}
    )
    shift.screen.show("customer", f"rates {conv}: {text}")


async def close_and_rate(shift: Shift) -> None:
    """Agents close their chats from the console; the customers answer the survey."""
    for conv, agent, answer in RATED:
        token = shift.agents[agent].token
        await _call(shift, "POST", f"/api/v1/conversations/{conv}/close", token, {})
        shift.screen.show(agent, f"closes {conv}: the survey goes to the customer")
        await _rate(shift, conv, answer)
    for conv, answer in ALREADY_CLOSED:
        await _rate(shift, conv, answer)


async def review(shift: Shift) -> None:
    """QA confirms every flag in the queue (the category's points unless noted); Dave
    appeals one unanswered chat and a supervisor overturns it; Erin is praised and
    Carol's month adjusted."""
    queue = await _call(shift, "GET", "/api/v1/flags?limit=100", QA)
    unanswered = []
    for flag in sorted(queue["items"], key=lambda f: f["id"]):
        points, note = NOTES.get(flag["kind"], (None, "已核实"))
        body: dict[str, Any] = {"verdict": "confirmed", "note": note}
        if points is not None:
            body["points"] = points
        await _call(shift, "POST", f"/api/v1/flags/{flag['id']}/review", QA, body)
        if flag["kind"] == "message.unanswered":
            unanswered.append(flag)
    shift.screen.show("QA", f"reviews the queue: {len(queue['items'])} flags confirmed")
    appealed = unanswered[-1]
    reason = {"reason": "网络断线，顾客已转交 Erin 接待"}
    await _call(
        shift, "POST", f"/api/v1/flags/{appealed['id']}/appeal", shift.agents["dave"].token, reason
    )
    shift.screen.show(
        "dave", f"appeals the flag on {appealed['conversation_id']}: {reason['reason']}"
    )
    decision = {"decision": "overturned", "note": "断网属实，已及时转交"}
    await _call(
        shift, "POST", f"/api/v1/flags/{appealed['id']}/appeal/decision", SUPERVISOR, decision
    )
    shift.screen.show("SUPERVISOR", "overturns it: that flag now counts 0")
    praise = {"agent_id": "erin", "points": 3, "reason": "接手 Dave 掉线后的全部顾客"}
    await _call(shift, "POST", "/api/v1/merits", SUPERVISOR, praise)
    shift.screen.show("SUPERVISOR", f"praises erin +3: {praise['reason']}")
    month = (await _call(shift, "GET", "/api/v1/assessment", SUPERVISOR))["items"][0]["month"]
    adjustment = {"adjustment": 2, "reason": "大促期间同时接待 4 位顾客"}
    await _call(shift, "PUT", f"/api/v1/assessment/{month}/carol", SUPERVISOR, adjustment)
    shift.screen.show("SUPERVISOR", f"adjusts carol's month +2: {adjustment['reason']}")


async def assessment(shift: Shift) -> dict[str, Any]:
    """The month's assessment, from ``GET /api/v1/assessment``."""
    answer: dict[str, Any] = await _call(shift, "GET", "/api/v1/assessment", SUPERVISOR)
    return answer


def print_assessment(shift: Shift, month: dict[str, Any]) -> None:
    """The assessment table, then each agent's entries: how every number was reached."""
    out = shift.screen.out
    name = month["items"][0]["month"] if month["items"] else ""
    print(
        f"\nthe month's assessment (GET /api/v1/assessment?month={name}):"
        " base + points (kept within -20..+20) + adjustment, capped at 100",
        file=out,
    )
    print("  agent  base  flags  merits  adjust  score  grade", file=out)
    for item in month["items"]:
        grade = item["grade"] or "(below 70: not graded)"
        print(
            f"  {item['agent_id']:<6}{item['base']:>5.0f}{item['deductions']:>7.0f}"
            f"{item['additions']:>+8.0f}{item['adjustment']:>+8.0f}{item['score']:>7.0f}  {grade}",
            file=out,
        )
    print("how each number was reached (the entries):", file=out)
    for item in month["items"]:
        for entry in item["entries"]:
            what = entry["category_name"] or entry["source"]
            if entry["source"] == "csat":
                what = "satisfaction"
            print(
                f"  {item['agent_id']:<6}{entry['points']:>+5.0f}  {entry['source']:<7}"
                f"{what}: {entry['reason'] or ''}",
                file=out,
            )
        if item["adjustment"]:
            print(
                f"  {item['agent_id']:<6}{item['adjustment']:>+5.0f}  adjust "
                f"{item['adjustment_reason']}",
                file=out,
            )
