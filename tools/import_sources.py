"""Read the files ``verity data import`` accepts: long-format prices, valuation snapshots, name lists.

Each file is recognised by its header (gzip or plain CSV):

- prices: ``symbol,date,open,high,low,close,volume`` (+ optional ``adj_close``: then ``close`` is
  the close as traded and ``adj_close`` the dividend-adjusted one, as in a yfinance download with
  ``auto_adjust=False``; tools/traded_prices.py says how files without it are read);
- valuation: the flattened Yahoo quoteSummary snapshot (``symbol,recorded_http_date,trailing_pe,...``);
- names: S&P 500 constituents (``Symbol,Security,...``) or FinanceDatabase lists (``symbol,name,...``).

A file that cannot be parsed raises ``CorruptDataError`` naming the file and the reason.
"""

from __future__ import annotations

import gzip
import io
import zlib
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from copilot.errors import CorruptDataError
from tools.providers.base import BAR_COLUMNS, SymbolKind

FileKind = Literal["prices", "valuation", "names", "unknown"]
PRICE_COLUMNS = {"symbol", "date", *BAR_COLUMNS}

# Yahoo quoteSummary snapshot column -> Fundamentals field (mapped once, here)
VALUATION_ALIASES: dict[str, str] = {
    "quote_type": "quote_type",
    "short_name": "name",
    "currency": "currency",
    "exchange": "exchange",
    "sector": "sector",
    "industry": "industry",
    "regular_market_price": "price",
    "market_cap": "market_cap",
    "trailing_pe": "trailing_pe",
    "forward_pe": "forward_pe",
    "trailing_eps": "trailing_eps",
    "forward_eps": "forward_eps",
    "peg_ratio": "peg_ratio",
    "price_to_book": "price_to_book",
    "enterprise_value": "enterprise_value",
    "beta": "beta",
    "dividend_yield": "dividend_yield",  # a fraction in the file, percent in Fundamentals
}
QUOTE_TYPE_KINDS: dict[str, SymbolKind] = {"EQUITY": "equity", "ETF": "etf", "INDEX": "index"}


@dataclass
class NameRecord:
    symbol: str
    names: list[str] = field(default_factory=list)
    kind: SymbolKind = "other"
    exchange: str | None = None


def _open_bytes(path: Path) -> bytes:
    try:
        raw = path.read_bytes()
        return gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw
    except (OSError, EOFError, zlib.error) as exc:
        raise CorruptDataError(f"cannot read {path}: {exc}") from None


def sniff(path: Path) -> FileKind:
    """What kind of importable file ``path`` is, from its header line."""
    if not path.name.endswith((".csv", ".csv.gz")):
        return "unknown"
    header = _open_bytes(path).split(b"\n", 1)[0].decode("utf-8", "replace").strip()
    columns = {c.strip().strip('"') for c in header.split(",")}
    if columns >= PRICE_COLUMNS:
        return "prices"
    if {"symbol", "recorded_http_date", "trailing_pe"} <= columns:
        return "valuation"
    if {"Symbol", "Security"} <= columns or {"symbol", "name"} <= columns:
        return "names"
    return "unknown"


