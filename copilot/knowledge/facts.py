"""The figures a passage states, as Facts: percentages (and ranges), basis points, dollar amounts,
multiples (``18.11x``, ``19 times``), share counts (``24.97 million shares``) and other numbers
written with decimals or thousands separators (``2,500``, unit ``count``).

These let the verifier check a figure an answer quotes from a document against the passage it
cites. Fractions as the Fed writes them ("3-1/2 to 3-3/4 percent") become 3.5 and 3.75 %.
Dollar amounts carry their scale word: "$5.2 billion" is 5.2e9 USD.
"""

from __future__ import annotations

import re
from datetime import date

from copilot.schemas import Fact, Unit

_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?(?:-\d/\d{1,2})?|\d/\d{1,2}"
_SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12, "bn": 1e9, "mn": 1e6}
_PERCENT_WORD = r"(?:%|\s?percent(?:age points?)?\b|\s?per\s?cent\b)"
_PERCENT_RANGE = re.compile(
    rf"(?<![\w.$])({_NUMBER}){_PERCENT_WORD}?\s*(?:to|-|–|and)\s*({_NUMBER}){_PERCENT_WORD}", re.IGNORECASE
)
_PERCENT = re.compile(rf"(?<![\w.$/-])({_NUMBER}){_PERCENT_WORD}", re.IGNORECASE)
_BPS = re.compile(rf"(?<![\w.$])({_NUMBER})\s?(?:basis points?|bps)\b", re.IGNORECASE)
_MULTIPLE = re.compile(rf"(?<![\w.$])({_NUMBER})\s?(?:x|times)(?!\w)", re.IGNORECASE)
_SHARES = re.compile(rf"(?<![\w.$])({_NUMBER})\s?(thousand|million|billion|mn|bn)?\s+shares\b", re.IGNORECASE)
# a bare number with decimals or separators; not a date (2026-01-09), a fraction or part of a code
_PLAIN = re.compile(
    r"(?<![\w.$/-])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.\d+)(?![\w/%-]|\.\d)"
    r"(?:\s?(thousand|million|billion|trillion|mn|bn)\b)?",
    re.IGNORECASE,
)
_DOLLARS = re.compile(rf"\$\s*({_NUMBER})(?:\s?(thousand|million|billion|trillion|bn|mn)\b)?", re.IGNORECASE)


def parse_number(text: str) -> float:
    """'1,577' -> 1577.0; '3-1/2' -> 3.5; '1/4' -> 0.25."""
    text = text.replace(",", "")
    whole, _, fraction = text.partition("-") if "/" in text and "-" in text else ("", "", text)
    if "/" in fraction:
        numerator, denominator = fraction.split("/")
        return (float(whole) if whole else 0.0) + float(numerator) / float(denominator)
    return float(text)


def _decimals(text: str) -> int:
    return len(text.split(".")[1]) if "." in text and "/" not in text else (2 if "/" in text else 0)


def extract_facts(text: str, as_of: date | None = None, limit: int = 40) -> list[Fact]:
    """Every percentage, basis-point and dollar figure in the text, in order (at most ``limit``)."""
    found: list[tuple[int, float, Unit, int, str]] = []
    covered: list[tuple[int, int]] = []

    def add(start: int, end: int, value: float, unit: Unit, precision: int) -> None:
        found.append((start, value, unit, precision, text[start:end]))

    for match in _PERCENT_RANGE.finditer(text):
        low, high = match.group(1), match.group(2)
        add(match.start(1), match.end(), parse_number(low), "%", _decimals(low))
        add(match.start(2), match.end(), parse_number(high), "%", _decimals(high))
        covered.append(match.span())
    for match in _PERCENT.finditer(text):
        if not any(s <= match.start() < e for s, e in covered):
            add(match.start(), match.end(), parse_number(match.group(1)), "%", _decimals(match.group(1)))
    for match in _BPS.finditer(text):
        add(match.start(), match.end(), parse_number(match.group(1)), "bps", _decimals(match.group(1)))
    for match in _DOLLARS.finditer(text):
        scale = _SCALES[match.group(2).lower()] if match.group(2) else 1.0
        value = parse_number(match.group(1)) * scale
        add(match.start(), match.end(), value, "USD", _decimals(match.group(1)) if scale == 1.0 else 0)
    covered.extend((start, start + len(quoted)) for start, _, _, _, quoted in found)
    for match in _MULTIPLE.finditer(text):
        add(match.start(), match.end(), parse_number(match.group(1)), "x", _decimals(match.group(1)))
    for match in _SHARES.finditer(text):
        scale = _SCALES[match.group(2).lower()] if match.group(2) else 1.0
        add(match.start(), match.end(), parse_number(match.group(1)) * scale, "shares", 0)
    covered.extend((start, start + len(quoted)) for start, _, _, _, quoted in found)
    for match in _PLAIN.finditer(text):
        if not any(s <= match.start() < e for s, e in covered):
            scale = _SCALES[match.group(2).lower()] if match.group(2) else 1.0
            precision = _decimals(match.group(1)) if scale == 1.0 else 0
            add(match.start(), match.end(), parse_number(match.group(1)) * scale, "count", precision)
    facts: list[Fact] = []
    for number, (_start, value, unit, precision, quoted) in enumerate(sorted(found)[:limit], 1):
        label = " ".join(quoted.split())
        facts.append(
            Fact(
                key=f"figure_{number}", label=label, value=value, unit=unit, as_of=as_of, precision=precision
            )
        )
    return facts
