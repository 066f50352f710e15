"""A supervisor writes today's report from the command line and opens it: the team
row, one row per agent, the library's gaps, the most asked questions and the charts
are there."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
import time
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.support.events import agent_replies, assigned, customer_says
from tests.support.gateway import StartGateway
from tests.support.processes import ROOT, write_config
from tests.support.settings import make_settings
from tests.support.tokens import SUPERVISOR, auth


@pytest.fixture
async def today_db(start_gateway: StartGateway, sqlite_url: str, tmp_path: Path) -> Path:
    gateway = await start_gateway(make_settings(sqlite_url))
    now = time.time()
    events = [
        assigned("c1", "alice", "a1"),
        customer_says("m1", conv="c1", text="几天发货", ts=now - 100),
        agent_replies("r1", "alice", conv="c1", ts=now - 90),
        assigned("c2", "bob", "a2"),
        customer_says("m2", conv="c2", text="你们的猫粮适合几个月的小猫", ts=now - 80),
        agent_replies("r2", "bob", conv="c2", ts=now - 50),
    ]
    status, _ = await gateway.post_events({"events": events})
    assert status == 202
    await gateway.suggested()  # the gaps come from the messages' suggestions
    return write_config(tmp_path / "report.toml", sqlite_url)


def report(config: Path, out: Path, fmt: str, *extra: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "bot", "report", "--config", str(config), "--format", fmt]
    return subprocess.run(
        [*command, "--output", str(out), *extra],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_xlsx_report_holds_the_team_agents_gaps_and_charts(
    today_db: Path, tmp_path: Path
) -> None:
    done = report(today_db, tmp_path / "out", "xlsx")
    assert done.returncode == 0, done.stderr
    assert "[5/5] writing xlsx" in done.stderr
    [path] = [Path(line) for line in done.stdout.split()]
    assert path.name == f"replywatch-day-{time.strftime('%Y-%m-%d', time.gmtime())}.xlsx"
    book = load_workbook(path)
    assert book.sheetnames == ["Team", "Library gaps", "Most asked", "Complaints", "Charts"]
    rows = list(book["Team"].iter_rows(values_only=True))
    assert rows[0][:4] == ("Agent", "Customers received", "Customers replied", "Reply rate")
    by_agent = {row[0]: row for row in rows[1:]}
    assert set(by_agent) == {"TEAM", "alice", "bob"}
    assert by_agent["TEAM"][1:3] == (2, 2)
    assert by_agent["alice"][5] == pytest.approx(10, abs=0.01)  # average response
    assert by_agent["bob"][5] == pytest.approx(30, abs=0.01)
    gaps = list(book["Library gaps"].iter_rows(values_only=True))
    assert gaps[1][:2] == ("你们的猫粮适合几个月的小猫", 1)
    asked = list(book["Most asked"].iter_rows(values_only=True))
    assert asked[0] == ("Question", "Times asked", "Answered by", "Accepted", "Acceptance")
    answered = {row[0]: row[1:] for row in asked[1:] if row[2]}
    unanswered = {row[0]: row[1:] for row in asked[1:] if not row[2]}
    [(count, _, accepted, acceptance)] = answered.values()  # 几天发货: the delivery script
    assert (count, accepted, acceptance) == (1, 0, 0)
    assert unanswered == {"你们的猫粮适合几个月的小猫": (1, None, None, None)}
    assert len(book["Charts"]._images) == 2


def test_html_and_csv_reports(today_db: Path, tmp_path: Path) -> None:
    done = report(today_db, tmp_path / "out", "html")
    assert done.returncode == 0, done.stderr
    page = Path(done.stdout.strip()).read_text(encoding="utf-8")
    assert page.count('src="data:image/png;base64,') == 2
    assert "<td>alice</td>" in page
    assert "Most asked questions" in page
    assert "Complaints by category" in page
    done = report(today_db, tmp_path / "out", "csv", "--period", "week")
    assert done.returncode == 0, done.stderr
    main, gaps, asked, complaints = (Path(line) for line in done.stdout.split())
    assert complaints.read_text(encoding="utf-8-sig").splitlines() == ["Category,Complaints"]
    assert main.name.startswith("replywatch-week-")
    with main.open(encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    assert [row[0] for row in rows] == ["Agent", "TEAM", "alice", "bob"]
    assert "你们的猫粮" in gaps.read_text(encoding="utf-8-sig")
    with asked.open(encoding="utf-8-sig") as f:
        most = list(csv.reader(f))
    assert most[0][:2] == ["Question", "Times asked"]
    assert sorted(row[1] for row in most[1:]) == ["1", "1"]


def test_a_bad_date_is_refused(today_db: Path, tmp_path: Path) -> None:
    done = report(today_db, tmp_path / "out", "html", "--date", "22.11.2026")
    assert done.returncode == 2
    assert "YYYY-MM-DD" in done.stderr


async def test_chat_text_that_looks_like_a_formula_stays_text_in_the_spreadsheets(
    start_gateway: StartGateway, sqlite_url: str
) -> None:
    """A customer asks ``=HYPERLINK(...)`` and an agent id starts with ``@``: the XLSX
    holds both as text cells (never formulas) and the CSV starts them with ``'``."""
    gateway = await start_gateway(make_settings(sqlite_url))
    question = '=HYPERLINK("http://evil.example","点我")'
    now = time.time()
    events = [
        assigned("c1", "@evil", "a1"),
        customer_says("m1", conv="c1", text=question, ts=now - 20),
        agent_replies("r1", "@evil", conv="c1", ts=now - 10),
    ]
    status, _ = await gateway.post_events({"events": events})
    assert status == 202
    await gateway.suggested()  # the gaps come from the messages' suggestions
    url = f"{gateway.url}/api/v1/reports/file"
    async with gateway.http.get(url, params={"format": "xlsx"}, headers=auth(SUPERVISOR)) as r:
        assert r.status == 200
        book = load_workbook(io.BytesIO(await r.read()))
    [gap] = [row[0] for row in book["Library gaps"].iter_rows(min_row=2)]
    assert (gap.value, gap.data_type) == (question, "s")
    agents = {row[0].value: row[0].data_type for row in book["Team"].iter_rows(min_row=2)}
    assert agents["@evil"] == "s"
    async with gateway.http.get(url, params={"format": "csv"}, headers=auth(SUPERVISOR)) as r:
        rows = list(csv.reader(io.StringIO((await r.read()).decode("utf-8-sig"))))
    assert [row[0] for row in rows] == ["Agent", "TEAM", "'@evil"]
