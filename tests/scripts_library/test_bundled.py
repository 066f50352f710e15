"""The service starts with a real library: at least 40 entries per language covering
the manuals' situations, written by the rules (no flat refusals)."""

from collections import Counter

from scripts_library.bundled import bundled_scripts
from scripts_library.normalize import has_phrase

FORBIDDEN = ["不行", "不知道", "不可以"]


def test_each_language_has_at_least_40_entries_in_every_situation() -> None:
    library = bundled_scripts()
    for prefix in ("zh-", "en-"):
        entries = [s for s in library if s.id.startswith(prefix)]
        assert len(entries) >= 40
        assert all(len(s.questions) >= 4 for s in entries)
        categories = Counter(s.category for s in entries)
        for needed in (
            "greeting",
            "pre-sale",
            "after-sale",
            "complaint",
            "closing",
            "return-visit",
        ):
            assert categories[needed] >= 1, (prefix, needed)


def test_replies_never_use_a_flat_refusal() -> None:
    for script in bundled_scripts():
        assert has_phrase(script.reply, FORBIDDEN) is None, script.id


def test_there_is_an_automatic_welcome_line() -> None:
    ids = {s.id for s in bundled_scripts()}
    assert {"zh-welcome", "en-welcome", "zh-return-visit"} <= ids
