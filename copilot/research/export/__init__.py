"""Exports of a research report: Markdown, self-contained HTML, PDF and the JSON sidecar.

``export_report(report, fmt)`` returns the bytes of one format; ``write_report`` writes a file.
Every export keeps each citation's source with its link (or tool call) and as-of date. The JSON
export is the report itself (``ResearchReport.from_json`` reads it back): every source with its
facts and every figure's verification, section by section.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from copilot.errors import BadInputError
from copilot.research.report import ResearchReport

Format = Literal["md", "html", "pdf", "json"]
FORMATS: tuple[Format, ...] = ("md", "html", "pdf", "json")
MEDIA_TYPES: dict[Format, str] = {
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "json": "application/json",
}


def check_format(fmt: str) -> Format:
    """The format name, or BadInputError listing the ones there are."""
    for known in FORMATS:
        if fmt == known:
            return known
    raise BadInputError(f"unknown export format {fmt!r}: use {', '.join(FORMATS)}")


def export_report(report: ResearchReport, fmt: str) -> bytes:
    """The report in ``fmt`` (md, html, pdf, json)."""
    chosen = check_format(fmt)
    if chosen == "md":
        from copilot.research.export.markdown import to_markdown

        return to_markdown(report).encode("utf-8")
    if chosen == "html":
        from copilot.research.export.html import to_html

        return to_html(report).encode("utf-8")
    if chosen == "pdf":
        from copilot.research.export.pdf import to_pdf

        return to_pdf(report)
    return report.to_json().encode("utf-8")


def write_report(report: ResearchReport, path: Path, fmt: str | None = None) -> Path:
    """Write the report to ``path`` in ``fmt`` (default: the file's extension; ``.markdown`` is md)."""
    chosen = fmt or {".markdown": "md", ".htm": "html"}.get(path.suffix, path.suffix.lstrip("."))
    path.write_bytes(export_report(report, chosen))
    return path
