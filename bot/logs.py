"""Logging set-up: readable lines by default, one JSON object per line on request."""

from __future__ import annotations

import logging
import sys

from pythonjsonlogger.json import JsonFormatter

TEXT_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


def configure_logging(level: str = "INFO", fmt: str = "text") -> None:
    """Send logs to stderr as text lines or JSON lines."""
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        handler.setFormatter(
            JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s", timestamp=True)
        )
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Routine chatter (each request, each scheduled run every half second) only when asked.
    for name in ("aiohttp.access", "apscheduler"):
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
