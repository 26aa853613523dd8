"""The report as PDF: the self-contained HTML export laid out by WeasyPrint (no network fetches)."""

from __future__ import annotations

from copilot.research.export.html import to_html
from copilot.research.report import ResearchReport

_PAGE = "@page { size: A4; margin: 18mm 16mm; } body { margin: 0; max-width: none; }"


def _no_fetch(url: str, timeout: int = 10, ssl_context: object = None) -> dict[str, object]:
    """WeasyPrint's URL fetcher: the page is self-contained, so anything it would fetch is refused."""
    from copilot.errors import BadInputError

    raise BadInputError(f"the PDF export does not fetch external resources ({url})")


def to_pdf(report: ResearchReport) -> bytes:
    from weasyprint import CSS, HTML

    document = HTML(string=to_html(report), url_fetcher=_no_fetch)
    pdf: bytes = document.write_pdf(stylesheets=[CSS(string=_PAGE)])
    return pdf
