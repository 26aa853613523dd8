"""The 11 SPDR sector ETFs ranked by their return over a period (1 day by default)."""

from __future__ import annotations

from tools.metrics import FactList, MetricResult
from tools.metrics.performance import PeriodReturn
from tools.symbol_table import SECTORS

SECTOR_NAMES = {entry.symbol: entry.display_name for entry in SECTORS}


def sector_metrics(returns: list[PeriodReturn], period: str) -> MetricResult:
    """One return fact per sector ETF, labelled '<Sector> (<ETF>)', and the ranking best first."""
    result = MetricResult()
    key = f"return_{period}"
    ranked = sorted(returns, key=lambda r: r.return_pct, reverse=True)
    ranking: list[str] = []
    for rank, r in enumerate(ranked, start=1):
        name = SECTOR_NAMES.get(r.symbol, r.symbol)
        facts = FactList(r.symbol, r.end_date, "%")
        facts.add(
            key,
            f"{name} ({r.symbol})",
            r.return_pct,
            formula="(end_close / start_close - 1) * 100",
            inputs={"start_close": r.start_close, "end_close": r.end_close},
        )
        result.facts.extend(facts)
        ranking.append(f"{rank}. {name} ({r.symbol}) {r.return_pct:+.2f}%")
        if r.note:
            result.notes.append(r.note)
    up = sum(1 for r in ranked if r.return_pct > 0)
    result.details["ranking"] = ranking
    result.details["best"] = f"{SECTOR_NAMES.get(ranked[0].symbol, ranked[0].symbol)} ({ranked[0].symbol})"
    result.details["worst"] = (
        f"{SECTOR_NAMES.get(ranked[-1].symbol, ranked[-1].symbol)} ({ranked[-1].symbol})"
    )
    result.details["breadth"] = f"{up} of {len(ranked)} sectors up"
    return result
