"""Coverage: did the answer answer the question that was asked?

After figure verification, each part of the question's reading (subject × measure × time, or a
document filter) must be covered by a cited source whose tool, arguments and dates match — the
right symbol, the right period (calendar 2025 is not the trailing year), the right day, the right
meeting — or the answer must say plainly that it could not. The same check runs on LLM answers
and offline answers: it reads only the reading, the answer text and the cited sources.

A part is ``covered`` (a matching source is cited), ``declined`` (no matching source, and the
answer says it could not give it) or ``missing`` (neither: a silent reinterpretation or omission).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import Literal

from pydantic import BaseModel, Field, computed_field

from copilot.figures import split_sentences
from copilot.schemas import Source
from copilot.understanding.reading import RECORD_START, Part, QuestionReading, describe_part
from copilot.understanding.when import point_in_time

Status = Literal["covered", "declined", "missing"]

# A trading day used for a non-trading day asked about: the last session on or before it.
_DAY_SLACK = timedelta(days=6)
_DECLINE = re.compile(
    r"\b(?:could\s*n[o']t|could not|can(?:no|')t|cannot|unable|no (?:data|figure|figures|source|record|"
    r"quote|prices?|statements?|document|passage)|not available|unavailable|"
    r"(?:do|does)(?: not|n't) (?:have|hold|cover|include)|has no|have no|holds no|lacks?|won't guess|"
    r"is not in|are not in|outside|not covered|no such)\b",
    re.IGNORECASE,
)
_FIELD_FACTS: dict[str, tuple[str, ...]] = {
    "rsi": ("rsi_14",),
    "averages": ("sma_50", "sma_200", "sma_20", "ema_20", "ema_50", "ema_200"),
    "macd": ("macd",),
    "bollinger": ("bb_upper", "bb_lower", "bb_middle"),
    "levels": ("support_1", "resistance_1", "support_2", "resistance_2"),
    "volatility": ("volatility_20d", "atr_14", "max_drawdown_1y"),
    "pe": ("trailing_pe",),
    "forward_pe": ("forward_pe",),
    "pb": ("price_to_book",),
    "ps": ("price_to_sales",),
    "ev_ebitda": ("ev_to_ebitda",),
    "dividend_yield": ("dividend_yield",),
    "market_cap": ("market_cap",),
    "fcf_yield": ("fcf_yield",),
}
TOOLS: dict[str, tuple[str, ...]] = {
    "price": ("quote", "price_history", "history"),
    "return": ("performance", "sectors", "price_history", "history"),
    "technicals": ("technicals",),
    "valuation": ("valuation_at", "valuation"),
    "financials": ("financials", "statements"),
    "targets": ("analyst_targets", "targets"),
    "market_valuation": ("market_valuation",),
    "sectors": ("sectors",),
    "composite": ("technicals", "quote", "sectors", "market_valuation"),
}


class PartCoverage(BaseModel):
    """How one part of the question was answered."""

    label: str
    status: Status
    sources: list[int] = Field(default_factory=list)
    reason: str = ""


class Coverage(BaseModel):
    """Every part of the question and how the answer covers it."""

    parts: list[PartCoverage] = Field(default_factory=list)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def total(self) -> int:
        return len(self.parts)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def covered(self) -> int:
        return sum(p.status == "covered" for p in self.parts)

    @property
    def complete(self) -> bool:
        """Every part covered (a part the answer declines counts only when nothing can answer it)."""
        return all(p.status == "covered" for p in self.parts)

    @property
    def uncovered(self) -> list[PartCoverage]:
        return [p for p in self.parts if p.status != "covered"]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def summary(self) -> str:
        """ "covers all 3 parts", "covers 2 of 3: no figure for the Nasdaq YTD return"."""
        if not self.parts:
            return "nothing to cover"
        if self.complete:
            return "covers the question" if self.total == 1 else f"covers all {self.total} parts"
        gaps = "; ".join(
            f"no figure for {p.label}" + (" (said so)" if p.status == "declined" else "")
            for p in self.uncovered
        )
        return f"covers {self.covered} of {self.total}: {gaps}"


def check_coverage(
    reading: QuestionReading, answer: str, cited: Sequence[tuple[int, Source]], as_of: date | None
) -> Coverage:
    """Compare the question's reading with what the answer cites (and says)."""
    sentences = [answer[s:e] for s, e in split_sentences(answer)] or [answer]
    parts: list[PartCoverage] = []
    for part in reading.parts:
        subjects = (
            part.subjects
            if part.measure not in ("composite", "market_valuation") and part.subjects
            else (None,)
        )
        for subject in subjects:
            label = describe_part(part, reading, subject)
            matches = [n for n, source in cited if _matches(part, subject, source, as_of)]
            if part.measure == "composite":
                matches = _composite(part, cited, as_of)
            if part.measure == "lookup":
                found = subject is not None and subject in answer
                parts.append(PartCoverage(label=label, status="covered" if found else "missing"))
                continue
            if matches and part.measure != "unsupported":
                parts.append(PartCoverage(label=label, status="covered", sources=sorted(set(matches))))
                continue
            said = _says_could_not(part, subject, reading, sentences)
            status: Status = "declined" if said else "missing"
            if part.measure == "unsupported" and said:
                status = "covered"  # nothing can answer it: saying so plainly is the answer
            reason = "" if said else _why_missing(part, subject, cited)
            parts.append(PartCoverage(label=label, status=status, reason=reason))
    return Coverage(parts=parts)


