"""The deterministic research writer: which prose function writes which section.

Sections of the seed's structure have their own writers; any other section (a model's plan may
name its own) gets a plain account of its steps' figures and passages, each cited.
"""

from __future__ import annotations

from collections.abc import Callable

from copilot.research.draft import Draft, WriteContext
from copilot.research.evidence import CitedFact
from copilot.research.prose_fed import drivers
from copilot.research.prose_market import breadth, performance
from copilot.research.prose_outlook import conclusion, outlook, risks, summary
from copilot.research.prose_technicals import technicals, valuation

ANALYSIS_WRITERS: dict[str, Callable[[WriteContext], Draft]] = {
    "market_performance": performance,
    "drivers": drivers,
    "valuation": valuation,
    "technicals": technicals,
    "breadth": breadth,
    "risks": risks,
    "outlook": outlook,
}
SYNTHESIS_WRITERS = {"summary": summary, "conclusion": conclusion}
MAX_FACTS = 6  # a generic section lists this many figures per source


def write_analysis(ctx: WriteContext) -> Draft:
    """The draft of an analysis section from the evidence."""
    writer = ANALYSIS_WRITERS.get(ctx.section.key, generic)
    return writer(ctx)


def write_synthesis(ctx: WriteContext, written: dict[str, tuple[str, Draft]]) -> Draft:
    """Summary or conclusion from the finished analysis sections (body, draft) by key."""
    writer = SYNTHESIS_WRITERS.get(ctx.section.key, summary)
    return writer(ctx, written)


def generic(ctx: WriteContext) -> Draft:
    """Each step's figures as "label value" lists, and the first sentence of each passage, cited."""
    draft = Draft()
    for step_id in ctx.section.steps:
        for n, source in ctx.evidence.sources(step_id):
            if source.kind == "document":
                continue
            shown = [f"{f.label} {CitedFact(f, n).show()}" for f in source.facts[:MAX_FACTS]]
            if shown:
                draft.add(f"{source.title}: " + "; ".join(shown) + f" [{n}].", highlight=True)
        for n, source, text in ctx.evidence.passages(step_id)[:2]:
            first = " ".join(text.split()).split(". ")[0].strip()
            if first:
                draft.add(f"{source.title} says: “{first.rstrip('.')}.” [{n}]")
        ctx.missing(draft, step_id)
    return draft
