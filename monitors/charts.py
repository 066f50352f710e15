"""Report charts as PNG bytes (matplotlib's object API with the Agg canvas: no GUI,
no global pyplot state, safe off the event loop)."""

from __future__ import annotations

import io
import itertools
from collections.abc import Sequence
from typing import TYPE_CHECKING

from monitors.report_data import RESPONSE_EDGES, HourLoad

if TYPE_CHECKING:
    from matplotlib.figure import Figure

BAR = "#4C78A8"
LINE = "#E45756"


def bucket_labels(edges: Sequence[int] = RESPONSE_EDGES) -> list[str]:
    """``["<5", "5-10", ..., "300+"]`` for the response-time buckets."""
    labels = [f"<{edges[0]}"]
    labels += [f"{low}-{high}" for low, high in itertools.pairwise(edges)]
    return [*labels, f"{edges[-1]}+"]


def _figure() -> Figure:
    """A chart's figure, drawn by Agg. matplotlib is imported with the first chart: a
    serving process that makes no report does not carry it (~50 MB)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(8, 3.6))
    FigureCanvasAgg(figure)
    return figure


def _png(figure: Figure) -> bytes:
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=100, bbox_inches="tight")
    return out.getvalue()


def response_chart(counts: Sequence[int], deadline: float) -> bytes:
    """Bar chart: replied turns per response-time bucket, the reply deadline marked."""
    figure = _figure()
    axes = figure.add_subplot()
    labels = bucket_labels()
    axes.bar(labels, counts, color=BAR)
    edge = next((i for i, e in enumerate(RESPONSE_EDGES) if e >= deadline), len(labels) - 1)
    axes.axvline(edge + 0.5, color=LINE, linestyle="--", label=f"deadline {deadline:g} s")
    axes.set_xlabel("response time (seconds)")
    axes.set_ylabel("replies")
    axes.set_title("Response-time distribution")
    axes.legend(loc="upper right")
    return _png(figure)


def hourly_chart(hours: Sequence[HourLoad]) -> bytes:
    """Bars: customer turns per hour of day; line: SLA compliance in that hour."""
    figure = _figure()
    load = figure.add_subplot()
    load.bar([h.hour for h in hours], [h.turns for h in hours], color=BAR, label="turns")
    load.set_xlabel("hour of day")
    load.set_ylabel("customer turns")
    load.set_xticks(range(0, 24, 2))
    compliance = load.twinx()
    points = [(h.hour, 100 * h.compliance) for h in hours if h.compliance is not None]
    if points:
        xs, ys = zip(*points, strict=True)
        compliance.plot(xs, ys, color=LINE, marker="o", label="SLA compliance %")
    compliance.set_ylim(0, 105)
    compliance.set_ylabel("SLA compliance (%)")
    load.set_title("Load and SLA compliance by hour")
    return _png(figure)
