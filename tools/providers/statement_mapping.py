"""Yahoo Finance's statement line items mapped to ours, once.

yfinance's statement tables (``Ticker.get_income_stmt()`` …) and the shared CSV melted from them
use the same names ("Total Revenue", "Diluted EPS"); both go through ``map_lines`` so the snapshot
and the live provider carry identical items. The first name present for a period wins.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from tools.providers.statements_base import LINE_COLUMNS, Statement

# our item -> (statement, yfinance line items in order of preference, label, kind)
# kind: "money" (reporting currency), "per_share" (currency per share), "shares"
LINE_ITEMS: dict[str, tuple[Statement, tuple[str, ...], str, str]] = {
    "revenue": ("income", ("Total Revenue", "Operating Revenue"), "Revenue", "money"),
    "gross_profit": ("income", ("Gross Profit",), "Gross profit", "money"),
    "operating_income": (
        "income",
        ("Operating Income", "Total Operating Income As Reported"),
        "Operating income",
        "money",
    ),
    # attributable to the company's shareholders (what diluted EPS divides)
    "net_income": ("income", ("Net Income", "Net Income Common Stockholders"), "Net income", "money"),
    "diluted_eps": ("income", ("Diluted EPS",), "Diluted EPS", "per_share"),
    "diluted_shares": ("income", ("Diluted Average Shares",), "Diluted average shares", "shares"),
    "ebitda": ("income", ("EBITDA", "Normalized EBITDA"), "EBITDA", "money"),
    "total_assets": ("balance", ("Total Assets",), "Total assets", "money"),
    "total_liabilities": (
        "balance",
        ("Total Liabilities Net Minority Interest",),
        "Total liabilities",
        "money",
    ),
    "stockholders_equity": (
        "balance",
        ("Stockholders Equity", "Common Stock Equity"),
        "Shareholders' equity",
        "money",
    ),
    "total_debt": ("balance", ("Total Debt",), "Total debt", "money"),
    "cash": ("balance", ("Cash And Cash Equivalents",), "Cash and cash equivalents", "money"),
    "cash_and_investments": (
        "balance",
        ("Cash Cash Equivalents And Short Term Investments",),
        "Cash, equivalents and short-term investments",
        "money",
    ),
    "shares_outstanding": (
        "balance",
        ("Ordinary Shares Number", "Share Issued"),
        "Shares outstanding",
        "shares",
    ),
    "operating_cash_flow": (
        "cashflow",
        ("Operating Cash Flow", "Cash Flow From Continuing Operating Activities"),
        "Operating cash flow",
        "money",
    ),
    "capital_expenditure": ("cashflow", ("Capital Expenditure",), "Capital expenditure", "money"),
    "free_cash_flow": ("cashflow", ("Free Cash Flow",), "Free cash flow", "money"),
}
# yfinance's statement getters by our statement name
YF_STATEMENT_GETTERS: dict[Statement, str] = {
    "income": "get_income_stmt",
    "balance": "get_balance_sheet",
    "cashflow": "get_cash_flow",
}


def map_lines(rows: pd.DataFrame) -> pd.DataFrame:
    """Our lines (``LINE_COLUMNS``) from rows with ``statement, freq, period_end, line_item, value``.

    Rows of unmapped line items are dropped; for each item and period the first of its yfinance
    names that has a number wins; NaN values never become lines.
    """
    wanted = {
        (statement, name): (item, rank)
        for item, (statement, names, *_r) in LINE_ITEMS.items()
        for rank, name in enumerate(names)
    }
    keys = list(zip(rows["statement"], rows["line_item"], strict=True))
    found = [wanted.get(key) for key in keys]
    mask = np.array([f is not None for f in found], dtype=bool) & rows["value"].notna().to_numpy(dtype=bool)
    picked = rows.loc[mask].copy()
    chosen = [f for f, keep in zip(found, mask, strict=True) if keep and f is not None]
    picked["item"] = [f[0] for f in chosen]
    picked["_rank"] = [f[1] for f in chosen]
    picked["period_end"] = pd.to_datetime(picked["period_end"])
    picked = picked.sort_values(["statement", "freq", "period_end", "item", "_rank"], kind="stable")
    picked = picked.drop_duplicates(["statement", "freq", "period_end", "item"], keep="first")
    out = picked.loc[:, list(LINE_COLUMNS)].reset_index(drop=True)
    out["value"] = out["value"].astype("float64")
    return out


def rows_from_yfinance_table(table: pd.DataFrame, statement: Statement, freq: str) -> pd.DataFrame:
    """Long rows from one yfinance statement table (``pretty=True``: index = line items as the CSV
    names them, columns = period ends)."""
    records: list[tuple[str, str, pd.Timestamp, str, float]] = []
    if table is None or table.empty:
        return pd.DataFrame(columns=["statement", "freq", "period_end", "line_item", "value"])
    for column in table.columns:
        period = pd.Timestamp(column).tz_localize(None) if pd.Timestamp(column).tz else pd.Timestamp(column)
        for name, value in table[column].items():
            records.append((statement, freq, period.normalize(), str(name), _number(value)))
    return pd.DataFrame(records, columns=["statement", "freq", "period_end", "line_item", "value"])


def _number(value: object) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return float("nan")


def items_of(statements: Iterable[Statement]) -> list[str]:
    """Our items of the given statements, in display order."""
    chosen = set(statements)
    return [item for item, (statement, *_r) in LINE_ITEMS.items() if statement in chosen]
