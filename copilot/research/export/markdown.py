"""The report as Markdown: title, date, related stocks, sections with their verification, the
numbered sources (link and as-of date each) and the disclaimer. Charts are described by their data
source (Markdown has no charts); the HTML and PDF exports draw them."""

from __future__ import annotations

from copilot.formatting import format_value
from copilot.research.export.sources import source_date, source_origin
from copilot.research.report import RelatedQuote, ResearchReport


def related_cell(quote: RelatedQuote) -> tuple[str, str]:
    """The last price and the day's change as a reader sees them: ``$260.23``, ``+1.96 (+0.76%)``."""
    last = format_value(quote.last, quote.unit if quote.unit == "USD" else "points")
    if quote.change is None or quote.change_pct is None:
        return last, ""
    sign = "+" if quote.change >= 0 else "-"
    amount = format_value(abs(quote.change), quote.unit if quote.unit == "USD" else "points")
    return last, f"{sign}{amount} ({format_value(quote.change_pct, '%', signed=True)})"


def to_markdown(report: ResearchReport) -> str:
    lines = [f"# {report.title}", ""]
    lines.append(
        f"*Research note as of {report.as_of.isoformat()} · written by {report.mode} · "
        f"{report.verification.summary}*"
    )
    lines.append("")
    if report.related:
        lines += ["| Related | Last | Day change | As of |", "|---|---|---|---|"]
        for quote in report.related:
            last, change = related_cell(quote)
            day = quote.as_of.isoformat() if quote.as_of else ""
            lines.append(f"| {quote.symbol} ({quote.name}) | {last} | {change} | {day} |")
        lines.append("")
    for section in report.sections:
        lines += [f"## {section.title}", "", section.body, ""]
        lines.append(f"*{section.verification.summary}*")
        lines += [f"*{note}*" for note in section.notes]
        lines.append("")
    if report.charts:
        lines += ["## Charts", ""]
        for chart in report.charts:
            cited = "".join(f"[{n}]" for n in chart.sources)
            lines.append(f"- {chart.title} ({chart.note}) {cited}".rstrip())
        lines.append("")
    lines += ["## Sources", ""]
    for entry in report.sources:
        s = entry.source
        lines.append(f"- [{entry.n}] {s.title} — {s.provider}, as of {source_date(s)} — {source_origin(s)}")
    lines += ["", "---", "", report.disclaimer, ""]
    return "\n".join(lines)