def _matches(part: Part, subject: str | None, source: Source, as_of: date | None) -> bool:
    if part.measure == "documents":
        return source.kind == "document" and _document_matches(part, source)
    if source.tool not in TOOLS.get(part.measure, ()):
        return False
    check = _CHECKS.get(part.measure)
    return check(part, subject, source, as_of) if check else True


def _symbols(source: Source) -> set[str]:
    args = source.arguments
    found = {str(s) for s in args.get("symbols", []) or []}
    if args.get("symbol"):
        found.add(str(args["symbol"]))
    found |= {f.symbol for f in source.facts if f.symbol}
    return found


def _price(part: Part, subject: str | None, source: Source, as_of: date | None) -> bool:
    if subject not in _symbols(source):
        return False
    if "all_time_high" in part.fields:  # a 52-week high is not the all-time high
        start = _arg_date(source, "start")
        return source.tool in ("price_history", "history") and start is not None and start <= RECORD_START
    when = part.when
    if when is None or when.kind == "latest" or when.label == "1d":
        return source.tool == "quote" or _on_day(source, as_of)
    if when.kind == "day" and when.start:
        return _on_day(source, when.start)
    if when.start and when.end and source.tool in ("price_history", "history"):
        return _arg_date(source, "start") == when.start and _arg_date(source, "end") in (when.end, as_of)
    return source.tool in ("price_history", "history")


def _on_day(source: Source, day: date | None) -> bool:
    """A source about one day: the day asked, or the last session before it (a weekend, a holiday)."""
    if day is None:
        return False
    asked = _arg_date(source, "date")
    if asked is not None:
        return asked == day
    return source.as_of is not None and day - _DAY_SLACK <= source.as_of <= day


def _return(part: Part, subject: str | None, source: Source, as_of: date | None) -> bool:
    if subject not in _symbols(source):
        return False
    when = part.when
    if source.tool in ("price_history", "history"):
        return (
            when is not None and when.kind == "day" and when.start is not None and _on_day(source, when.start)
        )
    period = str(source.arguments.get("period") or "")
    if when is None:
        return True  # no period asked: any period the answer states
    if when.label and when.kind not in ("day", "range", "since"):
        return period.lower() == when.label.lower()
    start = _arg_date(source, "start")
    if when.kind == "since" and when.start is None:
        return start is not None  # since an event the answer dates itself (a meeting it cites)
    if when.kind == "since" and when.start is not None:
        return start == when.start
    if when.kind == "range" and when.start is not None:
        return start == when.start and _arg_date(source, "end") == when.end
    return False


def _sectors(part: Part, subject: str | None, source: Source, as_of: date | None) -> bool:
    when = part.when
    period = str(source.arguments.get("period") or "")
    if when is None:
        return True
    return bool(when.label) and period.lower() == when.label.lower()


def _with_fields(part: Part, subject: str | None, source: Source, as_of: date | None) -> bool:
    if subject is not None and subject not in _symbols(source):
        return False
    if part.measure == "valuation" and as_of is not None:
        day = point_in_time(part.when, as_of)
        if day is not None and not _on_day(source, day):
            return False  # "P/E in March 2025" is not answered by today's P/E
    keys = {f.key for f in source.facts}
    return all(
        any(k in keys or any(key.startswith(k) for key in keys) for k in _FIELD_FACTS.get(f, (f,)))
        for f in part.fields
    )


def _financials(part: Part, subject: str | None, source: Source, as_of: date | None) -> bool:
    if subject not in _symbols(source):
        return False
    keys = " ".join(f.key for f in source.facts)
    if not all(field in keys for field in part.fields):
        return False
    when = part.when
    if when is None or when.relative == "last" or when.kind in ("latest", "to_date", "trailing"):
        return True
    labels = " ".join(f.label for f in source.facts)
    if when.kind == "quarter" and when.fiscal:
        year, quarter = when.label.split("Q")
        return f"Q{quarter} FY{year}" in labels
    if when.kind == "year" and when.fiscal:
        return f"FY{when.label}" in labels
    start, end = when.start, when.end
    if start is None or end is None:
        return False
    return any(f.as_of is not None and start <= f.as_of <= end for f in source.facts)


def _any_subject(part: Part, subject: str | None, source: Source, as_of: date | None) -> bool:
    return subject is None or subject in _symbols(source)


