"""Engine creation, SQLite tuning and schema migration (Alembic) for both backends."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

MIGRATIONS = Path(__file__).parent / "migrations"
WRITE_OPTION = "replywatch_write"
_PG_MIGRATION_LOCK = 0x52574D47  # any fixed key; "RWMG"


#: How long a SQLite statement waits for another process's lock before giving up.
LOCK_TIMEOUT = 3.0


def make_engine(url: str, *, pool_size: int = 5, lock_timeout: float = LOCK_TIMEOUT) -> AsyncEngine:
    """Create the async engine; SQLite gets WAL, FULL sync and IMMEDIATE write transactions,
    and waits at most ``lock_timeout`` seconds for a lock another process holds."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:":
            Path(database).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, pool_size=pool_size, max_overflow=pool_size)
        _tune_sqlite(engine.sync_engine, lock_timeout)
        return engine
    return create_async_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)


def make_sync_sqlite_engine(engine: AsyncEngine, lock_timeout: float = LOCK_TIMEOUT) -> Engine:
    """A blocking (pysqlite) engine on the same SQLite file, tuned the same way.

    The group writer runs a whole transaction in one worker-thread call with it,
    instead of one thread hop per driver call through aiosqlite.
    """
    url = engine.url.set(drivername="sqlite+pysqlite")
    sync_engine = create_engine(url, pool_size=1, max_overflow=0)
    _tune_sqlite(sync_engine, lock_timeout)
    return sync_engine


def _tune_sqlite(engine: Engine, lock_timeout: float) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # We emit BEGIN ourselves (below) so that writers can take the lock up front.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in (
            "PRAGMA journal_mode=WAL",
            "PRAGMA synchronous=FULL",
            f"PRAGMA busy_timeout={round(lock_timeout * 1000)}",
            "PRAGMA foreign_keys=ON",
        ):
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # A deferred transaction that reads then writes can fail with SQLITE_BUSY when
        # another process writes in between; writers take the write lock at BEGIN.
        immediate = conn.get_execution_options().get(WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def writer(engine: AsyncEngine) -> AsyncEngine:
    """The same engine, marked so that its transactions begin as writers."""
    return engine.execution_options(**{WRITE_OPTION: True})


def alembic_config(url: str | None = None) -> Config:
    """An Alembic config pointing at the bundled migrations."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def _upgrade_sync(connection: Connection, revision: str) -> None:
    cfg = alembic_config()
    cfg.attributes["connection"] = connection
    command.upgrade(cfg, revision)


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Bring the schema to ``revision``; safe when several processes start at once."""
    async with writer(engine).begin() as conn:
        if engine.dialect.name == "postgresql":
            await conn.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK}
            )
        await conn.run_sync(_upgrade_sync, revision)


async def current_revision(engine: AsyncEngine) -> str | None:
    """The schema revision the database is at (None before the first migration)."""
    from alembic.runtime.migration import MigrationContext

    def _read(connection: Connection) -> str | None:
        return MigrationContext.configure(connection).get_current_revision()

    async with engine.connect() as conn:
        return await conn.run_sync(_read)