def _read_csv(path: Path, **kwargs: Any) -> pd.DataFrame:
    try:
        return pd.read_csv(io.BytesIO(_open_bytes(path)), **kwargs)
    except (ValueError, pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise CorruptDataError(f"corrupt file {path}: {str(exc).strip().splitlines()[0]}") from None


def read_prices(path: Path) -> dict[str, pd.DataFrame]:
    """One bars frame per symbol (date index, ``BAR_COLUMNS`` float64, plus ``adj_close`` when the
    file has that column) from a long-format file."""
    frame = _read_csv(path, dtype={"symbol": str, "date": str})
    if frame.empty:
        raise CorruptDataError(f"corrupt file {path}: no rows")
    frame["symbol"] = frame["symbol"].str.strip()
    dates = pd.to_datetime(frame["date"], format="%Y-%m-%d", errors="coerce")
    _reject(path, frame, dates.isna() | frame["symbol"].isna(), "a missing or malformed date/symbol")
    frame["date"] = dates
    for column in BAR_COLUMNS:
        numbers = pd.to_numeric(frame[column], errors="coerce")
        bad = numbers.isna() & frame[column].notna()
        _reject(path, frame, bad, f"a non-number in column {column}")
        frame[column] = numbers.astype("float64")
    frame["volume"] = frame["volume"].fillna(0.0)  # index files often carry no volume
    columns = list(BAR_COLUMNS)
    if "adj_close" in frame.columns:
        adjusted = pd.to_numeric(frame["adj_close"], errors="coerce")
        _reject(path, frame, adjusted.isna() & frame["adj_close"].notna(), "a non-number in column adj_close")
        _reject(path, frame, adjusted <= 0, "an adjusted close that is zero or negative")
        frame["adj_close"] = adjusted.astype("float64")
        columns.append("adj_close")
    prices = frame[["open", "high", "low", "close"]]
    _reject(path, frame, prices.isna().any(axis=1), "a missing price")
    _reject(path, frame, (prices <= 0).any(axis=1), "a price that is zero or negative")
    _reject(path, frame, frame["high"] < frame["low"], "high below low")
    _reject(path, frame, frame.duplicated(["symbol", "date"]), "a duplicated symbol and date")
    out: dict[str, pd.DataFrame] = {}
    for symbol, rows in frame.groupby("symbol", sort=True):
        bars = rows.set_index("date").loc[:, columns].sort_index()
        out[str(symbol)] = bars
    return out


def _reject(path: Path, frame: pd.DataFrame, bad: pd.Series, reason: str) -> None:
    if bad.any():
        i = int(bad.to_numpy().argmax())
        row = frame.iloc[i]
        raise CorruptDataError(
            f"corrupt file {path}: {reason} on line {i + 2} ({row.get('symbol')}, {row.get('date')})"
        )


def read_valuation(path: Path) -> dict[str, dict[str, Any]]:
    """Fundamentals records (``as_of`` = the recorded HTTP date) per symbol."""
    frame = _read_csv(path, dtype={"symbol": str})
    out: dict[str, dict[str, Any]] = {}
    for row in frame.to_dict("records"):
        try:
            as_of = parsedate_to_datetime(str(row["recorded_http_date"])).date()
        except (TypeError, ValueError):
            raise CorruptDataError(
                f"corrupt file {path}: unreadable recorded_http_date for {row['symbol']}"
            ) from None
        record: dict[str, Any] = {"as_of": as_of.isoformat(), "source": row.get("source_file")}
        for column, name in VALUATION_ALIASES.items():
            value = row.get(column)
            record[name] = None if value is None or pd.isna(value) else value
        if record["dividend_yield"] is not None:
            record["dividend_yield"] = round(float(record["dividend_yield"]) * 100, 10)
        out[str(row["symbol"]).strip()] = record
    return out


def read_names(path: Path, kind: FileKind) -> list[NameRecord]:
    """Symbol names (and kind, exchange) from a valuation snapshot or a name list."""
    frame = _read_csv(path, dtype=str, keep_default_na=False)
    records: list[NameRecord] = []
    if kind == "valuation":
        for row in frame.to_dict("records"):
            kind_ = QUOTE_TYPE_KINDS.get(row.get("quote_type", ""), "other")
            records.append(NameRecord(row["symbol"], [row["short_name"]], kind_, row.get("exchange") or None))
    elif "Security" in frame.columns:  # S&P 500 constituents
        for row in frame.to_dict("records"):
            records.append(NameRecord(row["Symbol"].replace(".", "-"), [row["Security"]], "equity"))
    else:  # FinanceDatabase: ETFs have a category, equities a sector
        is_etf = "category" in frame.columns
        for row in frame.to_dict("records"):
            if str(row.get("delisted", "")).lower() == "true":
                continue
            records.append(
                NameRecord(
                    row["symbol"], [row["name"]], "etf" if is_etf else "equity", row.get("exchange") or None
                )
            )
    return [r for r in records if r.symbol and any(r.names)]
