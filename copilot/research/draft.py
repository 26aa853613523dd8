"""What a writer hands back before verification, and the words the deterministic writer shares.

A ``Draft`` is paragraphs of sentences (each sentence carries its own [n], so it verifies on its
own), the sentences worth repeating in the summary (``highlights``), and notes on missing data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from copilot.research.evidence import Evidence
from copilot.research.plan import PlannedSection, ResearchPlan, Subject


@dataclass
class Draft:
    paragraphs: list[list[str]] = field(default_factory=list)
    highlights: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    signals: dict[str, list[str]] = field(default_factory=dict)  # "support"/"caution" -> reasons

    def add(self, *sentences: str | None, highlight: bool = False) -> None:
        """A paragraph of the given sentences (None and empty ones left out)."""
        kept = [s for s in sentences if s]
        if kept:
            self.paragraphs.append(kept)
            if highlight:
                self.highlights.append(kept[0])

    def signal(self, kind: str, reason: str) -> None:
        self.signals.setdefault(kind, []).append(reason)

    @property
    def text(self) -> str:
        return "\n\n".join(" ".join(p) for p in self.paragraphs)


@dataclass
class WriteContext:
    """What a section writer reads: the plan, its section, the evidence and the analysis date."""

    plan: ResearchPlan
    section: PlannedSection
    evidence: Evidence
    as_of: date

    def name(self, symbol: str) -> str:
        """How prose names a symbol: "the Russell 2000", "IWM", "Apple Inc." (sectors by name)."""
        subject = next((s for s in self.plan.subjects if s.symbol == symbol), None)
        if subject is None:
            return symbol
        return display_name(subject)

    def missing(self, draft: Draft, *step_ids: str) -> None:
        """Note every listed step that failed, in the words of its error."""
        for step_id in step_ids:
            reason = self.evidence.failure(step_id)
            if reason:
                purpose = self.plan.step(step_id).purpose or step_id
                note = f"Not available: {purpose} ({reason})."
                if note not in draft.notes:
                    draft.notes.append(note)


def display_name(subject: Subject) -> str:
    if subject.kind == "index":
        return subject.name if subject.name.lower().startswith("the ") else f"the {subject.name}"
    if subject.kind == "etf" and subject.name and subject.name != subject.symbol:
        return subject.symbol
    return subject.name or subject.symbol


def possessive(name: str) -> str:
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def long_date(day: date) -> str:
    """``December 10, 2025``: dates in prose are never read as figures."""
    return f"{day:%B} {day.day}, {day.year}"


def join_words(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
