"""Read the fundamentals files ``verity data import`` accepts beside prices, and write them into
the snapshot (docs/snapshot-format.md, "Statements, filings, analyst targets and market valuation").

Each file is recognised by its CSV header:

- statements: ``symbol,statement,freq,period_end,line_item,value`` (yfinance statement tables
  melted to long form); only the line items of ``LINE_ITEMS`` are kept, under our names;
- filings: the SEC filings index ``file,symbol,form,filed_date,...,first_200_chars``; a filing's
  period end is read from its XBRL document name at the start of the text (``aapl-20260627``);
- analyst targets: ``date,ticker,...,target_mean,target_high,target_low,analysts,rating``;
- market valuation: Shiller's monthly S&P 500 ``Date,SP500,...,Earnings,...,PE10``; zeros are
  the upstream's placeholder for values not yet published, so they are stored as missing.

Later files win rows they share with earlier ones (same symbol and period, or date).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pandas as pd

from copilot.errors import CorruptDataError
from tools.import_sources import _open_bytes, _read_csv
from tools.providers.snapshot_fundamentals import (
    FILING_COLUMNS,
    FILINGS_FILE,
    MARKET_COLUMNS,
    MARKET_FILE,
    STATEMENT_COLUMNS,
    STATEMENTS_FILE,
    TARGET_COLUMNS,
    TARGETS_FILE,
)
from tools.providers.statement_mapping import map_lines

FundamentalKind = Literal["statements", "filings", "analyst_targets", "market_valuation"]
HEADERS: dict[FundamentalKind, set[str]] = {
    "statements": {"symbol", "statement", "freq", "period_end", "line_item", "value"},
    "filings": {"file", "symbol", "form", "filed_date"},
    "analyst_targets": {"date", "ticker", "target_mean", "target_high", "target_low", "analysts"},
    "market_valuation": {"Date", "SP500", "Earnings", "PE10"},
}
# the XBRL instance name that opens an EDGAR filing's text: "aapl-20260627 UNITED STATES ..."
XBRL_PERIOD = re.compile(r"^\s*[a-z][a-z0-9.\-]*-(\d{8})\b")


@dataclass
class FundamentalTables:
    """What the fundamentals files of one import hold, ready to write."""

    statements: list[pd.DataFrame] = field(default_factory=list)
    filings: list[pd.DataFrame] = field(default_factory=list)
    analyst_targets: list[pd.DataFrame] = field(default_factory=list)
    market_valuation: list[pd.DataFrame] = field(default_factory=list)

    def __bool__(self) -> bool:
        return any((self.statements, self.filings, self.analyst_targets, self.market_valuation))


def sniff_fundamentals(path: Path) -> FundamentalKind | None:
    """Which fundamentals file ``path`` is, from its header (None: none of them)."""
    if not path.name.endswith((".csv", ".csv.gz")):
        return None
    header = _open_bytes(path).split(b"\n", 1)[0].decode("utf-8", "replace").strip()
    columns = {c.strip().strip('"') for c in header.split(",")}
    return next((kind for kind, needed in HEADERS.items() if needed <= columns), None)


def read_fundamentals(path: Path, kind: FundamentalKind, tables: FundamentalTables) -> tuple[int, int]:
    """Add the file's rows to ``tables``; return (symbols, rows) for the import report."""
    if kind == "statements":
        frame = read_statements(path)
        tables.statements.append(frame)
    elif kind == "filings":
        frame = read_filings(path)
        tables.filings.append(frame)
    elif kind == "analyst_targets":
        frame = read_analyst_targets(path)
        tables.analyst_targets.append(frame)
    else:
        frame = read_market_valuation(path)
        tables.market_valuation.append(frame)
        return 1, len(frame)
    return int(frame["symbol"].nunique()), len(frame)


def read_statements(path: Path) -> pd.DataFrame:
    """Our statement lines (``STATEMENT_COLUMNS``) from a long-format yfinance statements file."""
    frame = _read_csv(path, dtype={"symbol": str, "period_end": str})
    _require(path, frame, HEADERS["statements"])
    frame["value"] = pd.to_numeric(frame["value"], errors="coerce")
    dates = pd.to_datetime(frame["period_end"], format="%Y-%m-%d", errors="coerce")
    if dates.isna().any():
        raise CorruptDataError(f"corrupt file {path}: a malformed period_end on line {_line(dates.isna())}")
    frame["period_end"] = dates
    parts = []
    for symbol, rows in frame.groupby("symbol", sort=True):
        lines = map_lines(rows)
        lines.insert(0, "symbol", str(symbol).strip())
        parts.append(lines)
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=list(STATEMENT_COLUMNS))
    out["period_end"] = pd.DatetimeIndex(out["period_end"]).strftime("%Y-%m-%d")
    return out.loc[:, list(STATEMENT_COLUMNS)]


