"""The fundamentals half of the ``MarketData`` facade: statements, valuation computed at the
analysis date, analyst targets and the market's P/E and CAPE, each as a cited ``Source``.

``MarketData`` builds one ``FundamentalsData`` over itself (symbol resolution, the analysis date,
traded closes) and a ``FundamentalsProvider`` (the snapshot, or yfinance live). Every method cuts
at ``as_of``: statements by their availability date, targets by their recording date, Shiller's
months by the day after they close.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from copilot.errors import BadInputError, NoDataError, UnknownSymbolError, VerityError
from copilot.schemas import Source, SourceKind, utc_now
from tools.fundamentals.point_in_time import StatementsAsOf
from tools.metrics import MetricResult
from tools.metrics.analyst import analyst_metrics
from tools.metrics.financials import financial_metrics
from tools.metrics.market_valuation import market_valuation_metrics
from tools.metrics.pit_valuation import pit_valuation_metrics
from tools.providers.statements_base import (
    FREQUENCIES,
    STATEMENTS,
    FinancialStatements,
    FundamentalsProvider,
    Statement,
)

if TYPE_CHECKING:
    from tools.market import MarketData
    from tools.providers.base import SymbolMatch

MAX_PERIODS = 8


class FundamentalsData:
    """Statements, point-in-time valuation, analyst targets and market valuation as Sources."""

    def __init__(self, market: MarketData, provider: FundamentalsProvider | None) -> None:
        self.market = market
        self.provider = provider

    def financials(
        self,
        symbol: str,
        statement: str | None = None,
        freq: str = "quarterly",
        periods: int = 4,
        as_of: date | None = None,
    ) -> Source:
        """Statement lines, margins and growth of the latest public periods (``statement`` None: all)."""
        chosen = _statements(statement)
        if freq not in FREQUENCIES:
            raise BadInputError(f"freq must be one of {', '.join(FREQUENCIES)}, not {freq!r}")
        if not 1 <= periods <= MAX_PERIODS:
            raise BadInputError(f"periods must be between 1 and {MAX_PERIODS}, not {periods}")
        match = self.market.resolve(symbol)
        day = self.market.analysis_date(as_of)
        statements = self._provider().financial_statements(match.symbol)
        view = StatementsAsOf(statements, day)
        if not view.periods(freq):
            first = next((p for p in view.calendar.periods if p.freq == freq), None)
            after = f"; the first ({first.label}) was public from {first.available_from}" if first else ""
            raise NoDataError(
                f"{match.symbol}: no {freq} statements were public on {day}{after}", match.symbol
            )
        result = financial_metrics(view, chosen, freq, periods)
        what = "all statements" if len(chosen) == len(STATEMENTS) else f"{chosen[0]} statement"
        arguments: dict[str, Any] = {
            "symbol": match.symbol,
            "statement": statement or "all",
            "freq": freq,
            "periods": periods,
            "as_of": day.isoformat(),
        }
        if symbol != match.symbol:
            arguments["name"] = symbol
        return self._source(
            "financials", f"Financials ({freq}, {what}): {_who(match)}", arguments, result, statements
        )

    def valuation_at(self, symbol: str, as_of: date | None = None) -> Source:
        """Multiples computed from the traded close on ``as_of`` and the statements public then."""
        match = self.market.resolve(symbol)
        day = self.market.analysis_date(as_of)
        statements = self._provider().financial_statements(match.symbol)
        view = StatementsAsOf(statements, day)
        if not view.periods("annual") and not view.periods("quarterly"):
            first = min(view.calendar.periods, key=lambda p: p.available_from, default=None)
            after = f"; the first ({first.label}) was public from {first.available_from}" if first else ""
            raise NoDataError(f"{match.symbol}: no statements were public on {day}{after}", match.symbol)
        close, close_day, late = self.market.last_close(match.symbol, day)
        result = pit_valuation_metrics(view, close, close_day)
        result.notes[:0] = late
        arguments: dict[str, Any] = {"symbol": match.symbol, "as_of": day.isoformat()}
        if symbol != match.symbol:
            arguments["name"] = symbol
        title = f"Valuation at {close_day} computed from the close and public statements: {_who(match)}"
        return self._source("valuation_at", title, arguments, result, statements, kind="computation")

    def analyst_targets(self, symbol: str, as_of: date | None = None) -> Source:
        """Price targets, their range, the number of analysts and the rating, as recorded by ``as_of``."""
        match = self.market.resolve(symbol)
        day = self.market.analysis_date(as_of)
        targets = self._provider().analyst_targets(match.symbol, day)
        close = close_day = None
        if targets.price is None:  # upside needs a price: the traded close of the analysis date
            close, close_day, _ = self.market.last_close(match.symbol, day)
        result = analyst_metrics(targets, close, close_day)
        age = (day - targets.as_of).days
        if age > 7:
            result.notes.append(f"These targets were recorded {age} days before the analysis date {day}.")
        arguments: dict[str, Any] = {"symbol": match.symbol, "as_of": day.isoformat()}
        if symbol != match.symbol:
            arguments["name"] = symbol
        return Source(
            kind="market_data",
            title=f"Analyst price targets recorded {targets.as_of}: {_who(match)}",
            provider=targets.provider,
            url=targets.url,
            as_of=targets.as_of,
            retrieved_at=targets.retrieved_at or utc_now(),
            tool="analyst_targets",
            arguments=arguments,
            facts=result.facts,
            details=result.details,
            notes=result.notes,
        )

    def market_valuation(self, as_of: date | None = None) -> Source:
        """The S&P 500's P/E and CAPE from Shiller's monthly series, with how old each figure is."""
        day = self.market.analysis_date(as_of)
        series = self._provider().market_valuation()
        result = market_valuation_metrics(series, day)
        dates = [f.as_of for f in result.facts if f.as_of is not None]
        return Source(
            kind="market_data",
            title=f"{series.name} P/E and CAPE (Shiller, monthly)",
            provider=series.provider,
            url=series.url,
            as_of=max(dates) if dates else None,
            retrieved_at=series.retrieved_at or utc_now(),
            tool="market_valuation",
            arguments={"index": series.symbol, "as_of": day.isoformat()},
            facts=result.facts,
            details=result.details,
            notes=result.notes,
        )

    def _provider(self) -> FundamentalsProvider:
        if self.provider is None:
            raise NoDataError(
                f"the market-data provider {self.market.provider.name} has no statements, targets or "
                "market valuation series"
            )
        return self.provider

    @staticmethod
    def _source(
        tool: str,
        title: str,
        arguments: dict[str, Any],
        result: MetricResult,
        statements: FinancialStatements,
        kind: SourceKind = "market_data",
    ) -> Source:
        dates = [f.as_of for f in result.facts if f.as_of is not None]
        return Source(
            kind=kind,
            title=title,
            provider=statements.provider,
            url=statements.url,
            as_of=max(dates) if dates else None,
            retrieved_at=statements.retrieved_at or utc_now(),
            tool=tool,
            arguments=arguments,
            facts=result.facts,
            details=result.details,
            notes=list(dict.fromkeys(result.notes)),
        )


def combine_valuations(symbol: str, fetchers: Sequence[Callable[[], Source]]) -> list[Source]:
    """Every valuation source that could be built, in order; a failed one noted on the others.

    When all fail, one NoDataError carries every reason; an error of another kind (a bad date, the
    provider being down) is raised as it is.
    """
    sources: list[Source] = []
    errors: list[VerityError] = []
    for fetch in fetchers:
        try:
            sources.append(fetch())
        except VerityError as exc:
            errors.append(exc)
    if sources:
        notes = [f"Not available: {e.message}" for e in errors]
        if notes:
            last = sources[-1]
            sources[-1] = last.model_copy(update={"notes": [*last.notes, *notes]})
        return sources
    other = [e for e in errors if not isinstance(e, NoDataError | UnknownSymbolError)]
    if other:
        raise other[0]
    message = "; ".join(dict.fromkeys(e.message for e in errors))
    raise NoDataError(message, symbol)


def _statements(statement: str | None) -> tuple[Statement, ...]:
    if statement is None or statement == "all":
        return STATEMENTS
    for name in STATEMENTS:
        if statement == name:
            return (name,)
    raise BadInputError(f"statement must be one of {', '.join(STATEMENTS)} or all, not {statement!r}")


def _who(match: SymbolMatch) -> str:
    return match.symbol if match.name in ("", match.symbol) else f"{match.symbol} ({match.name})"
