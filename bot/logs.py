"""Logging set-up: readable lines by default, one JSON object per line on request."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from typing import Any

from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.web_protocol import RequestPayloadError
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


#: A client's malformed request: aiohttp answered it with a 400 and closed the connection.
CLIENT_FAULTS: tuple[type[BaseException], ...] = (HttpProcessingError, RequestPayloadError)


class ServerLog(logging.LoggerAdapter[logging.Logger]):
    """aiohttp's server logger (``handler_args={"logger": ...}``) with a client's
    malformed request (a request line or header over the limit, a body that cannot be
    decoded) logged as one WARNING line without a traceback, at most once per
    ``every`` seconds per kind with a count of the rest: the client got its 400 and the
    server is fine, so it is no ERROR and no flood."""

    def __init__(self, every: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(logging.getLogger("aiohttp.server"))
        self._every, self._clock = every, clock
        self._said: dict[str, tuple[float, int]] = {}

    def exception(self, msg: object, *args: object, exc_info: Any = True, **kw: Any) -> None:
        """Log a failure: a client's fault briefly, anything else with its traceback."""
        error = exc_info if isinstance(exc_info, BaseException) else sys.exc_info()[1]
        if not isinstance(error, CLIENT_FAULTS):
            super().exception(msg, *args, exc_info=exc_info, **kw)
            return
        kind = type(error).__name__
        now = self._clock()
        last, muted = self._said.get(kind, (-self._every, 0))
        if now - last < self._every:
            self._said[kind] = (last, muted + 1)
            return
        self._said[kind] = (now, 0)
        more = f" ({muted} more like it since the last line)" if muted else ""
        reason = str(error).replace("\n", " ").strip()
        self.warning("malformed request refused with 400: %s: %s%s", kind, reason, more)
