"""Every JSON input is held to the same limits, whether the quick look at the text
settles it or the decoded value has to be walked."""

from __future__ import annotations

import pytest

from bot.safejson import MAX_DEPTH, JsonProblem, loads


@pytest.mark.parametrize("kind", [bytes, str])
def test_a_nul_is_refused_in_a_small_body_and_in_a_bracket_heavy_one(kind: type) -> None:
    small = '{"text": "hi\\u0000there"}'
    heavy = '{"events": [' + ",".join(['{"text": "a"}'] * 40) + ', {"text": "\\u0000"}]}'
    for body in (small, heavy):
        raw = body.encode() if kind is bytes else body
        with pytest.raises(JsonProblem, match="NUL"):
            loads(raw)


def test_nesting_is_counted_whatever_the_size() -> None:
    deep = "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1)
    with pytest.raises(JsonProblem, match="deeper"):
        loads(deep.encode())
    at_limit = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    assert loads(at_limit) is not None
    wide = '{"a": [' + ",".join(["[1]"] * 100) + "]}"  # many brackets, shallow
    assert len(loads(wide)["a"]) == 100


def test_an_escaped_backslash_before_u0000_is_text_not_a_nul() -> None:
    assert loads(b'{"text": "C:\\\\u0000"}') == {"text": "C:\\u0000"}