_CHECKS: dict[str, Callable[[Part, str | None, Source, date | None], bool]] = {
    "price": _price,
    "return": _return,
    "sectors": _sectors,
    "technicals": _with_fields,
    "valuation": _with_fields,
    "financials": _financials,
    "targets": _any_subject,
    "market_valuation": lambda part, subject, source, as_of: True,
}


def _composite(part: Part, cited: Sequence[tuple[int, Source]], as_of: date | None) -> list[int]:
    """A market gauge answer: at least three distinct gauges cited (RSI, 52-week high, VIX, breadth...)."""
    gauges = {(s.tool, tuple(sorted(_symbols(s)))): n for n, s in cited if s.tool in TOOLS["composite"]}
    return sorted(gauges.values()) if len(gauges) >= 3 else []


def _document_matches(part: Part, source: Source) -> bool:
    docs = part.docs
    if docs is None:
        return True
    meta = {**source.details, **source.arguments}
    kind = str(meta.get("doc_kind") or meta.get("kind") or "").lower()
    if docs.kind and docs.kind not in ("filing", "note"):
        if kind and kind not in {docs.kind.lower(), _KIND_ALIASES.get(docs.kind, "")}:
            return False
    elif docs.kind == "filing" and kind and kind not in ("10-k", "10-q", "20-f"):
        return False
    speaker = str(meta.get("speaker") or "")
    if docs.speaker and docs.speaker.lower() not in (speaker.lower() or source.title.lower()):
        return False
    meeting = str(meta.get("meeting") or meta.get("meeting_date") or "")
    if docs.meeting and not meeting.startswith(docs.meeting):
        return False
    if docs.meeting_month and not (len(meeting) >= 7 and int(meeting[5:7]) == docs.meeting_month):
        return False
    available = _available(source)
    if docs.since and (available is None or available < docs.since):
        return False
    if docs.until and (available is None or available > docs.until):
        return False
    if docs.latest:
        newest = meta.get("newest_available")
        if available is None:
            return False  # an undated document never answers a "latest" question
        if newest and str(newest) != available.isoformat():
            return False
    if docs.ticker:
        tickers = meta.get("tickers") or []
        if docs.ticker not in tickers and docs.ticker not in source.title:
            return False
    return True


_KIND_ALIASES = {"projections": "sep", "statement": "statement", "minutes": "minutes", "speech": "speech"}


def _available(source: Source) -> date | None:
    value = source.details.get("available") or source.details.get("available_on")
    if isinstance(value, str):
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    if isinstance(value, date):
        return value
    return source.published or source.as_of


def _arg_date(source: Source, key: str) -> date | None:
    value = source.arguments.get(key)
    if isinstance(value, str) and len(value) >= 10:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def _says_could_not(part: Part, subject: str | None, reading: QuestionReading, sentences: list[str]) -> bool:
    """The answer states plainly that it could not give this part (any plain "could not" when the
    question asks one thing of one name; else a sentence naming the part's subject or measure)."""
    single = len(reading.parts) == 1 and len(reading.parts[0].subjects) <= 1
    words = [] if single else _part_words(part, subject, reading)
    for sentence in sentences:
        if not _DECLINE.search(sentence):
            continue
        lowered = sentence.lower()
        if not words or any(w in lowered for w in words):
            return True
    return False


def _part_words(part: Part, subject: str | None, reading: QuestionReading) -> list[str]:
    words: list[str] = []
    if subject:
        words.append(subject.lower())
        name = reading.names.get(subject)
        if name:
            words.append(name.lower().split(",")[0].split(" inc")[0])
    words.extend(f.replace("_", " ") for f in part.fields)
    extra = {
        "price": ["price", "quote", "close"],
        "return": ["return", "performance"],
        "technicals": ["rsi", "average", "technical", "macd", "bollinger"],
        "valuation": ["valuation", "p/e", "multiple"],
        "documents": ["document", "statement", "minutes", "speech", "passage"],
        "financials": ["statement", "revenue", "earnings", "eps", "income"],
        "targets": ["target", "analyst"],
        "market_valuation": ["p/e", "cape"],
        "sectors": ["sector"],
        "unsupported": [
            "option",
            "implied",
            "transcript",
            "crypto",
            "advice",
            "predict",
            "forecast",
            "bitcoin",
        ],
    }.get(part.measure, [])
    return [w for w in (*words, *extra) if w]


def _why_missing(part: Part, subject: str | None, cited: Sequence[tuple[int, Source]]) -> str:
    same_tool = [
        s
        for _, s in cited
        if s.tool in TOOLS.get(part.measure, ()) and (subject is None or subject in _symbols(s))
    ]
    if not same_tool:
        return "no cited source gives it"
    args = same_tool[0].arguments
    shown = ", ".join(f"{k}={v}" for k, v in args.items() if k in ("period", "start", "end", "date"))
    return f"the cited source answers a different period or field ({shown or same_tool[0].title})"
