"""Query understanding: which companies, fiscal years, quarters and document types a question names.

The same period reading is applied to document titles and filing headers at ingest time, so a
question about "3M ... FY2018" can be matched to a document titled ``3M_2018_10K``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from copilot.knowledge.companies import companies_in_title, find_companies

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
_FILING_PERIOD = re.compile(
    r"for the (fiscal year|quarterly period|year) ended\s+([A-Z][a-z]+)\s+(\d{1,2}),?\s+(\d{4})",
    re.IGNORECASE,
)
_MONTH_NAMES = "january february march april may june july august september october november december"
_MONTHS = {name: number for number, name in enumerate(_MONTH_NAMES.split(), 1)}
_MONTH_YEAR = re.compile(
    r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+(?:\d{1,2}(?:st|nd|rd|th)?,?\s+)?"
    r"((?:19|20)\d{2})\b",
    re.IGNORECASE,
)


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


def understand(query: str) -> QueryIntent:
    """Read companies, periods and document types from a question's own text."""
    tickers = list(dict.fromkeys(m.ticker for m in find_companies(query)))
    forward = bool(_FORWARD.search(query))
    months = list(dict.fromkeys((int(m.group(2)), _month(m.group(1))) for m in _MONTH_YEAR.finditer(query)))
    return QueryIntent(
        query, tickers, read_years(query), read_quarter(query), read_doc_types(query), forward, months
    )


def _month(name: str) -> int:
    return next(number for full, number in _MONTHS.items() if full.startswith(name.lower()[:3]))


class DocumentPeriod(NamedTuple):
    """The period a document covers, as far as its title or header says."""

    fiscal_year: int | None
    quarter: int | None
    doc_type: str | None


def document_period(title: str, head: str, published: date | None, form: str | None = None) -> DocumentPeriod:
    """Period of a document: from a title like ``AMCOR_2023Q2_10Q``, a filing header, or its date."""
    types = read_doc_types(f"{title.replace('_', ' ')} {form or ''}")
    doc_type = types[0] if types else None
    match = re.search(r"(?<!\d)((?:19|20)\d{2})(?:Q([1-4]))?(?!\d)", title.replace("-", " "))
    if match and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", title[match.start() : match.start() + 10]):
        return DocumentPeriod(int(match.group(1)), int(match.group(2)) if match.group(2) else None, doc_type)
    header = _FILING_PERIOD.search(head)
    if header and header.group(2).lower() in _MONTHS:
        year, month = int(header.group(4)), _MONTHS[header.group(2).lower()]
        quarterly = header.group(1).lower().startswith("quarter")
        return DocumentPeriod(year, (month - 1) // 3 + 1 if quarterly else None, doc_type)
    return DocumentPeriod(published.year if published else None, None, doc_type)


def document_tickers(title: str, declared: list[str]) -> list[str]:
    """Companies a document is about: those its metadata declares, then those its title names."""
    return list(dict.fromkeys([*declared, *companies_in_title(title)]))
