"""Follow-ups: what a question leaves to the conversation.

- "and Amazon?", "what about Microsoft?": the previous question, about the new name;
- "and against the Nasdaq?": the previous subject compared with the new name;
- "what about its RSI?", "how have the two done since then?": the previous subjects ("the two",
  "both", "them" mean all of them; "it" the first);
- "and over the last 6 months?", "since then?": the previous question over the new period;
- "and about inflation?" after a document question: the same documents, a new topic.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

from copilot.understanding.reading import PER_SUBJECT, PERIODIC, Part, QuestionReading
from copilot.understanding.when import SINCE_THEN, When

_PLURAL = re.compile(
    r"\b(?:the\s+two|both(?:\s+of\s+them)?|them|they|their|each|those|these|all\s+of\s+them|los\s+dos|ambos)\b"
    r"|两者|它们|这两",
    re.IGNORECASE,
)
_SINGULAR = re.compile(
    r"\b(?:it|its|it's|that\s+one|this\s+one|the\s+stock|the\s+company)\b|它", re.IGNORECASE
)
_CONTINUES = re.compile(
    r"^\s*(?:and|also|what\s+about|how\s+about|same\s+for|now|then|y|¿?y|qu[eé]\s+tal|那|还有)\b",
    re.IGNORECASE,
)
_COMPARE = re.compile(r"\b(?:vs\.?|versus|compared?(?: to| with)?|against|relative to|than)\b", re.I)
_TOPIC = re.compile(
    r"^\s*(?:and\s+)?(?:what\s+about|how\s+about|about|on|regarding)\s+(?:the\s+)?([^?.!]{2,80})[?.!]*\s*$",
    re.IGNORECASE,
)
_IMPLICIT_RULES = ("a_bare_name_is_a_quote", "a_period_makes_a_return")
_THAT_DAY = re.compile(r"\b(?:that|the same)\s+day\b|\bese\s+d[ií]a\b|那天", re.IGNORECASE)
_THAT_YEAR = re.compile(
    r"\b(?:for|in|over)\s+(?:the|that)\s+(?:whole\s+|full\s+)?year\b|\bthat\s+year\b", re.I
)


def with_context(
    reading: QuestionReading, text: str, masked: str, previous: QuestionReading | None, reference: date
) -> QuestionReading:
    """Fill what a follow-up leaves out from the previous reading (a question of its own is unchanged)."""
    if previous is None or previous.refusal or not previous.parts or reading.refusal:
        return reading
    recent = tuple(dict.fromkeys((*previous.recent, *previous.subjects)))
    reading = replace(reading, recent=tuple(dict.fromkeys((*recent, *reading.subjects))))
    before = previous.subjects
    if _PLURAL.search(masked) and len(before) < 2 <= len(recent):
        before = recent[-2:]  # "the two" after "how did google do?" and "and meta?"
    parts_before = list(reading.parts)
    reading = _with_previous_time(reading, masked, previous)
    if reading.parts != tuple(parts_before) and all(p.subjects for p in reading.parts):
        return replace(reading, names={**previous.names, **reading.names}, follow_up=True)
    parts = list(reading.parts)
    since_then = SINCE_THEN.search(masked)
    implicit = bool(parts) and all(any(r in p.rule for r in _IMPLICIT_RULES) for p in parts)
    new_subjects = reading.subjects
    changed = False
    if since_then is not None:
        start = _anchor(previous)
        when = When("since", start=start, text=since_then.group(0), event="then") if start else None
        if when is not None:
            parts = [_with_when(p, when, reference) for p in parts] or [
                _with_when(p, when, reference) for p in previous.parts
            ]
            changed = True
    if implicit and new_subjects and (_CONTINUES.search(masked) or len(masked.split()) <= 4):
        explicit_when = next((p.when for p in parts if p.when is not None), None)
        compare = bool(_COMPARE.search(masked))
        subjects = tuple(dict.fromkeys((*before[:1], *new_subjects))) if compare and before else new_subjects
        parts = [
            replace(
                p, subjects=subjects if p.measure in PER_SUBJECT else p.subjects, when=explicit_when or p.when
            )
            for p in previous.parts
        ]
        if compare:
            parts = [replace(p, measure="return") if p.measure == "price" else p for p in parts]
        changed = True
    elif not parts or all(not p.subjects and p.measure in PER_SUBJECT for p in parts):
        fill = before if _PLURAL.search(masked) else before[:1]
        topic = _TOPIC.match(text)
        if not parts and topic and any(p.measure == "documents" for p in previous.parts):
            parts = [
                replace(p, docs=replace(p.docs, topic=topic.group(1).strip())) if p.docs else p
                for p in previous.parts
                if p.measure == "documents"
            ]
            changed = True
        elif parts and fill:
            parts = [
                p.with_subjects(fill) if p.measure in PER_SUBJECT and not p.subjects else p for p in parts
            ]
            changed = True
        elif not parts and _only_time(reading, masked, reference):
            when = _only_time(reading, masked, reference)
            parts = [_with_when(p, when, reference) for p in previous.parts]  # type: ignore[arg-type]
            changed = True
    elif _PLURAL.search(masked) or _SINGULAR.search(masked):
        fill = before if _PLURAL.search(masked) else before[:1]
        parts = [p.with_subjects(fill) if p.measure in PER_SUBJECT and not p.subjects else p for p in parts]
        changed = any(not p.subjects for p in reading.parts if p.measure in PER_SUBJECT)
    if not changed:
        return reading
    names = {**previous.names, **reading.names}
    return replace(reading, parts=tuple(parts), names=names, follow_up=True)


def _with_previous_time(reading: QuestionReading, masked: str, previous: QuestionReading) -> QuestionReading:
    """ "that day" is the previous question's day; "for the year" the calendar year of that day."""
    day = next((p.when for p in previous.parts if p.when is not None and p.when.kind == "day"), None)
    if day is None or day.start is None:
        return reading
    if _THAT_DAY.search(masked):
        when = day
    elif _THAT_YEAR.search(masked):
        year = day.start.year
        when = When("year", label=str(year), start=date(year, 1, 1), end=date(year, 12, 31), text="the year")
    else:
        return reading
    parts = [replace(p, when=when) if p.measure in ("price", "return") else p for p in reading.parts]
    parts = [
        p.with_subjects(previous.subjects) if p.measure in PER_SUBJECT and not p.subjects else p
        for p in parts
    ]
    if not parts:
        parts = [replace(p, when=when) for p in previous.parts if p.measure in ("price", "return")]
    return replace(reading, parts=tuple(parts))


