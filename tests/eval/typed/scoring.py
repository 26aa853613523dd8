"""Score answers to the typed set: the expected figures, the parts covered, the declines.

This is the eval's own judgement, written apart from ``copilot/coverage.py``: a part is covered
when the answer cites a source whose tool, subject and period (or document kind, meeting and
speaker) are the ones the case names; a decline is an answer that says plainly it cannot.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from copilot.evaluation import ExpectedFigure
from copilot.schemas import Source

_DECLINE = re.compile(
    r"\b(?:can(?:no|')t|cannot|could not|couldn't|no (?:options|data|figure)|has no|have no|don't predict|"
    r"won't guess|not available|unavailable|no such|is not in|before the (?:data|series)|after)\b",
    re.IGNORECASE,
)
_TOOLS = {
    "price": {"quote", "price_history"},
    "return": {"performance", "price_history", "quote", "sectors"},
    "technicals": {"technicals"},
    "valuation": {"valuation", "valuation_at"},
    "financials": {"financials"},
    "targets": {"analyst_targets"},
    "market_valuation": {"market_valuation"},
    "sectors": {"sectors"},
}


@dataclass
class CaseScore:
    """How one case scored."""

    id: str
    answer: str
    error: str | None = None
    missing_figures: list[dict[str, Any]] = field(default_factory=list)
    uncovered: list[dict[str, Any]] = field(default_factory=list)
    declined_ok: bool = True
    unverified: int = 0
    coverage_summary: str = ""
    coverage_complete: bool | None = None

    @property
    def passed(self) -> bool:
        return (
            self.error is None
            and not self.missing_figures
            and not self.uncovered
            and self.declined_ok
            and self.unverified == 0
        )


def declined(item: dict[str, Any], answer: str) -> bool:
    """The answer says plainly it cannot give this item (naming its subject or its kind of document)."""
    words = [str(item.get("subject") or ""), str((item.get("doc") or {}).get("kind") or "")]
    for sentence in re.split(r"(?<=[.!?])\s+", answer):
        if _DECLINE.search(sentence) and any(w and w.lower() in sentence.lower() for w in words):
            return True
    return False


def symbols_of(source: Source) -> set[str]:
    found = {str(s) for s in source.arguments.get("symbols", []) or []}
    if source.arguments.get("symbol"):
        found.add(str(source.arguments["symbol"]))
    found |= {f.symbol for f in source.facts if f.symbol}
    return found


def covers(item: dict[str, Any], cited: list[Source], answer: str, as_of: date) -> bool:
    """Whether a cited source answers one ``cover`` item of a case."""
    measure = item["measure"]
    subject = item.get("subject")
    period = item.get("period")
    if measure == "unsupported":
        return bool(_DECLINE.search(answer))
    if measure == "lookup":
        return bool(subject) and subject in answer
    if measure == "composite":
        return len({(s.tool, tuple(sorted(symbols_of(s)))) for s in cited if s.kind == "market_data"}) >= 3
    if measure == "documents":
        return any(_document(item.get("doc") or {}, period, s) for s in cited)
    fields = set(item.get("fields") or [])
    for source in cited:
        if source.tool not in _TOOLS.get(measure, set()):
            continue
        if (
            measure == "price"
            and source.tool == "quote"
            and fields
            and fields <= {"avg_volume", "high_52w", "low_52w"}
        ):
            return subject in symbols_of(
                source
            )  # a quote holds the 3-month average volume and the 52-week range
        if subject and subject not in symbols_of(source) and measure != "sectors":
            continue
        if measure in ("price", "return", "sectors") and not _period(period, source, as_of):
            continue
        return True
    return False


def _period(period: str | None, source: Source, as_of: date) -> bool:
    args = source.arguments
    if period is None:
        return source.tool in ("quote", "technicals") or str(args.get("period", "")) in ("", "1d", "ytd")
    if period.startswith("day:"):
        day = period[4:]
        if source.tool == "price_history":
            return str(args.get("date", "")) == day
        return source.tool == "quote" and source.as_of is not None and source.as_of.isoformat() <= day
    if period.startswith("range:"):
        start, end = period[6:].split("..")
        return str(args.get("start", "")) == start and str(args.get("end", "")) in (end, as_of.isoformat())
    if period.startswith("since:"):
        return str(args.get("start", "")) == period[6:]
    if period == "1d" and source.tool == "quote":
        return True
    if source.tool == "price_history":  # a span of closes for a named month, quarter or year
        return bool(args.get("start"))
    return str(args.get("period", "")).lower() == period.lower()


def _document(doc: dict[str, Any], period: str | None, source: Source) -> bool:
    if source.kind != "document":
        return False
    details = source.details
    kind = str(details.get("kind") or "").lower()
    wanted = str(doc.get("kind") or "").lower()
    if wanted and kind != wanted and not (wanted == "projections" and kind == "sep"):
        return False
    if doc.get("meeting") and not str(details.get("meeting") or "").startswith(str(doc["meeting"])):
        return False
    if doc.get("speaker") and str(details.get("speaker") or "").lower() != str(doc["speaker"]).lower():
        return False
    if period and re.fullmatch(r"\d{4}-\d{2}", period):
        return bool(source.published) and source.published.isoformat().startswith(period)  # type: ignore[union-attr]
    return True


def expected(items: list[dict[str, Any]]) -> list[ExpectedFigure]:
    return [
        ExpectedFigure(**{k: v for k, v in item.items() if k in ("symbol", "value", "unit", "tolerance")})
        for item in items
    ]
