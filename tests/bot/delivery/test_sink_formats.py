"""A supervisor's group chat names every alert kind in both languages."""

from __future__ import annotations

from bot.delivery.sink_formats import LABELS
from monitors.rules import AlertKind


def test_every_alert_kind_has_a_chinese_and_an_english_label() -> None:
    assert set(LABELS) == set(AlertKind)
    assert all(zh and en and zh != en for zh, en in LABELS.values())
