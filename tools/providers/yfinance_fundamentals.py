"""Statements, SEC filing dates and analyst targets from Yahoo Finance through yfinance.

Used by ``YFinanceProvider`` (its ``FundamentalsProvider`` half), under its lock and error mapping.
Statement tables come from Yahoo's fundamentals-timeseries endpoint (``Ticker.get_income_stmt``,
``get_balance_sheet``, ``get_cash_flow`` with ``pretty=True``: the line-item names of the shared
CSV), mapped once through ``statement_mapping.map_lines``; filing dates from quoteSummary's
``secFilings``; targets from ``financialData`` (dated by the quote's last trade: Yahoo only
reports current targets). yfinance's frames and dicts stop here.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

import pandas as pd
import yfinance as yf

from copilot.errors import NoDataError
from tools.providers.statement_mapping import YF_STATEMENT_GETTERS, map_lines, rows_from_yfinance_table
from tools.providers.statements_base import AnalystTargets, Filing, FinancialStatements
from tools.providers.yahoo_mapping import trade_date

XBRL_DOCUMENT = re.compile(r"/[a-z][a-z0-9.\-]*-(\d{8})\.htm$")
YF_FREQUENCIES = {"annual": "yearly", "quarterly": "quarterly"}
FOREIGN_FORMS = frozenset({"20-F", "40-F", "6-K"})


def statement_tables(ticker: yf.Ticker) -> pd.DataFrame:
    """Our statement lines from the six yfinance tables of one ticker."""
    parts = []
    for statement, getter in YF_STATEMENT_GETTERS.items():
        for freq, yf_freq in YF_FREQUENCIES.items():
            table = getattr(ticker, getter)(pretty=True, freq=yf_freq)
            parts.append(rows_from_yfinance_table(table, statement, freq))
    rows = pd.concat([p for p in parts if not p.empty] or parts, ignore_index=True)
    return map_lines(rows)


def sec_filings(raw: Any) -> tuple[Filing, ...]:
    """Filing dates from quoteSummary ``secFilings`` (a list of {date, type, edgarUrl, exhibits});
    the period end from the main document's XBRL name (``aapl-20241228.htm``) when it has one."""
    items = raw.get("filings", raw) if isinstance(raw, dict) else raw
    out = []
    for item in items or []:
        try:
            filed = date.fromisoformat(str(item["date"])[:10])
        except (KeyError, TypeError, ValueError):
            continue  # an entry without a readable date cannot date a statement
        form = str(item.get("type", ""))
        out.append(Filing(form, filed, _period_end(item, form), str(item.get("edgarUrl", ""))))
    return tuple(out)


def financial_statements(
    ticker_symbol: str, ticker: yf.Ticker, provider: str, retrieved_at: datetime
) -> FinancialStatements:
    """All mapped statement lines of ``ticker`` with its filings and reporting currency."""
    # the quote first: it raises when Yahoo is unreachable, where yfinance's statement getters
    # would log the failure and return empty tables that read as "no statements"
    info = dict(ticker.info)
    lines = statement_tables(ticker)
    if lines.empty:
        raise NoDataError(f"{ticker_symbol}: Yahoo Finance has no financial statements for it", ticker_symbol)
    filings = sec_filings(ticker.get_sec_filings())
    return FinancialStatements(
        symbol=ticker_symbol,
        provider=provider,
        lines=lines,
        filings=filings,
        currency=info.get("financialCurrency"),
        foreign_filer=any(f.form in FOREIGN_FORMS for f in filings),
        url=f"https://finance.yahoo.com/quote/{ticker_symbol}/financials",
        retrieved_at=retrieved_at,
    )


def analyst_targets(
    ticker_symbol: str, ticker: yf.Ticker, as_of: date, provider: str, retrieved_at: datetime
) -> AnalystTargets:
    """Yahoo's current analyst targets, dated by the last trade; refused for an earlier ``as_of``."""
    targets = dict(ticker.get_analyst_price_targets() or {})
    info = dict(ticker.info)
    if not targets.get("mean"):
        raise NoDataError(
            f"{ticker_symbol}: Yahoo Finance has no analyst price targets for it", ticker_symbol
        )
    recorded = trade_date(info)
    if as_of < recorded:
        raise NoDataError(
            f"{ticker_symbol}: Yahoo only reports current analyst targets (as of {recorded}), "
            f"not as of {as_of}",
            ticker_symbol,
        )
    analysts = info.get("numberOfAnalystOpinions")
    return AnalystTargets(
        symbol=ticker_symbol,
        provider=provider,
        as_of=recorded,
        target_mean=float(targets["mean"]),
        target_high=_float(targets.get("high")),
        target_low=_float(targets.get("low")),
        target_median=_float(targets.get("median")),
        analysts=int(analysts) if isinstance(analysts, int | float) else None,
        rating=info.get("recommendationKey"),
        price=_float(targets.get("current")),
        company=info.get("longName") or info.get("shortName"),
        url=f"https://finance.yahoo.com/quote/{ticker_symbol}/analysis",
        retrieved_at=retrieved_at,
    )


def _period_end(item: dict[str, Any], form: str) -> date | None:
    """yfinance turns ``exhibits`` into {type: url}; the form's own document names the period."""
    exhibits = item.get("exhibits") or {}
    if isinstance(exhibits, list):  # Yahoo's own shape, should yfinance stop reshaping it
        exhibits = {e.get("type"): e.get("url") for e in exhibits if isinstance(e, dict)}
    match = XBRL_DOCUMENT.search(str(exhibits.get(form, "")))
    if match is None:
        return None
    try:
        return datetime.strptime(match.group(1), "%Y%m%d").date()
    except ValueError:
        return None


def _float(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and value == value else None
