"""The fundamentals files of a snapshot directory (docs/snapshot-format.md, "Statements, filings,
analyst targets and market valuation") and their reader, ``SnapshotFundamentals``.

    DIR/statements.csv        symbol,statement,freq,period_end,item,value  (our items, see
                              tools/providers/statement_mapping.py)
    DIR/filings.csv           symbol,form,filed,period_end,source  (real filing dates)
    DIR/analyst_targets.csv   date,symbol,company,price,target_mean,target_high,target_low,
                              analysts,rating,source
    DIR/market_valuation.csv  month,price,earnings,cape,source  (Shiller's S&P 500; empty = missing)

Each file is optional: a snapshot without it answers ``NoDataError`` naming what is missing.
Files load once, on first use; a file that does not parse raises ``CorruptDataError`` naming it.
"""

from __future__ import annotations

import io
import threading
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from copilot.errors import CorruptDataError, NoDataError, UnknownSymbolError
from tools.providers.statements_base import (
    ANNUAL_FORMS,
    LINE_COLUMNS,
    AnalystTargets,
    Filing,
    FinancialStatements,
    MarketValuationSeries,
)

STATEMENTS_FILE = "statements.csv"
FILINGS_FILE = "filings.csv"
TARGETS_FILE = "analyst_targets.csv"
MARKET_FILE = "market_valuation.csv"
STATEMENT_COLUMNS = ("symbol", *LINE_COLUMNS)
FILING_COLUMNS = ("symbol", "form", "filed", "period_end", "source")
TARGET_COLUMNS = (
    "date",
    "symbol",
    "company",
    "price",
    "target_mean",
    "target_high",
    "target_low",
    "analysts",
    "rating",
    "source",
)
MARKET_COLUMNS = ("month", "price", "earnings", "cape", "source")
FOREIGN_ONLY_FORMS = ANNUAL_FORMS - {"10-K"}  # a company filing these is a foreign private issuer
SHILLER_NAME, SHILLER_SYMBOL = "S&P 500", "^GSPC"


def read_table(path: Path, columns: tuple[str, ...]) -> pd.DataFrame:
    """One fundamentals file of the snapshot with exactly ``columns``."""
    try:
        frame = pd.read_csv(io.BytesIO(path.read_bytes()), dtype={"symbol": str, "source": str})
    except (OSError, ValueError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise CorruptDataError(f"corrupt snapshot file {path}: {str(exc).strip().splitlines()[0]}") from None
    if tuple(frame.columns) != columns:
        raise CorruptDataError(f"corrupt snapshot file {path}: columns {list(frame.columns)}")
    return frame


class SnapshotFundamentals:
    """Statements, filings, analyst targets and the market series of one snapshot directory."""

    def __init__(self, path: Path, provider: str, retrieved_at: datetime | None, root_uri: str) -> None:
        self.path = Path(path)
        self.provider = provider
        self.retrieved_at = retrieved_at
        self._root_uri = root_uri
        self._tables: dict[str, pd.DataFrame] = {}
        self._lock = threading.Lock()

    def financial_statements(self, symbol: str) -> FinancialStatements:
        """Every statement line of ``symbol`` and its known filings."""
        lines = self._table(STATEMENTS_FILE, STATEMENT_COLUMNS, "financial statements")
        key = symbol.strip().upper()
        rows = lines.loc[lines["symbol"] == key]
        if rows.empty:
            raise UnknownSymbolError(key, "the market-data snapshot has no financial statements for it")
        out = rows.loc[:, list(LINE_COLUMNS)].reset_index(drop=True)
        filings = self._filings(key)
        return FinancialStatements(
            symbol=key,
            provider=self.provider,
            lines=out,
            filings=filings,
            foreign_filer=any(f.form in FOREIGN_ONLY_FORMS for f in filings),
            url=f"{self._root_uri}/{STATEMENTS_FILE}",
            retrieved_at=self.retrieved_at,
        )

    def analyst_targets(self, symbol: str, as_of: date) -> AnalystTargets:
        """The latest targets of ``symbol`` recorded on or before ``as_of``."""
        table = self._table(TARGETS_FILE, TARGET_COLUMNS, "analyst targets")
        key = symbol.strip().upper()
        rows = table.loc[table["symbol"] == key].sort_values("date")
        if rows.empty:
            raise UnknownSymbolError(key, "the market-data snapshot has no analyst targets for it")
        dated = rows.loc[rows["date"] <= as_of.isoformat()]
        if dated.empty:
            raise NoDataError(
                f"{key}: the first analyst-target snapshot is dated {rows['date'].iloc[0]}, after {as_of}",
                key,
            )
        row = dated.iloc[-1]
        return AnalystTargets(
            symbol=key,
            provider=self.provider,
            as_of=date.fromisoformat(str(row["date"])),
            target_mean=float(row["target_mean"]),
            target_high=_number(row["target_high"]),
            target_low=_number(row["target_low"]),
            analysts=None if pd.isna(row["analysts"]) else int(row["analysts"]),
            rating=None if pd.isna(row["rating"]) else str(row["rating"]),
            price=_number(row["price"]),
            company=None if pd.isna(row["company"]) else str(row["company"]),
            url=f"{self._root_uri}/{TARGETS_FILE}",
            retrieved_at=self.retrieved_at,
        )

    def market_valuation(self) -> MarketValuationSeries:
        """Shiller's monthly S&P 500 series (level, trailing earnings, CAPE)."""
        table = self._table(MARKET_FILE, MARKET_COLUMNS, "market valuation series")
        rows = table.set_index(pd.DatetimeIndex(pd.to_datetime(table["month"]), name="month"))
        rows = rows.loc[:, ["price", "earnings", "cape"]].astype("float64").sort_index()
        return MarketValuationSeries(
            name=SHILLER_NAME,
            symbol=SHILLER_SYMBOL,
            provider=self.provider,
            rows=rows,
            url=f"{self._root_uri}/{MARKET_FILE}",
            retrieved_at=self.retrieved_at,
        )

    def _filings(self, symbol: str) -> tuple[Filing, ...]:
        if not (self.path / FILINGS_FILE).is_file():
            return ()
        table = self._table(FILINGS_FILE, FILING_COLUMNS, "filings")
        rows = table.loc[table["symbol"] == symbol]
        return tuple(
            Filing(
                form=str(r["form"]),
                filed=date.fromisoformat(str(r["filed"])),
                period_end=None if pd.isna(r["period_end"]) else date.fromisoformat(str(r["period_end"])),
                source=str(r["source"]),
            )
            for r in rows.to_dict("records")
        )

    def _table(self, name: str, columns: tuple[str, ...], what: str) -> pd.DataFrame:
        cached = self._tables.get(name)
        if cached is not None:
            return cached
        path = self.path / name
        if not path.is_file():
            raise NoDataError(
                f"the snapshot at {self.path} has no {what} ({name}); import them with `verity data import`"
            )
        frame = read_table(path, columns)
        if "period_end" in frame.columns and name == STATEMENTS_FILE:
            frame["period_end"] = pd.to_datetime(frame["period_end"], format="%Y-%m-%d", errors="coerce")
            if frame["period_end"].isna().any():
                raise CorruptDataError(f"corrupt snapshot file {path}: a malformed period_end")
            frame["value"] = pd.to_numeric(frame["value"], errors="coerce").astype("float64")
        with self._lock:
            self._tables[name] = frame
        return frame


def _number(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)
