"""Query understanding: which companies, periods, document types and kinds, FOMC meeting, speaker and
recency a question names.

The same period reading is applied to document titles and filing headers at ingest time, so a
question about "3M ... FY2018" can be matched to a document titled ``3M_2018_10K``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from copilot.knowledge.companies import companies_in_title, find_companies
from copilot.knowledge.fiscal import filing_period
from copilot.knowledge.lexical import tokenize
from copilot.knowledge.meetings import MeetingSpec, read_meeting

_ORDINAL_QUARTER = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4}
_FY = re.compile(r"\bFY\s?'?(\d{4}|\d{2})\b", re.IGNORECASE)
_FISCAL = re.compile(r"\bfiscal\s+(?:year\s+)?(\d{4})\b", re.IGNORECASE)
_YEAR = re.compile(r"(?<![\d.,$])((?:19|20)\d{2})(?!\d|,\d|\.\d)")
_QUARTER = re.compile(
    r"\bQ([1-4])\b|\b([1-4])Q\b|(?<=\d{4})Q([1-4])\b|\b(first|second|third|fourth|1st|2nd|3rd|4th)[\s-]+quarter",
    re.IGNORECASE,
)
_DOC_TYPES = (
    ("10k", re.compile(r"\b10-?K\b|annual report", re.IGNORECASE)),
    ("10q", re.compile(r"\b10-?Q\b|quarterly report", re.IGNORECASE)),
    ("8k", re.compile(r"\b8-?K\b", re.IGNORECASE)),
    ("earnings", re.compile(r"(?i:\bearnings (?:release|call|report)\b)|(?<![a-z])EARNINGS(?![a-z])")),
)
_FORWARD = re.compile(
    r"\b(?:expect\w*|forecast\w*|guidance|outlook|project(?:s|ed|ing|ion)|anticipat\w*)\b", re.IGNORECASE
)
_MONTH_NAMES = "january february march april may june july august september october november december"
_MONTHS = {name: number for number, name in enumerate(_MONTH_NAMES.split(), 1)}
_MONTH_YEAR = re.compile(
    r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+(?:\d{1,2}(?:st|nd|rd|th)?,?\s+)?"
    r"((?:19|20)\d{2})\b",
    re.IGNORECASE,
)


# Fed document kinds a question names. "statement" only with a Fed word and not a financial statement
# ("the Fed's latest statement", not "the cash flow statement").
_KIND_WORDS = (
    ("minutes", re.compile(r"(?<!\d)(?<!\d )\bminutes\b", re.IGNORECASE)),  # not "30 minutes"
    (
        "projections",
        re.compile(r"\b(?:summary of )?economic projections\b|\bSEP\b|\bdot plot\b|\bdots\b", re.IGNORECASE),
    ),
    ("speech", re.compile(r"\bspeech(?:es)?\b|\bremarks\b|\btestimony\b", re.IGNORECASE)),
)
_STATEMENT = re.compile(r"\bstatements?\b", re.IGNORECASE)
_FINANCIAL_STATEMENT = re.compile(
    r"\b(?:income|cash[- ]flows?|balance|financial|operations|comprehensive|equity|earnings|proxy|"
    r"registration|consolidated)\s+statements?\b|\bstatements? of\b",
    re.IGNORECASE,
)
_FED_WORDS = re.compile(
    r"\b(?:fed|fomc|federal reserve|the committee|central bank|policy statement)\b", re.IGNORECASE
)
_LATEST = re.compile(r"\b(?:latest|most recent|newest|recently|lately|recent)\b", re.IGNORECASE)


@dataclass(frozen=True)
class QueryIntent:
    """What a question asks about, beyond its words."""

    text: str
    tickers: list[str] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    quarter: int | None = None
    doc_types: list[str] = field(default_factory=list)
    forward_looking: bool = False
    months: list[tuple[int, int]] = field(default_factory=list)  # (year, month) like "July 2025"
    kinds: list[str] = field(default_factory=list)  # Fed document kinds: statement, minutes, ...
    meeting: MeetingSpec | None = None  # "the January meeting"
    latest: bool = False  # "latest", "recently": the newest available document first

    @property
    def year(self) -> int | None:
        """The period the question is about: the latest year it names (a 10-K covers earlier years too)."""
        return max(self.years) if self.years else None


def _two_digit(value: str) -> int:
    return int(value) if len(value) == 4 else 2000 + int(value)


def read_years(text: str) -> list[int]:
    """Fiscal or calendar years named in the text: FY2018, FY18, fiscal 2019, 2022."""
    years = [_two_digit(m.group(1)) for m in _FY.finditer(text)]
    years += [int(m.group(1)) for m in _FISCAL.finditer(text)]
    years += [int(m.group(1)) for m in _YEAR.finditer(text)]
    return [y for y in dict.fromkeys(years) if 1990 <= y <= 2100]


def read_quarter(text: str) -> int | None:
    """A quarter named in the text: Q2, 2Q, 2023Q2, second quarter."""
    match = _QUARTER.search(text)
    if not match:
        return None
    digit = match.group(1) or match.group(2) or match.group(3)
    return int(digit) if digit else _ORDINAL_QUARTER[match.group(4).lower()]


def read_doc_types(text: str) -> list[str]:
    """Document types a text names: 10k, 10q, 8k, earnings."""
    return [name for name, pattern in _DOC_TYPES if pattern.search(text)]


def read_kinds(text: str) -> list[str]:
    """Fed document kinds a text names: statement, minutes, projections, speech."""
    kinds = [kind for kind, pattern in _KIND_WORDS if pattern.search(text)]
    without_financial = _FINANCIAL_STATEMENT.sub(" ", text)
    if _STATEMENT.search(without_financial) and _FED_WORDS.search(text):
        kinds.insert(0, "statement")
    return kinds


def read_speakers(text: str, speakers: Iterable[str]) -> list[str]:
    """Which of the known speakers a text names (by name as written, capitalised: "Cook", not "cook")."""
    return [s for s in speakers if re.search(rf"\b{re.escape(s)}\b", text)]


# words that say which documents and how recent, not what about: "the latest minutes" is about nothing
# in particular, so under "latest" any minutes are relevant and the newest wins
_INTENT_WORDS = frozenset(
    (
        *("latest", "recent", "recently", "lately", "newest", "most", "last", "new", "minute", "minutes"),
        *("statement", "projection", "projections", "speech", "remark", "remarks", "testimony", "meeting"),
        *("meetings", "fomc", "fed", "federal", "reserve", "committee", "say", "said", "says", "tell"),
    )
)


def topic_terms(query: str) -> list[str]:
    """The query's indexed terms without the words that only pick documents (kind, recency, the Fed)."""
    return [t for t in tokenize(query) if t not in _INTENT_WORDS]


