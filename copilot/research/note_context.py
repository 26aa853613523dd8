"""A published research note as documents a chat can cite (``copilot.open_documents``).

Each section with text becomes one document source: its title, its Markdown without the note's own
[n] markers (their numbers mean nothing in a chat turn), a link to the section on the note's page,
and the facts of the sources that section cites, so a figure a chat answer quotes from the section
verifies against the same tool result the note's figure did.
"""

from __future__ import annotations

from copilot.citations import SourceLedger, cited_numbers
from copilot.open_documents import OpenDocument
from copilot.research.report import ResearchReport
from copilot.schemas import Fact, Source

NOTE_PROVIDER = "Verity research note"


def note_url(report_id: str, section_key: str | None = None) -> str:
    return f"/notes/{report_id}" + (f"#section-{section_key}" if section_key else "")


def note_documents(report: ResearchReport) -> list[OpenDocument]:
    """The note's sections as citable documents, in the note's order."""
    by_n = {c.n: c.source for c in report.sources}
    documents = []
    for section in report.sections:
        text, _ = SourceLedger().clean_citations(section.body)  # an empty ledger knows no number
        if not text.strip():
            continue
        facts: dict[tuple[str | None, str, float], Fact] = {}
        for n in cited_numbers(section.body):
            for fact in by_n[n].facts if n in by_n else []:
                facts.setdefault((fact.symbol, fact.key, fact.value), fact)
        source = Source(
            kind="document",
            title=f"{report.title}: {section.title}",
            provider=NOTE_PROVIDER,
            url=note_url(report.id, section.key),
            as_of=report.as_of,
            published=report.as_of,
            document_id=f"note:{report.id}",
            section=section.title,
            snippet=text[:600],
            facts=list(facts.values()),
        )
        documents.append(OpenDocument(text, source))
    return documents
