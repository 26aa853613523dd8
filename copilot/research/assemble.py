"""Assemble the report: sources renumbered by first appearance, related quotes, charts, disclaimer.

Sections were written against the run's ledger (numbers in the order sources arrived); the report
numbers only the sources its text cites, 1, 2, ... in reading order, rewrites every citation, and
checks each section again against the renumbered sources, so the verification it carries is the
verification of the text as printed.
"""

from __future__ import annotations

from datetime import date

from copilot.citations import SourceLedger, numbers_in_order, renumber
from copilot.events import CitedSource
from copilot.research.evidence import Evidence
from copilot.research.plan import ResearchPlan
from copilot.research.report import RelatedQuote, ReportSection
from copilot.research.verification import section_verification
from copilot.verify import verify_figures

DISCLAIMER = (
    "This note was produced by software from market data and stored documents as of {day}, and is "
    "for information only. It is not investment advice and recommends no purchase, sale or holding "
    "of any security. Past performance does not predict future results, and every figure may be "
    "revised by its source."
)


def disclaimer(as_of: date) -> str:
    return DISCLAIMER.format(day=as_of.isoformat())


def renumbered(
    sections: list[ReportSection], ledger: SourceLedger
) -> tuple[list[ReportSection], list[CitedSource], dict[int, int]]:
    """Sections with citations renumbered by first appearance, re-verified; the cited sources."""
    order = [n for n in numbers_in_order([s.body for s in sections]) if ledger.get(n) is not None]
    mapping = {old: new for new, old in enumerate(order, start=1)}
    final = SourceLedger.from_items([(new, ledger.get(old)) for old, new in mapping.items()])  # type: ignore[misc]
    out: list[ReportSection] = []
    for section in sections:
        body = renumber(section.body, mapping)
        check = verify_figures(body, final)
        out.append(section.model_copy(update={"body": body, "verification": section_verification(check)}))
    cited = [CitedSource(n=n, source=s) for n, s in final.items()]
    return out, cited, mapping


def related_quotes(plan: ResearchPlan, evidence: Evidence) -> list[RelatedQuote]:
    """Each symbol the report is about with its quote as of the report's date (when it was fetched)."""
    quotes: list[RelatedQuote] = []
    for symbol in plan.main_symbols():
        step = f"quote_{symbol}"
        found = evidence.source(step)
        last = evidence.fact(step, "last_price", symbol) or evidence.fact(step, "last_price_adjusted", symbol)
        if found is None or last is None:
            continue
        change = evidence.fact(step, "change", symbol)
        change_pct = evidence.fact(step, "change_pct", symbol)
        subject = next(s for s in plan.subjects if s.symbol == symbol)
        quotes.append(
            RelatedQuote(
                symbol=symbol,
                name=subject.name,
                unit=last.fact.unit,
                last=last.fact.value,
                change=change.fact.value if change else None,
                change_pct=change_pct.fact.value if change_pct else None,
                as_of=last.fact.as_of,
                provider=found[1].provider,
            )
        )
    return quotes
