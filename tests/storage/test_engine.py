"""The schema comes from Alembic migrations, on SQLite and PostgreSQL alike, and
several processes may start (and migrate) at once."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from sqlalchemy import text

from storage.engine import current_revision, make_engine, upgrade
from tests.support.settings import new_postgres_database

HEAD = sorted(
    p.name.split("_")[0]
    for p in (Path(__file__).parents[2] / "storage/migrations/versions").glob("*.py")
)[-1]


async def test_upgrade_is_idempotent(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        assert await current_revision(engine) is None
        await upgrade(engine)
        await upgrade(engine)
        assert await current_revision(engine) == HEAD
    finally:
        await engine.dispose()


async def test_concurrent_upgrades_on_postgresql(postgres_server: Any) -> None:
    url = new_postgres_database(postgres_server)
    engines = [make_engine(url) for _ in range(3)]
    try:
        await asyncio.gather(*(upgrade(e) for e in engines))
        assert await current_revision(engines[0]) == HEAD
    finally:
        for engine in engines:
            await engine.dispose()


async def test_sqlite_runs_in_wal_mode_with_full_sync(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    try:
        async with engine.connect() as conn:
            assert (await conn.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
            assert (await conn.execute(text("PRAGMA synchronous"))).scalar() == 2  # FULL
    finally:
        await engine.dispose()


async def test_the_migrations_build_exactly_the_models_schema(database_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from storage.tables import METADATA

    engine = make_engine(database_url)
    try:
        await upgrade(engine)
        async with engine.connect() as conn:
            diff = await conn.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync), METADATA)
            )
    finally:
        await engine.dispose()
    assert diff == []
