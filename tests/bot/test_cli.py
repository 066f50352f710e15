"""An operator runs ``replywatch`` (or ``python -m bot``): the schema command works,
the KPI rollups can be rebuilt, and a bad configuration stops with a message naming
the key."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncEngine

from monitors.periods import Period, bounds
from storage import users
from storage.engine import make_engine, upgrade
from storage.kpi import queries as kpi_queries
from storage.kpi import rollup_reads
from tests.support.events import agent_replies, assigned, customer_says
from tests.support.processes import ROOT, write_config
from tests.support.storage import T0, ingest


def run(
    *args: str, env: dict[str, str] | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        input=stdin,
    )


def test_db_upgrade_creates_the_schema(tmp_path: Path) -> None:
    config = write_config(tmp_path / "c.toml", f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}")
    result = run("db", "upgrade", "--config", str(config))
    assert result.returncode == 0, result.stderr
    assert "database at revision" in result.stdout
    assert (tmp_path / "db.sqlite").exists()


def test_a_bad_config_stops_serve_with_the_key_named(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text("[monitor]\nreply_seconds = 'soon'\n", encoding="utf-8")
    result = run("serve", "--config", str(config))
    assert result.returncode == 2
    assert "monitor.reply_seconds" in result.stderr
    assert "Traceback" not in result.stderr


async def test_kpi_rebuild_builds_the_rollups_the_figures_then_come_from(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}"
    config = write_config(tmp_path / "c.toml", url)
    engine = make_engine(url)
    try:
        await _rebuild_and_read(engine, config)
    finally:
        await engine.dispose()


async def _rebuild_and_read(engine: AsyncEngine, config: Path) -> None:
    await upgrade(engine)  # an older database: turns stored before the rollups existed
    await ingest(
        engine,
        assigned("c1", "alice", "a1", ts=T0 - 5),
        customer_says("m1", "c1", ts=T0),
        agent_replies("r1", "alice", "c1", ts=T0 + 12),
        customer_says("m2", "c2", ts=T0 + 30),
    )
    result = await asyncio.to_thread(run, "kpi", "rebuild", "--config", str(config))
    assert result.returncode == 0, result.stderr
    assert "KPI rollups rebuilt in UTC: 2 turns" in result.stdout
    zone = ZoneInfo("UTC")
    start, end = bounds(Period.DAY, datetime.fromtimestamp(T0, zone).date(), zone)
    async with engine.connect() as conn:
        rolled = await kpi_queries.figures(conn, start, end, timezone="UTC")
        assert await conn.run_sync(rollup_reads.usable, "UTC", start, end, end) is not None
        assert rolled == await kpi_queries.figures(conn, start, end)
    assert (rolled[None].turns, rolled["alice"].response_seconds_avg) == (2, 12)


async def test_the_first_admin_is_added_on_the_command_line(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}"
    config = str(write_config(tmp_path / "c.toml", url))
    add = ("user", "add", "root", "--role", "admin", "--name", "Ro Ot", "--password-stdin")
    result = run(*add, "--config", config, stdin="a long enough secret\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "user root (admin) added"
    again = run(*add, "--config", config, stdin="a long enough secret\n")
    assert (again.returncode, again.stderr.strip()) == (
        1,
        "replywatch: a user called 'root' exists",
    )
    engine = make_engine(url)
    try:
        user = await users.get(engine, "root")
        found = await users.password_hash(engine, "root")
    finally:
        await engine.dispose()
    assert user is not None
    assert (user.name, user.role, user.active) == ("Ro Ot", "admin", True)
    assert found is not None
    assert found[1] is not None
    assert found[1].startswith("$argon2id$")


def test_a_bad_account_on_the_command_line_names_every_problem(tmp_path: Path) -> None:
    config = str(write_config(tmp_path / "c.toml", f"sqlite+aiosqlite:///{tmp_path / 'db'}"))
    result = run(
        "user",
        "add",
        "Not OK",
        "--role",
        "admin",
        "--password-stdin",
        "--config",
        config,
        stdin="short\n",
    )
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "replywatch: 'Not OK' is not a sign-in name: 1-64 of a-z, 0-9, '.', '_', '-'",
        "replywatch: the password must have at least 10 characters",
    ]
    missing = run("user", "add", "root", "--role", "admin", "--config", config, stdin="")
    assert missing.returncode == 2
    assert "--password-stdin" in missing.stderr
    assert not (tmp_path / "db").exists()  # nothing was written
