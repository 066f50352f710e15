"""The default library shipped with ReplyWatch (Chinese and English online shop)."""

from __future__ import annotations

from importlib import resources

from scripts_library.files import parse_toml
from scripts_library.model import Script

FILES = ("default_zh.toml", "default_en.toml")


def bundled_scripts() -> list[Script]:
    """Every entry of the bundled default library."""
    data = resources.files("scripts_library") / "data"
    scripts: list[Script] = []
    for name in FILES:
        scripts += parse_toml((data / name).read_text(encoding="utf-8"))
    return scripts
