"""A database that stays down for minutes gives one traceback and a count a minute, not
a traceback every half second; the log says when it works again."""

from __future__ import annotations

import logging

import pytest

from bot.logs import Incident


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
