"""Checking real answers against the served OpenAPI document."""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator


def violations(document: Any, method: str, path: str, status: int, body: Any) -> list[str]:
    """Where ``body`` breaks the documented ``status`` answer of ``method path`` (none: [])."""
    responses = document["paths"][path][method.lower()]["responses"]
    assert str(status) in responses, f"{method} {path} answered an undocumented {status}"
    schema = responses[str(status)]["content"]["application/json"]["schema"]
    root = {"components": document["components"], **schema}
    validator = Draft202012Validator(root, format_checker=Draft202012Validator.FORMAT_CHECKER)
    return [
        f"{method} {path} {status} at {'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(body)
    ]
