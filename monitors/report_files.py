"""Report files rendered in memory: CSV (tables only), XLSX (openpyxl, charts as
images), HTML (one file, charts inlined). Each renderer returns ``{file name: bytes}``;
writing them somewhere is the caller's business."""

from __future__ import annotations

import base64
import csv
import html
import io
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from monitors.quality import Assessment
from monitors.report_data import ReportData

if TYPE_CHECKING:
    from openpyxl import Workbook

COLUMNS = [
    ("agent_id", "Agent"),
    ("customers_received", "Customers received"),
    ("customers_replied", "Customers replied"),
    ("reply_rate", "Reply rate"),
    ("first_response_seconds", "First response (s)"),
    ("response_seconds_avg", "Avg response (s)"),
    ("response_seconds_median", "Median response (s)"),
    ("response_seconds_p90", "p90 response (s)"),
    ("sla_compliance", "SLA compliance"),
    ("warnings", "Warnings"),
    ("overdue", "Overdue"),
    ("slow", "Slow replies"),
    ("unanswered", "Unanswered 5 min"),
    ("forbidden_phrase", "Forbidden phrases"),
    ("qa_confirmed", "QA confirmed"),
    ("qa_points", "QA points"),
    ("suggestions_used", "Suggestions used"),
    ("csat_responses", "CSAT responses"),
    ("csat_average", "CSAT average"),
    ("csat_satisfied_rate", "CSAT satisfied"),
    ("score_reply_rate", "Score: reply rate"),
    ("score_response", "Score: response"),
    ("score_faults", "Score: faults"),
    ("score_total", "Score: total"),
]
GAP_COLUMNS = ["Question", "Times asked", "Examples"]
ASKED_COLUMNS = ["Question", "Times asked", "Answered by", "Accepted", "Acceptance"]
ASKED_KEYS = ["q", "n", "s", "a", "acceptance"]
ASSESSMENT_COLUMNS = [
    "Agent",
    "Month",
    "Base",
    "Deductions",
    "Additions",
    "Delta",
    "Adjustment",
    "Adjustment reason",
    "Score",
    "Grade",
    "Months below in a row",
]
COMPLAINT_COLUMNS = ["Category", "Complaints"]
ENTRY_COLUMNS = ["Agent", "When (UTC)", "Source", "Id", "Category", "Points", "Reason"]
TEAM = "TEAM"
RATES = {"reply_rate", "sla_compliance", "acceptance", "csat_satisfied_rate"}


def _value(item: dict[str, Any], key: str) -> Any:
    if key.startswith("score_"):
        value = item["scores"][key.removeprefix("score_")]
    else:
        value = item.get(key)
    return round(value, 3) if isinstance(value, float) else value


def table(data: ReportData) -> list[list[Any]]:
    """The team row, then one row per agent, in ``COLUMNS`` order."""
    team = {**data.kpis["team"], "agent_id": TEAM}
    return [[_value(item, key) for key, _ in COLUMNS] for item in [team, *data.kpis["agents"]]]


def day_table(data: ReportData) -> list[list[Any]]:
    """One team row per day (reports longer than a day)."""
    return [
        [day["date"], *(_value(day["team"], key) for key, _ in COLUMNS[1:])]
        for day in data.kpis.get("days", [])
    ]


def gap_table(data: ReportData) -> list[list[Any]]:
    """The library's most frequent unmatched question groups."""
    return [[gap.question, gap.count, " | ".join(gap.examples)] for gap in data.gaps]


def asked_table(data: ReportData) -> list[list[Any]]:
    """The most asked questions: the script that answers each (none: a library gap), how
    many of them agents answered with it, and that share."""
    return [
        [a.question, a.count, a.title or a.script_id or "", a.accepted, a.acceptance]
        for a in data.asked
    ]


def assessment_table(items: Sequence[Assessment]) -> list[list[Any]]:
    """One row per agent's month (the manuals' 月度考核表)."""
    return [
        [
            a.agent_id,
            a.month,
            a.base,
            a.deductions,
            a.additions,
            a.delta,
            a.adjustment,
            a.adjustment_reason or "",
            a.score,
            a.grade or "",
            a.below_streak,
        ]
        for a in items
    ]


def entries_table(items: Sequence[Assessment]) -> list[list[Any]]:
    """Every flag and merit counted, one row each: what each point came from."""
    return [
        [
            a.agent_id,
            datetime.fromtimestamp(e.at, UTC).strftime("%Y-%m-%d %H:%M:%S"),
            e.source,
            e.id,
            e.category or "",
            e.points,
            e.reason or "",
        ]
        for a in items
        for e in a.entries
    ]


Rendered = dict[str, bytes]
#: A CSV cell starting with one of these is a formula to a spreadsheet program (OWASP).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_text(value: Any) -> Any:
    """A CSV cell that a spreadsheet reads as the text it is: chat data (a customer's
    question, an agent id) starting like a formula gets a leading ``'`` (OWASP's rule)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _csv(header: list[str], rows: list[list[Any]]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([csv_text(value) for value in row] for row in rows)
    return out.getvalue().encode("utf-8-sig")


def render_csv(data: ReportData) -> Rendered:
    """``<name>.csv`` (team and agents), ``<name>-gaps.csv`` and ``<name>-asked.csv``;
    UTF-8 with BOM so spreadsheet programs read Chinese text right."""
    return {
        f"{data.name}.csv": _csv([title for _, title in COLUMNS], table(data)),
        f"{data.name}-gaps.csv": _csv(GAP_COLUMNS, gap_table(data)),
        f"{data.name}-asked.csv": _csv(ASKED_COLUMNS, asked_table(data)),
        f"{data.name}-complaints.csv": _csv(COMPLAINT_COLUMNS, [list(c) for c in data.complaints]),
    } | (
        {f"{data.name}-assessment.csv": _csv(ASSESSMENT_COLUMNS, assessment_table(data.assessment))}
        if data.assessment
        else {}
    )


def _workbook() -> Workbook:
    """An empty workbook. openpyxl is imported with the first spreadsheet: a serving
    process that makes none does not carry it."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    return book


