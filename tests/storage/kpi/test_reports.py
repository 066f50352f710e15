"""The report charts' numbers come from the same hour as the KPI fixture."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from monitors.report_data import HourLoad
from storage.kpi import reports as report_queries
from tests.support.storage import END, START, T0


async def test_response_times_fall_into_their_buckets(hour: AsyncEngine) -> None:
    async with hour.connect() as conn:
        team = await report_queries.response_histogram(conn, START, END)
        alice = await report_queries.response_histogram(conn, START, END, agent_id="alice")
    # 5 s (bob) | 10 s, 14 s | 25 s | 30 s  against edges 5, 10, 15, 20, 25, 30, 40 ...
    assert team == [0, 1, 2, 0, 0, 1, 1, 0, 0, 0, 0]
    assert alice == [0, 0, 2, 0, 0, 1, 1, 0, 0, 0, 0]


async def test_load_and_compliance_by_hour_of_day(hour: AsyncEngine) -> None:
    async with hour.connect() as conn:
        hours = await report_queries.hourly_load(conn, T0 - 7200, END)
    assert len(hours) == 24
    assert hours[1] == HourLoad(1, turns=1, within=1, decided=1)
    assert hours[2] == HourLoad(2, turns=9, within=3, decided=7)
    assert sum(h.turns for h in hours) == 10
    assert hours[2].compliance == 3 / 7
    assert hours[5].compliance is None
