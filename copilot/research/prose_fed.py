"""Deterministic prose from the stored FOMC statements: rate decisions and the Fed's own words.

A decision is read from the statement's sentence ("the Committee decided to lower the target range
for the federal funds rate by 1/4 percentage point to 3-1/2 to 3-3/4 percent") and written in
decimals (3.50–3.75%) only when the knowledge base extracted those very values as the passage's
facts, so the figure verifies against the passage it cites. Other quotes are whole sentences of a
passage, copied verbatim.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from copilot.figures import split_sentences
from copilot.knowledge.facts import parse_number
from copilot.research.draft import Draft, WriteContext, join_words, long_date
from copilot.research.prose_market import results
from copilot.research.subjects import main_index
from copilot.schemas import Source

_FRACTION = r"\d+(?:-\d/\d)?|\d/\d"
_DECISION = re.compile(
    r"Committee decided to (?P<verb>lower|raise|maintain|reduce|increase) the target range for the "
    rf"federal funds rate(?: by (?P<by>{_FRACTION}) percentage points?)? (?:to|at) (?P<lo>{_FRACTION}) "
    rf"to (?P<hi>{_FRACTION}) percent",
    re.IGNORECASE,
)
_COUNT = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six"}
RATE_SENSITIVE = ("^RUT", "IWM")  # small caps: the report explains why rates matter to them


@dataclass(frozen=True)
class Decision:
    """One FOMC decision on the target range, as its statement states it."""

    day: date
    verb: str  # lower, raise, maintain
    by: float | None
    low: float
    high: float
    n: int

    @property
    def range_text(self) -> str:
        return f"{self.low:.2f}–{self.high:.2f}%"

    @property
    def cut(self) -> bool:
        return self.verb.lower() in ("lower", "reduce")

    def action(self, short: bool = False) -> str:
        """``lowered the target range ... by 0.25 points to 3.50–3.75%`` (short: ``lowered it to``)."""
        verb = {"reduce": "lower", "increase": "raise"}.get(self.verb.lower(), self.verb.lower())
        past = {"lower": "lowered", "raise": "raised", "maintain": "kept"}[verb]
        where = "at" if verb == "maintain" else "to"
        if short:
            return f"{past} it {where} {self.range_text} on {long_date(self.day)} [{self.n}]"
        by = f" by {self.by:.2f} percentage points" if self.by is not None else ""
        return f"{past} the target range for the federal funds rate{by} {where} {self.range_text}"


def decisions(ctx: WriteContext, step: str) -> list[Decision]:
    """The decisions found in the step's passages, one per statement, newest first."""
    found: dict[date, Decision] = {}
    for n, source, text in ctx.evidence.passages(step):
        day = source.published or source.as_of
        match = _DECISION.search(" ".join(text.split()))
        if day is None or match is None or day in found:
            continue
        low, high = parse_number(match.group("lo")), parse_number(match.group("hi"))
        by = parse_number(match.group("by")) if match.group("by") else None
        if not _stated(source, low, high, by):
            continue  # a value the passage's facts lack would not verify: never write it
        found[day] = Decision(day, match.group("verb"), by, low, high, n)
    return [found[d] for d in sorted(found, reverse=True)]


def _stated(source: Source, *values: float | None) -> bool:
    known = {round(f.value, 6) for f in source.facts if f.unit == "%"}
    return all(v is None or round(v, 6) in known for v in values)


def quote(ctx: WriteContext, step: str, *phrases: str) -> str | None:
    """The first whole sentence (newest document first) holding one of ``phrases`` (any case),
    quoted and cited."""
    found = quoted(ctx, step, *phrases)
    return found[0] if found else None


def quoted(ctx: WriteContext, step: str, *phrases: str) -> tuple[str, date | None] | None:
    """Like ``quote``, with the date of the document quoted."""
    passages = sorted(ctx.evidence.passages(step), key=lambda p: p[1].published or date.min, reverse=True)
    wanted = [p.lower() for p in phrases]
    for n, source, text in passages:
        flat = " ".join(text.split())
        for start, end in split_sentences(flat):
            sentence = flat[start:end].strip()
            lowered = sentence.lower()
            if sentence[:1].isupper() and sentence.endswith(".") and any(p in lowered for p in wanted):
                return f"“{sentence}” [{n}]", source.published
    return None


def drivers(ctx: WriteContext) -> Draft:
    draft = Draft()
    found = decisions(ctx, "fed_decisions")
    if not found:
        ctx.missing(draft, "fed_decisions")
    if found:
        latest = found[0]
        draft.add(
            f"At its meeting of {long_date(latest.day)}, the FOMC {latest.action()} [{latest.n}].",
            highlight=True,
        )
        holds = [d for d in found[1:4] if not d.cut and d.verb.lower() == "maintain"]
        if (
            found[1:4]
            and len(holds) == len(found[1:4])
            and all(d.range_text == latest.range_text for d in holds)
        ):
            days = join_words([long_date(d.day) for d in holds])
            cites = "".join(f"[{d.n}]" for d in holds)
            draft.paragraphs[-1].append(f"It had kept the same range at its meetings of {days} {cites}.")
        elif found[1:4]:
            earlier = [d.action(short=True) for d in found[1:4]]
            draft.paragraphs[-1].append("Before that, it had " + "; before that, ".join(earlier) + ".")
        cuts = 0
        for d in found:
            if not d.cut:
                break
            cuts += 1
        if cuts >= 2:
            draft.paragraphs[-1].append(
                f"That is {_COUNT.get(cuts, str(cuts))} cuts in a row among the statements found since "
                f"{long_date(found[min(len(found), 4) - 1].day)}."
            )
        if latest.cut:
            draft.signal("support", "the Fed has been lowering its policy rate")
        elif latest.verb.lower() in ("raise", "increase"):
            draft.signal("caution", "the Fed has been raising its policy rate")
    economy = quoted(ctx, "fed_outlook", "economic activity")
    jobs = quote(ctx, "fed_outlook", "unemployment rate", "job gains")
    prices = quote(ctx, "fed_outlook", "inflation has", "inflation remains")
    if economy or jobs or prices:
        day = f" of {long_date(economy[1])}" if economy and economy[1] else ""
        first = f"The Committee's statement{day} reads: {economy[0]}." if economy else None
        draft.add(first, *(f"{q}." for q in (jobs, prices) if q))
    else:
        ctx.missing(draft, "fed_outlook")
    draft.add(results(ctx))
    if main_index(ctx.plan.subjects).symbol in RATE_SENSITIVE:
        draft.add(
            "Rates matter more to small companies than to large ones: they borrow more at floating rates "
            "and refinance sooner, so lower policy rates ease their financing costs first, and a pause or "
            "reversal in the cuts would weigh on them first."
        )
    return draft
