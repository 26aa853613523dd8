"""The checks an answer passes before anyone sees it: citations, figures, coverage, then numbering.

``check`` cleans the citations, verifies every figure against the cited sources and compares what
the answer cites with what the question asked (``copilot.coverage``). ``repair_request`` is the one
repair round's message when either check found something; ``finish`` says plainly what stays
uncovered, renumbers citations by first appearance ([1], [2], ... one number per passage) and marks
what stays unverified.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from langchain_core.messages import HumanMessage

from copilot.citations import SourceLedger, first_appearance, renumber
from copilot.coverage import Coverage, check_coverage
from copilot.schemas import Source
from copilot.turn_fields import FlaggedFigure, RepairRequest, repair_message
from copilot.understanding.reading import QuestionReading
from copilot.verify import VerificationReport, annotate_unverified, repair_prompt, verify_figures


@dataclass(frozen=True)
class Checked:
    """An answer with what the checks found."""

    answer: str
    report: VerificationReport
    coverage: Coverage
    removed: list[int]

    @property
    def gaps(self) -> list[str]:
        """Parts of the question no cited source covers and the answer does not say it could not give."""
        return [p.label for p in self.coverage.parts if p.status == "missing"]

    def needs_repair(self) -> bool:
        return bool(self.report.unverified or self.gaps)

    def at_least_as_good_as(self, other: Checked) -> bool:
        """No more unverified figures and no fewer covered parts."""
        return (
            len(self.report.unverified) <= len(other.report.unverified)
            and self.coverage.covered >= other.coverage.covered
        )


def check(
    raw: str, ledger: SourceLedger, reading: QuestionReading, question: str, as_of: date | None
) -> Checked:
    """Clean citations, verify figures and check coverage of one answer."""
    answer, removed = ledger.clean_citations(raw)
    report = verify_figures(answer, ledger, question=question)
    coverage = check_coverage(reading, answer, ledger.sources_cited(answer), as_of)
    return Checked(answer, report, coverage, removed)


def repair_request(checked: Checked, ledger: SourceLedger) -> HumanMessage:
    """The repair round's message: the figures to fix and the parts still to answer (or to decline)."""
    text = repair_prompt(checked.report, ledger) if checked.report.unverified else ""
    if checked.gaps:
        lines = [
            "The answer does not cover these parts of the question with a cited source of the right "
            "symbol, period, day or document:",
            *(f"- {gap}" for gap in checked.gaps),
            "Call the tool that gives each one (with that period, day or meeting) and cite it, or say "
            "plainly in the answer that you could not give it. If you answer a different period or "
            "measure than asked, say so in the first sentence.",
        ]
        text = (text + "\n\n" if text else "") + "\n".join(lines)
    request = RepairRequest(
        figures=[
            FlaggedFigure(figure=f.text, sentence=f.sentence, reason=f.reason)
            for f in checked.report.unverified
        ],
        uncovered=checked.gaps,
    )
    return repair_message(text, request)


def finish(
    checked: Checked, ledger: SourceLedger, reading: QuestionReading, question: str, as_of: date | None
) -> tuple[str, list[tuple[int, Source]], VerificationReport, Coverage]:
    """The answer as shown: gaps said plainly, citations numbered by first appearance, unverified marked.

    Returns the answer, its cited ``(n, source)`` pairs, and the final verification and coverage.
    """
    answer = checked.answer
    if checked.gaps:
        answer = answer.rstrip() + "\n\nThis answer does not cover: " + "; ".join(checked.gaps) + "."
    mapping = first_appearance(answer, ledger)
    answer = renumber(answer, mapping)
    items: list[tuple[int, Source]] = []
    for old, new in sorted(mapping.items(), key=lambda pair: pair[1]):
        source = ledger.get(old)
        if source is not None:
            items.append((new, source))
    numbered = SourceLedger.from_items(items)
    report = verify_figures(answer, numbered, question=question)
    coverage = check_coverage(reading, answer, numbered.sources_cited(answer), as_of)
    if report.unverified:
        answer = annotate_unverified(answer, report)
    return answer, list(numbered.sources_cited(answer)), report, coverage