def _with_when(part: Part, when: When, reference: date) -> Part:
    if part.measure == "documents" and part.docs is not None:
        from copilot.understanding.documents import read_documents

        docs = read_documents(part.text, when, part.subjects, reference)
        return replace(part, when=when, docs=replace(docs, topic=part.docs.topic or docs.topic))
    if part.measure == "valuation" and when.kind == "day":  # "nvda p/e" then "and a year ago?"
        return replace(part, when=when)
    if part.measure in PERIODIC or part.measure == "price":
        # a price over a period ("and last week?" after "apple price") is how it moved over it
        moved = when.kind not in ("day", "latest")
        measure = "return" if part.measure == "price" and moved else part.measure
        return replace(part, when=when, measure=measure)
    return part


def _anchor(previous: QuestionReading) -> date | None:
    """Where "since then" starts: the day, or the end of the period, the previous question named."""
    for part in previous.parts:
        when = part.when
        if when is None:
            continue
        if when.kind == "day" and when.start:
            return when.start
        if when.end is not None:
            return when.end
        if when.start is not None:
            return when.start
    return None


def _only_time(reading: QuestionReading, masked: str, reference: date) -> When | None:
    from copilot.understanding.when import read_when

    if reading.subjects:
        return None
    return read_when(masked, reference)
