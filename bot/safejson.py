"""JSON from outside, with limits: every input path (HTTP bodies, paging cursors)
decodes through :func:`loads`, so deep nesting, huge numbers, ``NaN`` and NUL
characters get a clear 400 instead of a stack overflow, a hang or a database error."""

from __future__ import annotations

import json
from typing import Any

#: Deepest nesting accepted (the API's documents are a few levels deep).
MAX_DEPTH = 32
#: Longest integer accepted, in digits (epoch milliseconds have 13).
MAX_DIGITS = 20


class JsonProblem(ValueError):
    """The text is not acceptable JSON; the message says why."""


def _int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_DIGITS:
        raise JsonProblem(f"number too large ({len(text)} digits)")
    return int(text)


def _constant(name: str) -> Any:
    raise JsonProblem(f"{name} is not JSON")


def loads(raw: bytes | str) -> Any:
    """Decode and check ``raw``: at most :data:`MAX_DEPTH` deep, integers of at most
    :data:`MAX_DIGITS` digits, no ``NaN``/``Infinity``, no NUL in any string."""
    try:
        value = json.loads(raw, parse_int=_int, parse_constant=_constant)
    except RecursionError:
        raise JsonProblem(f"nested deeper than {MAX_DEPTH} levels") from None
    except JsonProblem:
        raise
    except (UnicodeDecodeError, ValueError) as exc:
        raise JsonProblem(str(exc)) from exc
    if not _within_limits(raw):
        check(value)
    return value


def _within_limits(raw: bytes | str) -> bool:
    """Whether the text alone shows that the limits hold: too few brackets to nest past
    :data:`MAX_DEPTH` and no ``\\u0000`` escape (a NUL can only come from one), so the
    common small body skips the walk over the decoded value."""
    if isinstance(raw, str):
        return raw.count("[") + raw.count("{") <= MAX_DEPTH and "\\u0000" not in raw
    return raw.count(b"[") + raw.count(b"{") <= MAX_DEPTH and b"\\u0000" not in raw


def check(value: Any) -> None:
    """Raise :class:`JsonProblem` if ``value`` (decoded JSON) breaks the limits."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                raise JsonProblem("text may not contain NUL (\\u0000)")
        elif isinstance(item, dict | list):
            if depth > MAX_DEPTH:
                raise JsonProblem(f"nested deeper than {MAX_DEPTH} levels")
            children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
