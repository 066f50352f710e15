"""The console's static files, and their URLs with a content hash."""

from __future__ import annotations

import functools
import hashlib
from importlib import resources
from pathlib import Path

STATIC = Path(str(resources.files("bot.console") / "static"))


@functools.cache
def asset(name: str) -> str:
    """The URL of a static file, with its content hash so browsers never run a stale one."""
    digest = hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:12]
    return f"/static/{name}?v={digest}"