def _sheet(book: Workbook, title: str, header: list[str], rows: list[list[Any]]) -> None:
    from openpyxl.styles import Font

    sheet = book.create_sheet(title)
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            if cell.data_type == "f":  # text openpyxl took for a formula: keep it text
                cell.data_type = "s"
    sheet.freeze_panes = "B2"


def render_xlsx(data: ReportData) -> Rendered:
    """``<name>.xlsx``: sheets Team, Days (longer than a day), Library gaps, Most asked, Charts."""
    from openpyxl.drawing.image import Image

    book = _workbook()
    _sheet(book, "Team", [t for _, t in COLUMNS], table(data))
    if data.period.value != "day":
        _sheet(book, "Days", ["Date", *(t for _, t in COLUMNS[1:])], day_table(data))
    _sheet(book, "Library gaps", GAP_COLUMNS, gap_table(data))
    _sheet(book, "Most asked", ASKED_COLUMNS, asked_table(data))
    _sheet(book, "Complaints", COMPLAINT_COLUMNS, [list(c) for c in data.complaints])
    if data.assessment:
        _sheet(book, "Assessment", ASSESSMENT_COLUMNS, assessment_table(data.assessment))
        _sheet(book, "Assessment entries", ENTRY_COLUMNS, entries_table(data.assessment))
    charts = book.create_sheet("Charts")
    charts["A1"] = data.title
    for anchor, png in (("A3", data.response_png), ("A25", data.hourly_png)):
        charts.add_image(Image(io.BytesIO(png)), anchor)
    out = io.BytesIO()
    book.save(out)
    return {f"{data.name}.xlsx": out.getvalue()}


def assessment_workbook(items: Sequence[Assessment]) -> bytes:
    """The month's assessment alone as an XLSX workbook: the table and its entries."""
    book = _workbook()
    _sheet(book, "Assessment", ASSESSMENT_COLUMNS, assessment_table(items))
    _sheet(book, "Entries", ENTRY_COLUMNS, entries_table(items))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(key: str, value: Any) -> str:
    if value is None:
        return "–"
    if key in RATES:
        return f"{100 * value:.1f}%"
    return html.escape(str(value))


def _html_table(header: list[str], keys: list[str], rows: list[list[Any]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>"
        + "".join(f"<td>{_cell(k, v)}</td>" for k, v in zip(keys, row, strict=True))
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _img(png: bytes, alt: str) -> str:
    return f'<img alt="{alt}" src="data:image/png;base64,{base64.b64encode(png).decode()}">'


STYLE = (
    "body{font-family:system-ui,sans-serif;margin:2em}table{border-collapse:collapse;"
    "margin-bottom:2em}th,td{border:1px solid #ccc;padding:4px 8px;text-align:right}"
    "th{background:#f3f3f3}td:first-child{text-align:left}"
)


def render_html(data: ReportData) -> Rendered:
    """``<name>.html``: one self-contained page (charts inlined as PNG)."""
    keys = [k for k, _ in COLUMNS]
    parts = [
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(data.title)}"
        f"</title><style>{STYLE}</style></head><body><h1>{html.escape(data.title)}</h1>",
        f"<p>{html.escape(data.kpis['from'])} to {html.escape(data.kpis['to'])}</p>",
        "<h2>Team and agents</h2>",
        _html_table([t for _, t in COLUMNS], keys, table(data)),
    ]
    if data.period.value != "day":
        parts += [
            "<h2>Days</h2>",
            _html_table(
                ["Date", *(t for _, t in COLUMNS[1:])], ["date", *keys[1:]], day_table(data)
            ),
        ]
    parts += [
        "<h2>Charts</h2>",
        _img(data.response_png, "Response-time distribution"),
        _img(data.hourly_png, "Load and SLA compliance by hour"),
        "<h2>Library gaps (questions with no suggestion)</h2>",
        _html_table(GAP_COLUMNS, ["q", "n", "e"], gap_table(data)),
        "<h2>Most asked questions (answered by the library or not)</h2>",
        _html_table(ASKED_COLUMNS, ASKED_KEYS, asked_table(data)),
        "<h2>Complaints by category</h2>",
        _html_table(COMPLAINT_COLUMNS, ["category", "n"], [list(c) for c in data.complaints]),
    ]
    if data.assessment:
        keys = [f"a{i}" for i in range(len(ASSESSMENT_COLUMNS))]
        parts += [
            "<h2>Monthly assessment</h2>",
            _html_table(ASSESSMENT_COLUMNS, keys, assessment_table(data.assessment)),
        ]
    parts.append("</body></html>")
    return {f"{data.name}.html": "".join(parts).encode("utf-8")}


#: The renderer of each report format.
RENDERERS = {"csv": render_csv, "xlsx": render_xlsx, "html": render_html}
