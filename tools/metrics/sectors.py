"""The 11 SPDR sector ETFs ranked by their return over a period (1 day by default).

One kind of return for all, said by the fact keys: price returns (``price_return_<period>``, closes
as traded) when every ranked fund has one, else total returns (``total_return_<period>``,
dividend-adjusted closes: the record holds no traded prices of the sector funds before mid-2025).
"""

from __future__ import annotations

from copilot.lexicon import SECTORS
from tools.metrics import FactList, MetricResult
from tools.metrics.performance import Kind, Leg, PeriodReturn

SECTOR_NAMES = {entry.symbol: entry.display_name for entry in SECTORS}
KIND_WORDS = {
    "price": "price returns (closes as traded, dividends not included)",
    "total": "total returns (dividend-adjusted closes: the record holds no traded closes for every fund)",
}


def sector_metrics(returns: list[PeriodReturn], period: str) -> MetricResult:
    """One return fact per sector ETF, labelled '<Sector> (<ETF>)', and the ranking best first."""
    result = MetricResult()
    kind: Kind = "price" if all(r.price for r in returns) else "total"
    ranked_returns = [r for r in returns if r.leg(kind) is not None]
    for r in returns:
        if r.leg(kind) is None:
            result.notes.append(f"Not ranked: {r.symbol} has no {kind} return for the period.")
    legs: list[tuple[str, Leg]] = [(r.symbol, leg) for r in ranked_returns if (leg := r.leg(kind))]
    ranked = sorted(legs, key=lambda item: item[1].return_pct, reverse=True)
    key = f"{kind}_return_{period}"
    ranking: list[str] = []
    for rank, (symbol, leg) in enumerate(ranked, start=1):
        name = SECTOR_NAMES.get(symbol, symbol)
        facts = FactList(symbol, leg.end_date, "%")
        start, end = ("start_close", "end_close") if kind == "price" else ("start_adj_close", "end_adj_close")
        facts.add(
            key,
            f"{name} ({symbol})",
            leg.return_pct,
            formula=f"({end} / {start} - 1) * 100",
            inputs={start: leg.start_close, end: leg.end_close},
        )
        result.facts.extend(facts)
        ranking.append(f"{rank}. {name} ({symbol}) {leg.return_pct:+.2f}%")
    for r in ranked_returns:
        result.notes.extend(note for note in r.notes if "gap" in note)
    up = sum(1 for _, leg in ranked if leg.return_pct > 0)
    result.details["ranking"] = ranking
    result.details["return_kind"] = KIND_WORDS[kind]
    if ranked:
        first, last = ranked[0][0], ranked[-1][0]
        result.details["best"] = f"{SECTOR_NAMES.get(first, first)} ({first})"
        result.details["worst"] = f"{SECTOR_NAMES.get(last, last)} ({last})"
        result.details["period_start"] = ranked[0][1].start_date.isoformat()
    result.details["breadth"] = f"{up} of {len(ranked)} sectors up"
    return result
