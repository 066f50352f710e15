"""The supervisor's daily report arrives by itself: a cron job in the running service
writes it and announces it to the team's chat-group webhook."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.delivery.webhooks import verify
from bot.jobs.reports import ReportJob, covered_day
from bot.keys import ENGINE, METRICS, SCHEDULER
from bot.settings import cron_trigger
from monitors.periods import Period
from tests.support.events import agent_replies, customer_says
from tests.support.gateway import StartGateway
from tests.support.receiver import Receiver
from tests.support.settings import make_settings

SECRET = "report-webhook-secret"


@pytest.mark.parametrize(
    ("period", "covers", "expected"),
    [
        (Period.DAY, "previous", date(2026, 11, 21)),
        (Period.DAY, "current", date(2026, 11, 22)),
        (Period.WEEK, "previous", date(2026, 11, 15)),  # the week of Mon 9 - Sun 15
        (Period.MONTH, "previous", date(2026, 10, 31)),
        (Period.QUARTER, "previous", date(2026, 9, 30)),
        (Period.QUARTER, "current", date(2026, 11, 22)),
        (Period.YEAR, "previous", date(2025, 12, 31)),
    ],
)
def test_a_run_reports_the_period_it_should(period: Period, covers: str, expected: date) -> None:
    assert covered_day(period, date(2026, 11, 22), covers) == expected


def test_the_cron_runs_in_the_team_time_zone() -> None:
    trigger = cron_trigger("0 8 * * *", "Asia/Shanghai")
    now = datetime(2026, 11, 22, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai: today's run is past
    fire = trigger.get_next_fire_time(None, now)
    assert fire is not None
    assert fire.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%d %H:%M") == "23 08:00"


async def test_a_scheduled_report_is_written_and_announced(
    start_gateway: StartGateway,
    sqlite_url: str,
    tmp_path: Path,
    receivers: Callable[..., Awaitable[Receiver]],
) -> None:
    chat_group = await receivers()
    schedule = {
        "period": "day",
        "cron": "0 8 * * *",
        "covers": "current",
        "formats": ["html", "xlsx"],
        "output_dir": str(tmp_path / "reports"),
        "webhook": {"url": chat_group.url, "secret": SECRET},
    }
    gateway = await start_gateway(make_settings(sqlite_url, reports={"schedule": [schedule]}))
    now = time.time()
    events = [
        customer_says("m1", conv="c1", ts=now - 60),
        agent_replies("r1", "alice", conv="c1", ts=now - 52),
    ]
    assert (await gateway.post_events({"events": events}))[0] == 202
    job = gateway.app[SCHEDULER].get_job("report-0-day")
    assert job is not None
    assert job.next_run_time.strftime("%H:%M:%S") == "08:00:00"
    job.modify(next_run_time=datetime.now(UTC))  # the clock reaches 08:00
    await chat_group.wait_for(1, within=30)
    [announced] = chat_group.bodies()
    headers, raw = chat_group.requests[0]
    assert headers["X-ReplyWatch-Event"] == "report"
    stamp, signature = headers["X-ReplyWatch-Timestamp"], headers["X-ReplyWatch-Signature"]
    assert verify(SECRET, stamp, raw, signature, time.time())
    report = announced["report"]
    assert report["period"] == "day"
    assert report["team"]["customers_replied"] == 1
    files = [Path(f) for f in report["files"]]
    assert sorted(f.suffix for f in files) == [".html", ".xlsx"]
    assert all(f.exists() and f.parent == tmp_path / "reports" for f in files)


async def test_with_several_gateways_each_report_is_written_once(
    start_gateway: StartGateway, sqlite_url: str, tmp_path: Path
) -> None:
    schedule = {"period": "day", "cron": "0 8 * * *", "output_dir": str(tmp_path / "out")}
    settings = make_settings(sqlite_url, reports={"schedule": [schedule]})
    gateway = await start_gateway(settings)
    engine = gateway.app[ENGINE]
    first, second = (
        ReportJob(engine, settings, settings.reports.schedule[0], gateway.app[METRICS])
        for _ in range(2)
    )
    assert [f.suffix for f in await first.run()] == [".html"]
    assert await second.run() == []  # the same day's report, claimed by the first
