"""Claims on scheduled report runs: the insert is the claim, so when several gateway
processes fire the same schedule only one writes the report."""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.engine import writer
from storage.tables import REPORT_RUNS


async def claim(engine: AsyncEngine, schedule: str, first_day: str, now: float) -> bool:
    """True for the one caller that gets to write this schedule's report for this period."""
    module = postgresql if engine.dialect.name == "postgresql" else sqlite
    insert = (
        module.insert(REPORT_RUNS)
        .values(schedule=schedule, first_day=first_day, claimed_at=now)
        .on_conflict_do_nothing(index_elements=["schedule", "first_day"])
        .returning(REPORT_RUNS.c.schedule)
    )
    async with writer(engine).begin() as conn:
        return (await conn.execute(insert)).first() is not None


async def release(engine: AsyncEngine, schedule: str, first_day: str) -> None:
    """Give a claim back (the run failed: a later trigger or process may try again)."""
    async with writer(engine).begin() as conn:
        await conn.execute(
            delete(REPORT_RUNS).where(
                REPORT_RUNS.c.schedule == schedule, REPORT_RUNS.c.first_day == first_day
            )
        )
