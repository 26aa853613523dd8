"""What a document is and from when it counts: kind, availability date, FOMC meeting, speaker, period.

Kinds: ``statement``, ``minutes``, ``projections`` (the FOMC's Summary of Economic Projections),
``speech``, ``10-K``, ``10-Q``, ``20-F``, ``8-K``, ``note`` (a file someone added: Markdown, PDF,
HTML, text) and ``other``. A source's own label wins (a record's ``kind``, a filing index's form);
otherwise a speaker, a record's title ("FOMC statement 1994-02-04") or a filing's cover page
decide. A file someone adds is a note unless it is a filing (its cover page says so).

The availability date is what ``as_of`` and "latest" use: no document reaches an answer before
it. It is the publication date, except for FOMC minutes, which the data dates with the meeting's
last day but the Fed releases three weeks after the policy decision (its practice since 2005:
e.g. the September 16-17, 2025 minutes on October 8). A minutes page's "Last Update" date, when it
falls inside those three weeks, is the release itself (a holiday moves it a day or two earlier:
the December 9-10, 2025 minutes came out on December 30); a later "Last Update" is a correction
and is ignored. The meeting date stays a field of its own. A document without any date is
undated: it is kept under ``as_of`` but never answers a "latest" question.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from copilot.errors import BadInputError
from copilot.knowledge.documents import Document
from copilot.knowledge.fiscal import filing_period
from copilot.knowledge.query import read_doc_types, title_period

KINDS = ("statement", "minutes", "projections", "speech", "10-K", "10-Q", "20-F", "8-K", "note", "other")
MEETING_KINDS = ("statement", "minutes", "projections")
FILING_KINDS = ("10-K", "10-Q", "20-F", "8-K")
_ALIASES = {
    "statement": "statement",
    "statements": "statement",
    "fomc statement": "statement",
    "policy statement": "statement",
    "minutes": "minutes",
    "projections": "projections",
    "sep": "projections",
    "economic projections": "projections",
    "summary of economic projections": "projections",
    "dot plot": "projections",
    "speech": "speech",
    "speeches": "speech",
    "remarks": "speech",
    "testimony": "speech",
    "annual report": "10-K",
    "quarterly report": "10-Q",
    "note": "note",
    "notes": "note",
    "memo": "note",
    "research note": "note",
    "other": "other",
}
MINUTES_DELAY = timedelta(days=21)
_LAST_UPDATE = re.compile(r"Last Update:\s*([A-Z][a-z]+ \d{1,2}, \d{4})\s*$")
_SPEECH_URL = re.compile(r"/speech/([a-z]+)\d{8}[a-z]?\.htm")
_SPEAKER_TITLE = re.compile(
    r"^(?:Brief remarks by\s+)?(?:Governor|Chair(?:man|woman)?|Vice Chair(?: for Supervision)?|President)"
    r"\s+([A-Z][A-Za-z'-]+)\b"
)
_FED_TITLES = (
    ("minutes", re.compile(r"^Minutes of the Federal Open Market Committee", re.IGNORECASE)),
    ("statement", re.compile(r"\bFOMC statement\b", re.IGNORECASE)),
    ("projections", re.compile(r"\beconomic projections\b", re.IGNORECASE)),
)
_SEC_COVER = re.compile(r"SECURITIES\s+AND\s+EXCHANGE\s+COMMISSION", re.IGNORECASE)
_SEC_FORM = re.compile(r"\bFORM\s+(10-\s?K|10-\s?Q|20-F|8-K)\b", re.IGNORECASE)
_DOC_TYPE_KINDS = {"10k": "10-K", "10q": "10-Q", "8k": "8-K"}


@dataclass(frozen=True)
class DocumentMeta:
    """The metadata the search filters on, derived once at ingest."""

    kind: str
    published: date | None  # the date the document carries (for minutes: the meeting's last day)
    available: date | None  # from when it counts (for minutes: the release); None = undated
    meeting: date | None = None  # the FOMC meeting a statement, minutes or projections belong to
    speaker: str | None = None
    fiscal_year: int | None = None
    fiscal_quarter: int | None = None
    period_end: date | None = None
    doc_type: str | None = None  # 10k/10q/8k/earnings as titles name them (ranking hints)


def normalize_kind(value: str) -> str:
    """A kind as a person or a model writes it ('10k', 'SEP', 'Minutes') -> one of ``KINDS``."""
    text = " ".join(value.lower().replace("_", " ").split())
    for kind in KINDS:
        if text == kind.lower() or text == kind.lower().replace("-", ""):
            return kind
    if text in _ALIASES:
        return _ALIASES[text]
    raise BadInputError(f"unknown document kind {value!r}: use one of {', '.join(KINDS)}")


def minutes_release(meeting: date, text: str = "") -> date:
    """When the minutes of a meeting became public: three weeks after it, or the page's earlier date."""
    release = meeting + MINUTES_DELAY
    match = _LAST_UPDATE.search(text[-200:])
    if match:
        updated = datetime.strptime(match.group(1), "%B %d, %Y").date()
        if meeting < updated <= release:
            return updated
    return release


