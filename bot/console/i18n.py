"""The console's two languages: every string in ``i18n/zh-CN.json`` and ``i18n/en.json``
(the same keys in both, checked by a test), chosen by the ``rw_lang`` cookie (the
page's switch), else the browser's ``Accept-Language``, else ``console.default_language``."""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Literal, cast

from aiohttp import web

Language = Literal["zh-CN", "en"]
LANGUAGES: tuple[Language, ...] = ("zh-CN", "en")
COOKIE = "rw_lang"


@functools.cache
def dictionary(language: Language) -> dict[str, str]:
    """Every console string in ``language``."""
    text = (resources.files("bot.console") / "i18n" / f"{language}.json").read_text("utf-8")
    data = json.loads(text)
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise ValueError(f"i18n/{language}.json must map keys to strings")
    return cast(dict[str, str], data)


def _accepted(header: str) -> list[str]:
    """``Accept-Language`` tags, most wanted first (``q=0`` ones dropped)."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                weight = 0.0
        if tag and weight > 0:
            ranked.append((-weight, position, tag.strip().lower()))
    return [tag for _, _, tag in sorted(ranked)]


def choose(request: web.Request, default: Language) -> Language:
    """The language to answer ``request`` in."""
    chosen = request.cookies.get(COOKIE)
    if chosen in LANGUAGES:
        return chosen
    for tag in _accepted(request.headers.get("Accept-Language", "")):
        if tag.startswith("zh"):
            return "zh-CN"
        if tag.startswith("en"):
            return "en"
    return default
