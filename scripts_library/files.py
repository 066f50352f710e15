"""Reading and writing script libraries as TOML (``[[script]]`` entries) or CSV.

CSV columns are ``id,category,title,questions,keywords,reply`` with a header
row; ``questions`` and ``keywords`` hold several values separated by ``|``.
Every problem is reported with its line and field, and a file with any problem
yields no scripts at all.
"""

from __future__ import annotations

import csv
import io
import re
import tomllib
from dataclasses import dataclass
from typing import Any, Literal

import tomli_w
from pydantic import ValidationError

from scripts_library.model import Script

Format = Literal["toml", "csv"]
COLUMNS = ("id", "category", "title", "questions", "keywords", "reply")
_AT_LINE = re.compile(r"at line (\d+)")
_HEADER = re.compile(r"^[ \t]*\[\[[ \t]*script[ \t]*\]\]", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong in a library file."""

    line: int | None
    field: str | None
    error: str

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe form."""
        return {"line": self.line, "field": self.field, "error": self.error}


class LibraryError(Exception):
    """A library file is invalid; ``problems`` lists each issue with line and field."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(_describe(p) for p in problems[:5]))
        self.problems = problems


def _describe(problem: Problem) -> str:
    where = f"line {problem.line}" if problem.line else "file"
    return f"{where}{f', {problem.field}' if problem.field else ''}: {problem.error}"


def _validate(raw: dict[str, Any], line: int | None) -> tuple[Script | None, list[Problem]]:
    try:
        return Script.model_validate(raw), []
    except ValidationError as exc:
        return None, [
            Problem(line, ".".join(str(p) for p in e["loc"]) or None, e["msg"])
            for e in exc.errors(include_url=False)
        ]


def _check_unique(scripts: list[tuple[Script, int | None]]) -> list[Problem]:
    seen: dict[str, int | None] = {}
    problems = []
    for script, line in scripts:
        if script.id in seen:
            problems.append(
                Problem(line, "id", f"duplicate id {script.id!r} (first at line {seen[script.id]})")
            )
        seen.setdefault(script.id, line)
    return problems


def parse_toml(text: str) -> list[Script]:
    """Scripts from TOML text; raises :class:`LibraryError`."""
    try:
        data = tomllib.loads(text)
    except RecursionError:
        raise LibraryError([Problem(None, None, "nested too deeply")]) from None
    except tomllib.TOMLDecodeError as exc:
        at = _AT_LINE.search(str(exc))
        raise LibraryError([Problem(int(at.group(1)) if at else None, None, str(exc))]) from exc
    extra = sorted(set(data) - {"script"})
    if extra:
        raise LibraryError([Problem(None, key, "unknown top-level key") for key in extra])
    entries = data.get("script", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise LibraryError([Problem(None, "script", "must be [[script]] tables")])
    lines = [text.count("\n", 0, m.start()) + 1 for m in _HEADER.finditer(text)]
    return _collect(
        (entry, lines[i] if i < len(lines) else None) for i, entry in enumerate(entries)
    )


def parse_csv(text: str) -> list[Script]:
    """Scripts from CSV text; raises :class:`LibraryError`."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")), strict=True)
    try:
        header = reader.fieldnames or []
        rows = [(row, reader.line_num) for row in reader]
    except csv.Error as exc:
        raise LibraryError([Problem(reader.line_num, None, str(exc))]) from exc
    missing = [c for c in COLUMNS if c not in header]
    unknown = [c for c in header if c not in COLUMNS]
    if missing or unknown:
        raise LibraryError(
            [Problem(1, c, "missing column") for c in missing]
            + [Problem(1, c, "unknown column") for c in unknown]
        )
    entries = []
    for row, line in rows:
        if None in row:
            raise LibraryError([Problem(line, None, "more cells than columns")])
        entry: dict[str, Any] = dict(row)
        for name in ("questions", "keywords"):
            entry[name] = [v for v in (row[name] or "").split("|") if v.strip()]
        entries.append((entry, line))
    return _collect(entries)


def _collect(entries: Any) -> list[Script]:
    scripts: list[tuple[Script, int | None]] = []
    problems: list[Problem] = []
    for raw, line in entries:
        script, found = _validate(raw, line)
        problems += found
        if script is not None:
            scripts.append((script, line))
    problems += _check_unique(scripts)
    if problems:
        raise LibraryError(problems)
    return [script for script, _ in scripts]


def parse(text: str, fmt: Format) -> list[Script]:
    """Scripts from text in ``fmt``."""
    return parse_toml(text) if fmt == "toml" else parse_csv(text)


def dump_toml(scripts: list[Script]) -> str:
    """The library as TOML."""
    return tomli_w.dumps({"script": [_plain(s) for s in scripts]})


def dump_csv(scripts: list[Script]) -> str:
    """The library as CSV (header row, ``|`` between questions and between keywords)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for script in scripts:
        row = _plain(script)
        row["questions"] = "|".join(script.questions)
        row["keywords"] = "|".join(script.keywords)
        writer.writerow(row)
    return out.getvalue()


def dump(scripts: list[Script], fmt: Format) -> str:
    """The library as text in ``fmt``."""
    return dump_toml(scripts) if fmt == "toml" else dump_csv(scripts)


def _plain(script: Script) -> dict[str, Any]:
    data = script.model_dump()
    data["questions"] = list(script.questions)
    data["keywords"] = list(script.keywords)
    return data