def speaker_of(doc: Document) -> str | None:
    """The speaker a record names, or the one its Fed URL or title names ('Governor Waller on ...')."""
    if doc.speaker:
        return doc.speaker.strip()
    url = _SPEECH_URL.search(doc.url or "")
    if url:
        return url.group(1).capitalize()
    title = _SPEAKER_TITLE.match(doc.title)
    return title.group(1) if title else None


def kind_of(doc: Document, speaker: str | None) -> str:
    """The document's kind: what its source says, else its speaker, title or cover page."""
    if doc.kind:
        try:
            return normalize_kind(doc.kind)
        except BadInputError:
            pass  # a label we do not know ("record"): read the document instead
    if speaker or "/speech/" in (doc.url or ""):
        return "speech"
    if doc.format == "record":  # a data set's record; someone's file titled "FOMC statement" is a note
        for kind, pattern in _FED_TITLES:
            if pattern.search(doc.title):
                return kind
    head = doc.sections[0].text[:3000] if doc.sections else ""
    form = _SEC_FORM.search(head)
    if form and _SEC_COVER.search(head):
        return form.group(1).upper().replace(" ", "")
    for doc_type in read_doc_types(doc.title.replace("_", " ")):
        if doc_type in _DOC_TYPE_KINDS:
            return _DOC_TYPE_KINDS[doc_type]
    return "other" if doc.format == "record" else "note"


def describe(doc: Document) -> DocumentMeta:
    """Kind, dates, meeting, speaker and fiscal period of a loaded document."""
    speaker = speaker_of(doc)
    kind = kind_of(doc, speaker)
    # a title naming the period (FinanceBench's ``AMCOR_2023Q2_10Q``) wins; a filing's text comes next
    fiscal_year = doc.published.year if doc.published else None
    quarter: int | None = None
    period_end: date | None = None
    named = title_period(doc.title)
    fiscal = filing_period(doc.text, kind) if named is None and kind in FILING_KINDS else None
    if named is not None:
        fiscal_year, quarter = named
    elif fiscal is not None:
        fiscal_year, quarter, period_end = fiscal.fiscal_year, fiscal.quarter, fiscal.period_end
    doc_types = read_doc_types(f"{doc.title.replace('_', ' ')} {kind if kind in FILING_KINDS else ''}")
    meeting = (doc.meeting or doc.published) if kind in MEETING_KINDS else None
    available = doc.available or doc.published
    if kind == "minutes" and meeting is not None and doc.available is None:
        available = minutes_release(meeting, doc.text)
    return DocumentMeta(
        kind=kind,
        published=doc.published,
        available=available,
        meeting=meeting,
        speaker=speaker if kind == "speech" else None,
        fiscal_year=fiscal_year,
        fiscal_quarter=quarter,
        period_end=period_end,
        doc_type=doc_types[0] if doc_types else None,
    )