def read_filings(path: Path) -> pd.DataFrame:
    """Filing dates (``FILING_COLUMNS``) from the SEC filings index."""
    frame = _read_csv(path, dtype=str, keep_default_na=False)
    _require(path, frame, HEADERS["filings"])
    filed = pd.to_datetime(frame["filed_date"], format="%Y-%m-%d", errors="coerce")
    if filed.isna().any():
        raise CorruptDataError(f"corrupt file {path}: a malformed filed_date on line {_line(filed.isna())}")
    text = (
        frame["first_200_chars"] if "first_200_chars" in frame.columns else pd.Series("", index=frame.index)
    )
    return pd.DataFrame(
        {
            "symbol": frame["symbol"].str.strip(),
            "form": frame["form"].str.strip(),
            "filed": filed.dt.strftime("%Y-%m-%d"),
            "period_end": [_xbrl_period(str(t)) for t in text],
            "source": frame["file"],
        }
    ).loc[:, list(FILING_COLUMNS)]


def _xbrl_period(text: str) -> str | None:
    match = XBRL_PERIOD.match(text)
    if match is None:
        return None
    stamp = pd.to_datetime(match.group(1), format="%Y%m%d", errors="coerce")
    return None if pd.isna(stamp) else stamp.strftime("%Y-%m-%d")


def read_analyst_targets(path: Path) -> pd.DataFrame:
    """Dated analyst targets (``TARGET_COLUMNS``) per symbol."""
    frame = _read_csv(path, dtype={"ticker": str, "date": str})
    _require(path, frame, HEADERS["analyst_targets"])
    dates = pd.to_datetime(frame["date"], format="%Y-%m-%d", errors="coerce")
    if dates.isna().any():
        raise CorruptDataError(f"corrupt file {path}: a malformed date on line {_line(dates.isna())}")
    for column in ("price", "target_mean", "target_high", "target_low", "analysts"):
        if column in frame.columns:
            frame[column] = pd.to_numeric(frame[column], errors="coerce")
    if frame["target_mean"].isna().any() or (frame["target_mean"] <= 0).any():
        bad = frame["target_mean"].isna() | (frame["target_mean"] <= 0)
        raise CorruptDataError(
            f"corrupt file {path}: a missing or non-positive target_mean on line {_line(bad)}"
        )
    out = pd.DataFrame(
        {
            "date": dates.dt.strftime("%Y-%m-%d"),
            "symbol": frame["ticker"].str.strip(),
            "company": frame.get("company"),
            "price": frame.get("price"),
            "target_mean": frame["target_mean"],
            "target_high": frame["target_high"],
            "target_low": frame["target_low"],
            "analysts": frame["analysts"].astype("Int64"),
            "rating": frame.get("rating"),
            "source": path.name,
        }
    )
    return out.loc[:, list(TARGET_COLUMNS)]


def read_market_valuation(path: Path) -> pd.DataFrame:
    """Shiller's monthly level, earnings and CAPE (``MARKET_COLUMNS``); zeros become missing."""
    frame = _read_csv(path, dtype={"Date": str})
    _require(path, frame, HEADERS["market_valuation"])
    months = pd.to_datetime(frame["Date"], format="%Y-%m-%d", errors="coerce")
    if months.isna().any():
        raise CorruptDataError(f"corrupt file {path}: a malformed Date on line {_line(months.isna())}")
    values = {}
    for ours, theirs in (("price", "SP500"), ("earnings", "Earnings"), ("cape", "PE10")):
        numbers = pd.to_numeric(frame[theirs], errors="coerce")
        values[ours] = numbers.where(numbers > 0)  # 0.0 = not yet published upstream, not zero
    return pd.DataFrame({"month": months.dt.strftime("%Y-%m-%d"), **values, "source": path.name}).loc[
        :, list(MARKET_COLUMNS)
    ]


def write_fundamental_tables(staging: Path, tables: FundamentalTables) -> dict[str, str]:
    """Write each kind present into the snapshot being built; the manifest entries it adds."""
    written: dict[str, str] = {}
    plan = (
        (
            "statements",
            STATEMENTS_FILE,
            tables.statements,
            ["symbol", "statement", "freq", "period_end", "item"],
        ),
        ("filings", FILINGS_FILE, tables.filings, ["symbol", "form", "filed"]),
        ("analyst_targets", TARGETS_FILE, tables.analyst_targets, ["symbol", "date"]),
        ("market_valuation", MARKET_FILE, tables.market_valuation, ["month"]),
    )
    for key, name, frames, unique in plan:
        if not frames:
            continue
        # later files win: keep the last row of each key
        joined = pd.concat(frames, ignore_index=True).drop_duplicates(unique, keep="last")
        joined = joined.sort_values(unique, kind="stable")
        (staging / name).write_text(joined.to_csv(index=False))
        written[key] = name
    return written


def _require(path: Path, frame: pd.DataFrame, columns: set[str]) -> None:
    missing = columns - set(frame.columns)
    if missing:
        raise CorruptDataError(f"corrupt file {path}: missing columns {sorted(missing)}")
    if frame.empty:
        raise CorruptDataError(f"corrupt file {path}: no rows")


def _line(bad: pd.Series) -> int:
    return int(bad.to_numpy().argmax()) + 2
