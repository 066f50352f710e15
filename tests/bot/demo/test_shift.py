"""A newcomer runs ``replywatch demo`` and sees every part of ReplyWatch at work."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import urllib.request

from tests.support.processes import ROOT


def test_the_demo_shows_suggestions_and_every_alert_kind_live() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot", "demo", "--pace", "0.3"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "alice       suggested [发货时间" in out
    assert re.search(r"alice +replies on wx-1001 after 0\.\d+s with the suggested script", out)
    assert "bob         ALERT reply.warning bob on wx-1002" in out
    assert "SUPERVISOR  ALERT reply.slow bob on wx-1002" in out
    assert "SUPERVISOR  ALERT reply.forbidden_phrase bob on wx-1002" in out
    assert "bob         resolved reply.overdue, reply.warning on wx-1002" in out
    assert "dave        ALERT reply.overdue x2 (wx-1008, wx-1009) merged into one popup" in out
    assert out.count("SUPERVISOR  ALERT message.unanswered dave") == 2
    assert "erin        takes over wx-1007 from dave (escalated: nobody answered)" in out
    assert "SUPERVISOR  ALERT conversation.escalated dave on wx-1007" in out
    assert re.search(r"erin +replies on wx-1007 after \d\.\ds with the suggested script", out)
    assert "(auto)      welcome line on wx-1001: 亲王女士，您好！" in out
    # accounts, presence and routing: everyone signs in and comes online, Erin starts on
    # a break, and when Dave drops off his waiting customers are handed over to her
    for agent in ("alice", "bob", "carol", "dave"):
        assert f"SUPERVISOR  {agent} is online (connected)" in out
    assert "erin        signs in, and is on a break (away: no new chats)" in out
    assert "SUPERVISOR  dave is offline (disconnected)" in out
    handover = "from dave (handover: they went offline with a customer waiting)"
    assert f"erin        takes over wx-1008 {handover}" in out
    assert f"erin        takes over wx-1009 {handover}" in out
    assert re.search(r"erin +replies on wx-1009 after \d+\.\ds with the suggested script", out)
    assert "ALERT" not in "".join(line for line in out.splitlines() if "carol" in line)
    shift, _, month_end = out.partition("the month's end")
    kpis = dict(re.findall(r"^  (alice|bob|carol|dave) +(\d+ +\d+ .*)$", shift, re.MULTILINE))
    assert re.fullmatch(r"1 +1 +0\.\d+s +100% +100", kpis["alice"])
    assert re.fullmatch(r"4 +4 +\d\.\ds +100% +100", kpis["carol"])
    # Erin answered Dave's chats (they stay his turns): late, and two of them unanswered
    # for too long first (2 faults)
    assert re.fullmatch(r"3 +3 +\d\.\ds +0% +\d+", kpis["dave"])
    summary = dict(re.findall(r"^  (\S+(?: flags)?) +(\d+)$", out, re.MULTILINE))
    assert summary == {
        "reply.warning": "4",
        "reply.overdue": "4",
        "reply.slow": "4",
        "message.unanswered": "2",
        "reply.forbidden_phrase": "1",
        "conversation.escalated": "1",
        "QA flags": "7",
    }
    month_end, _, web = month_end.partition("the web chat (")
    _assessed(month_end)
    _web_chat(web)


def _web_chat(web: str) -> None:
    """Last, a customer opens the chat page and the agent routing picked answers."""
    assert re.search(r"陈女士 +opens the chat page: an agent is online", web)
    assert re.search(r"陈女士 +-> web chat: 你好，能开发票吗", web)
    routed = re.search(r"\(routing\) +her chat went to (\w+), an online agent", web)
    assert routed is not None
    agent = routed.group(1)
    assert f"{agent:<12}suggested [发票" in web
    assert re.search(rf"{agent} +replies on v-[0-9a-f]{{32}} after \d\.\ds with the suggested", web)
    assert re.search(r"陈女士 +her page shows the automatic line: 亲", web)  # the welcome line
    answer = rf"陈女士 +her page shows {agent.capitalize()}'s answer: 亲，可以开电子发票"
    assert re.search(answer, web)


def _assessed(month_end: str) -> None:
    """The month's end: chats closed, surveys answered, the queue reviewed, one appeal
    overturned, a merit and an adjustment; the assessment as bot/demo/month.py explains."""
    assert "(auto)      survey on wx-1001: 亲，本次服务就到这里啦" in month_end
    assert "customer    rates wx-1001: 5 非常满意" in month_end
    assert "QA          reviews the queue: 7 flags confirmed" in month_end
    rows = re.findall(r"^  (\w+) +80 +(-?\d+) +\+(\d+) +\+(\d+) +(\d+)  (\S+)$", month_end, re.M)
    assert rows == [
        ("alice", "0", "5", "0", "85", "中级客服"),
        ("bob", "-5", "0", "0", "75", "初级客服"),
        ("carol", "0", "0", "2", "82", "中级客服"),
        ("dave", "-10", "0", "0", "70", "初级客服"),
        ("erin", "0", "8", "0", "88", "中级客服"),
    ]
    assert "  alice    +5  csat   satisfaction: satisfied 1/1 (100 %)" in month_end
    assert "  carol    +2  adjust 大促期间同时接待 4 位顾客" in month_end
    assert "  erin     +3  merit  merit: 接手 Dave 掉线后的全部顾客" in month_end


def test_with_stay_the_newcomer_can_open_the_chat_page_until_ctrl_c() -> None:
    command = [sys.executable, "-m", "bot", "demo", "--pace", "0.3", "--stay"]
    with subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    ) as demo:
        try:
            assert demo.stdout is not None
            lines = iter(demo.stdout.readline, "")
            pattern = re.compile(r"be the customer: open (\S+)/chat")
            found = next((m for line in lines if (m := pattern.search(line))), None)
            assert found is not None
            with urllib.request.urlopen(f"{found.group(1)}/chat", timeout=10) as page:
                assert page.status == 200
                assert 'name="message"' in page.read().decode()
            assert demo.poll() is None  # still serving
            demo.send_signal(signal.SIGINT)
            assert demo.wait(30) == 0
            assert "run `replywatch serve`" in demo.stdout.read()  # closed as it should
        finally:
            if demo.poll() is None:
                demo.kill()


def test_a_bad_pace_is_refused() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot", "demo", "--pace", "0"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 2
    assert "pace must be above 0" in done.stderr
