"""An operator runs ``replywatch`` (or ``python -m bot``): the schema command works
and a bad configuration stops with a message naming the key."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.support.processes import ROOT, write_config


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
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
