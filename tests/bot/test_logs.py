"""A database that stays down for minutes gives one traceback and a count a minute, not
a traceback every half second; the log says when it works again."""

from __future__ import annotations

import logging

import pytest
from aiohttp.web_protocol import RequestPayloadError

from bot.logs import Incident, ServerLog


def test_an_incident_is_logged_once_then_counted_then_closed(
    caplog: pytest.LogCaptureFixture,
) -> None:
    now = [0.0]
    incident = Incident(logging.getLogger("test.incident"), "the sweep", 60, lambda: now[0])
    caplog.set_level(logging.WARNING, "test.incident")
    for _ in range(250):  # two minutes and more of failures, twice a second
        incident.failed(ConnectionError("database unreachable"))
        now[0] += 0.5
    incident.ok()
    incident.ok()
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 4
    assert lines[0] == "the sweep failed; retrying: database unreachable"
    assert caplog.records[0].exc_info is not None  # the one traceback
    assert lines[1] == "the sweep still failing after 60 s (121 attempts): database unreachable"
    assert lines[2] == "the sweep still failing after 120 s (241 attempts): database unreachable"
    assert lines[3] == "the sweep works again after 125 s (250 failed attempts)"


def test_a_clients_malformed_requests_make_one_short_warning_a_minute(
    caplog: pytest.LogCaptureFixture,
) -> None:
    now = [0.0]
    log = ServerLog(60, lambda: now[0])
    caplog.set_level(logging.WARNING, "aiohttp.server")
    for _ in range(100):  # a client retrying a corrupt body every second
        log.exception("Unhandled exception", exc_info=RequestPayloadError("cannot decode gzip"))
        now[0] += 1
    lines = [(r.levelname, r.getMessage(), r.exc_info) for r in caplog.records]
    assert lines == [
        ("WARNING", "malformed request refused with 400: RequestPayloadError: "
         "cannot decode gzip", None),
        ("WARNING", "malformed request refused with 400: RequestPayloadError: "
         "cannot decode gzip (59 more like it since the last line)", None),
    ]  # fmt: skip


def test_a_server_fault_keeps_its_error_and_traceback(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, "aiohttp.server")
    try:
        raise RuntimeError("a bug")
    except RuntimeError:
        ServerLog().exception("Error handling request")
    (record,) = caplog.records
    assert (record.levelname, record.getMessage()) == ("ERROR", "Error handling request")
    assert record.exc_info is not None
