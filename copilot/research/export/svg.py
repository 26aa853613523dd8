"""Charts drawn server-side as SVG with matplotlib (no pyplot: a ``Figure`` per chart, Agg-safe).

Text stays text in the SVG (``svg.fonttype: none``), so a PDF made from it still holds the labels.
"""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
from matplotlib.figure import Figure

from copilot.research.report import Chart

_STYLE: dict[str, Any] = {
    "svg.fonttype": "none",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
_COLOURS = ("#1f4e79", "#c55a11", "#548235", "#7030a0", "#bf9000")


def chart_svg(chart: Chart) -> str:
    """One chart as an inline ``<svg>`` element."""
    with matplotlib.rc_context(_STYLE):  # type: ignore[arg-type]
        figure = Figure(figsize=(7.2, 3.6 if chart.kind == "bar" else 3.0), dpi=100)
        axes = figure.add_subplot()
        if chart.kind == "bar":
            _bars(axes, chart)
        else:
            _lines(axes, chart)
        axes.set_title(chart.title, loc="left", fontsize=10)
        axes.grid(axis="y", alpha=0.3)
        figure.tight_layout()
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def _lines(axes: Axes, chart: Chart) -> None:
    for i, series in enumerate(chart.series):
        xs = np.array([date.fromisoformat(p.x) for p in series.points], dtype="datetime64[D]")
        ys = [p.y for p in series.points]
        width = 1.6 if i == 0 else 1.1
        axes.plot(xs, ys, label=series.name, color=_COLOURS[i % len(_COLOURS)], linewidth=width)
    locator = AutoDateLocator()
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(ConciseDateFormatter(locator))
    axes.set_ylabel(chart.unit)
    axes.legend(frameon=False, fontsize=8)


def _bars(axes: Axes, chart: Chart) -> None:
    points = chart.series[0].points if chart.series else []
    labels = [p.x for p in points]
    values = [p.y for p in points]
    colours = ["#548235" if v >= 0 else "#c00000" for v in values]
    axes.barh(labels, values, color=colours)
    axes.invert_yaxis()
    axes.axvline(0, color="#444444", linewidth=0.8)
    axes.set_xlabel(chart.unit)
    axes.margins(x=0.15)  # room for the value labels at both ends
    for y, value in enumerate(values):
        axes.annotate(
            f"{value:+.2f}%",
            (value, y),
            fontsize=7,
            va="center",
            xytext=(3 if value >= 0 else -3, 0),
            textcoords="offset points",
            ha="left" if value >= 0 else "right",
        )
