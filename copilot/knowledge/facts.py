"""The figures a passage states, as Facts, read by the one figure parser (``copilot.figures``).

Percentages (and ranges: "3.50–3.75%"), the Fed's fractions ("3-1/2 to 3-3/4 percent" is 3.5 and
3.75%), basis points, dollar amounts with their scale word ("$5.2 billion" is 5.2e9 USD), multiples
("18.11x"), share counts ("24.97 million shares") and other numbers written with decimals or
thousands separators ("2,500", unit ``count``). A figure the passage states as a move keeps its
direction as the sign ("revenue decreased $597 million" is -597e6), so a quote that repeats the
word verifies and one that flips it does not.

These let the verifier check a figure an answer quotes from a document against the passage it cites.
"""

from __future__ import annotations

import re
from datetime import date

from copilot.figures import Figure, extract_figures, parse_number
from copilot.schemas import Fact, Unit

__all__ = ["extract_facts", "parse_number"]

# figure units (copilot.figures) -> fact units (copilot.schemas)
_UNITS: dict[str, Unit] = {
    "%": "%",
    "pp": "%",
    "bps": "bps",
    "USD": "USD",
    "currency": "currency",
    "x": "x",
    "shares": "shares",
    "points": "count",
    "count": "count",
    "": "count",
}


def extract_facts(text: str, as_of: date | None = None, limit: int = 40) -> list[Fact]:
    """Every figure the text states, in order (at most ``limit``)."""
    facts: list[Fact] = []
    for number, figure in enumerate(extract_figures(text)[:limit], 1):
        unit = _UNITS.get(figure.unit)
        if unit is None:
            continue
        facts.append(
            Fact(
                key=f"figure_{number}",
                label=" ".join(figure.text.split()),
                value=_signed(figure),
                unit=unit,
                as_of=as_of,
                precision=_precision(figure),
            )
        )
    return facts


def _signed(figure: Figure) -> float:
    """The value with the sign the passage gives it (explicit, or a word such as "decreased")."""
    if figure.sign is not None:
        return figure.value
    if figure.direction is not None:
        return figure.direction * abs(figure.value)
    return figure.value


_SCALED = re.compile(r"\d\s?(?:thousand|million|billion|trillion|bn|mn|tn|[KMBT])\b")


def _precision(figure: Figure) -> int:
    """Decimals to display: as written; an amount with a scale word ("$5.2 billion") is shown whole."""
    return 0 if _SCALED.search(figure.text) else figure.decimals