def understand(query: str) -> QueryIntent:
    """Read companies, periods, kinds, meeting and recency from a question's own text."""
    tickers = list(dict.fromkeys(m.ticker for m in find_companies(query)))
    forward = bool(_FORWARD.search(query))
    months = list(dict.fromkeys((int(m.group(2)), _month(m.group(1))) for m in _MONTH_YEAR.finditer(query)))
    return QueryIntent(
        query,
        tickers,
        read_years(query),
        read_quarter(query),
        read_doc_types(query),
        forward,
        months,
        read_kinds(query),
        read_meeting(query),
        bool(_LATEST.search(query)),
    )


def _month(name: str) -> int:
    return next(number for full, number in _MONTHS.items() if full.startswith(name.lower()[:3]))


class DocumentPeriod(NamedTuple):
    """The period a document covers, as far as its title or header says."""

    fiscal_year: int | None
    quarter: int | None
    doc_type: str | None


def title_period(title: str) -> tuple[int, int | None] | None:
    """Fiscal year and quarter a title names, like ``AMCOR_2023Q2_10Q`` (a date in it does not count)."""
    match = re.search(r"(?<!\d)((?:19|20)\d{2})(?:Q([1-4]))?(?!\d)", title.replace("-", " "))
    if match and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", title[match.start() : match.start() + 10]):
        return int(match.group(1)), int(match.group(2)) if match.group(2) else None
    return None


def document_period(title: str, text: str, published: date | None, form: str | None = None) -> DocumentPeriod:
    """Period of a document: from a title like ``AMCOR_2023Q2_10Q``, a filing's text, or its date."""
    types = read_doc_types(f"{title.replace('_', ' ')} {form or ''}")
    doc_type = types[0] if types else None
    named = title_period(title)
    if named is not None:
        return DocumentPeriod(named[0], named[1], doc_type)
    if form:
        fiscal = filing_period(text, form)
        if fiscal is not None:
            return DocumentPeriod(fiscal.fiscal_year, fiscal.quarter, doc_type)
    return DocumentPeriod(published.year if published else None, None, doc_type)


def document_tickers(title: str, declared: list[str]) -> list[str]:
    """Companies a document is about: those its metadata declares, then those its title names."""
    return list(dict.fromkeys([*declared, *companies_in_title(title)]))
