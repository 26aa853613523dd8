"""Verify a section's figures against the report's ledger, and what happens to those that fail.

The deterministic writer drops a sentence whose figure does not verify (each sentence carries its
own citations, so it is checked on its own). A model's section gets one repair round (see
``copilot.research.model_writer``). Whatever still fails is marked with ``annotate_unverified`` and
counted: a section says "claims verified X/Y" and never presents an unverified figure as verified.
"""

from __future__ import annotations

from copilot.citations import SourceLedger
from copilot.research.draft import Draft
from copilot.research.report import FigureVerdict, SectionVerification
from copilot.verify import VerificationReport, annotate_unverified, verify_figures


def keep_verified(draft: Draft, ledger: SourceLedger) -> tuple[str, list[str]]:
    """The draft's text without the sentences holding an unverified figure, and those sentences."""
    dropped: list[str] = []
    paragraphs: list[str] = []
    for paragraph in draft.paragraphs:
        kept = []
        for sentence in paragraph:
            if verify_figures(sentence, ledger).unverified:
                dropped.append(sentence)
            else:
                kept.append(sentence)
        if kept:
            paragraphs.append(" ".join(kept))
    return "\n\n".join(paragraphs), dropped


def marked(body: str, ledger: SourceLedger) -> tuple[str, VerificationReport]:
    """The body with every unverified figure marked, and the check of that final text."""
    clean, _ = ledger.clean_citations(body)
    report = verify_figures(clean, ledger)
    if report.unverified:
        clean = annotate_unverified(clean, report)
        report = verify_figures(clean, ledger)
    return clean, report


def section_verification(report: VerificationReport) -> SectionVerification:
    """Every checked figure in reading order, with its verdict."""
    checks = sorted([*report.verified, *report.unverified], key=lambda c: c.start)
    return SectionVerification(figures=[FigureVerdict.from_check(c) for c in checks])
