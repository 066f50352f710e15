"""Configuration: one place that loads, overrides and validates every setting.

Precedence, lowest first: built-in defaults, the TOML file, then environment
variables ``REPLYWATCH_<SECTION>__<KEY>``.  Every key is validated at start-up;
an unknown or bad key fails loudly with its dotted name.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from bot.settings.base import SettingsError
from bot.settings.root import Settings

ENV_PREFIX = "REPLYWATCH_"


def _env_value(raw: str) -> Any:
    """Read an environment value as a TOML value when it is one, else as a string."""
    try:
        return tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        return raw


def _apply_env(data: dict[str, Any], environ: Mapping[str, str]) -> None:
    for name, raw in environ.items():
        if not name.startswith(ENV_PREFIX) or "__" not in name:
            continue
        section, _, key = name[len(ENV_PREFIX) :].lower().partition("__")
        target = data.setdefault(section, {})
        if not isinstance(target, dict):
            raise SettingsError(f"{name}: [{section}] is not a section")
        target[key] = _env_value(raw)


def _describe(error: ValidationError, source: str) -> str:
    lines = [f"invalid configuration ({source}):"]
    for item in error.errors(include_url=False):
        key = ".".join(str(part) for part in item["loc"]) or "(top level)"
        lines.append(f"  {key}: {item['msg']}")
    return "\n".join(lines)


def load_settings(
    path: str | Path | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """Load settings from ``path`` (optional) and the environment, validating every key."""
    environ = os.environ if environ is None else environ
    data: dict[str, Any] = {}
    source = "defaults"
    if path is not None:
        file = Path(path)
        try:
            data = tomllib.loads(file.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise SettingsError(f"config file not found: {file}") from exc
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise SettingsError(f"config file {file} is not valid TOML: {exc}") from exc
        source = str(file)
    _apply_env(data, environ)
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        raise SettingsError(_describe(exc, f"{source} + environment")) from exc


def settings_from(data: Mapping[str, Any]) -> Settings:
    """Validate settings given as a mapping (tests, embedding)."""
    try:
        return Settings.model_validate(dict(data))
    except ValidationError as exc:
        raise SettingsError(_describe(exc, "mapping")) from exc
