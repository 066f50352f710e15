"""Logging set-up: readable lines by default, one JSON object per line on request."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable

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


class Incident:
    """One log line per incident, not one per retry: the first failure with its
    traceback, then a count every ``every`` seconds while it lasts, and a line when it
    is over. For loops that retry every fraction of a second (the sweep, the outbox)."""

    def __init__(
        self,
        logger: logging.Logger,
        what: str,
        every: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._log, self._what, self._every, self._clock = logger, what, every, clock
        self._since: float | None = None
        self._last_said = 0.0
        self._failures = 0

    def failed(self, error: BaseException) -> None:
        """Another failure of the same kind (call from an ``except`` block)."""
        now = self._clock()
        self._failures += 1
        if self._since is None:
            self._since, self._last_said = now, now
            self._log.error("%s failed; retrying: %s", self._what, error, exc_info=error)
        elif now - self._last_said >= self._every:
            self._last_said = now
            self._log.error(
                "%s still failing after %.0f s (%d attempts): %s",
                self._what,
                now - self._since,
                self._failures,
                error,
            )

    def ok(self) -> None:
        """It worked: close the incident if there was one."""
        if self._since is not None:
            self._log.warning(
                "%s works again after %.0f s (%d failed attempts)",
                self._what,
                self._clock() - self._since,
                self._failures,
            )
        self._since, self._failures = None, 0
