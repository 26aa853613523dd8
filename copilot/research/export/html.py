"""The report as one self-contained HTML page: inline CSS, charts as inline SVG, no external request.

Untrusted text (the topic, titles, document quotes, the model's prose) is escaped: section bodies
are Markdown rendered by markdown-it with raw HTML disabled, and everything else goes through
Jinja's autoescaping. Each [n] becomes a link to its entry in the Sources list, which shows the
source's link (or tool call) and as-of date.
"""

from __future__ import annotations

import re
from functools import cache

from jinja2 import Environment, PackageLoader, select_autoescape
from markdown_it import MarkdownIt
from markupsafe import Markup

from copilot.research.export.markdown import related_cell
from copilot.research.export.sources import source_date, source_origin
from copilot.research.export.svg import chart_svg
from copilot.research.report import ResearchReport

_CITATION = re.compile(r"\[(\d{1,4})\]")


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("copilot.research.export", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
    )
    env.filters["related_cell"] = related_cell
    env.filters["source_date"] = source_date
    env.filters["source_origin"] = source_origin
    return env


@cache
def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False})


def render_body(body: str, known: set[int]) -> Markup:
    """A section's Markdown as safe HTML, each known [n] a link to its source."""
    html = _markdown().render(body)

    def link(match: re.Match[str]) -> str:
        n = int(match.group(1))
        return f'<a class="cite" href="#source-{n}">[{n}]</a>' if n in known else match.group(0)

    return Markup(_CITATION.sub(link, html))


def to_html(report: ResearchReport) -> str:
    known = {c.n for c in report.sources}
    bodies = {s.key: render_body(s.body, known) for s in report.sections}
    charts = [(c, Markup(chart_svg(c))) for c in report.charts]
    return (
        _environment()
        .get_template("report.html.j2")
        .render(
            report=report,
            bodies=bodies,
            charts=charts,
            is_link=lambda text: text.startswith(("http://", "https://")),
        )
    )
