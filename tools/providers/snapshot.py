"""Market data from a snapshot directory: the offline provider (``VERITY_MARKET_DATA=snapshot:DIR``).

Directory format, version 2 (full description in docs/snapshot-format.md)::

    DIR/
      manifest.json      format, version, created_at, symbols {SYM: file, first_date, last_date,
                         rows, adjustment, traded_rows, adjusted_rows, adjusted_through, sha256,
                         sources, adjusted_sources}, import_report
      prices/<SYM>.csv   one file per symbol (name URL-quoted, ^RUT -> %5ERUT.csv):
                         date,open,high,low,close,volume,adj_close,traded — ascending, unique
                         dates; prices as traded where traded=1, dividend-adjusted where 0
      fundamentals.json  {SYM: [{"as_of": "YYYY-MM-DD", <Fundamentals fields>}, ...]} oldest first
      names.csv          symbol,name,kind,exchange,aliases (aliases joined by "|")
      statements.csv, filings.csv, analyst_targets.csv, market_valuation.csv  (optional;
                         read by tools/providers/snapshot_fundamentals.py)

Files load lazily on first use and are memoised per symbol; a file that does not match its
manifest entry (checksum, columns, numbers, dates) raises ``CorruptDataError`` naming it.
"""

from __future__ import annotations

import csv
import hashlib
import json
import threading
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, cast
from urllib.parse import quote

import pandas as pd

from copilot.errors import BadInputError, CorruptDataError, NoDataError, UnknownSymbolError
from tools.providers.base import Adjustment, Fundamentals, PriceHistory, SymbolKind, SymbolMatch
from tools.providers.snapshot_format import (
    FORMAT,
    FORMAT_VERSION,
    FUNDAMENTAL_FIELDS,
    FUNDAMENTALS_FILE,
    MANIFEST,
    NAMES_COLUMNS,
    NAMES_FILE,
    PRICES_DIR,
    first_line,
    read_bars,
)
from tools.providers.snapshot_fundamentals import SnapshotFundamentals
from tools.providers.statements_base import AnalystTargets, FinancialStatements, MarketValuationSeries


class SnapshotProvider:
    """A ``MarketDataProvider`` over a snapshot directory built by ``verity data import``."""

    name = "snapshot"

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._manifest: dict[str, Any] | None = None
        self._bars: dict[str, pd.DataFrame] = {}
        self._fundamentals: dict[str, list[dict[str, Any]]] | None = None
        self._names: list[SymbolMatch] | None = None
        self._lock = threading.Lock()  # the web app calls providers from worker threads
        self._root_uri = self.path.resolve().as_uri()
        self._fundamental_files: SnapshotFundamentals | None = None

    # --- MarketDataProvider ---------------------------------------------------------------
    def price_history(self, symbols: Sequence[str], start: date | None, end: date) -> dict[str, PriceHistory]:
        """Bars of each symbol between start and end inclusive (whole snapshot if start is None)."""
        if start is not None and start > end:
            raise BadInputError(f"empty date range: start {start} is after end {end}")
        out: dict[str, PriceHistory] = {}
        for requested in symbols:
            symbol = self._known_symbol(requested)
            entry = self.manifest["symbols"][symbol]
            bars = self._load_bars(symbol)
            lo = bars.index[0] if start is None else pd.Timestamp(start)
            window = bars.loc[(bars.index >= lo) & (bars.index <= pd.Timestamp(end))]
            if window.empty:
                raise NoDataError(_no_bars_message(symbol, start, end, entry), symbol=symbol)
            out[requested] = PriceHistory(
                symbol=symbol,
                bars=window,
                provider=self.name,
                url=f"{self._root_uri}/{PRICES_DIR}/{quote(entry['file'])}",
                adjustment=cast(Adjustment, entry.get("adjustment", "unknown")),
                retrieved_at=self.created_at,
                adjusted_through=_day(entry.get("adjusted_through")),
            )
        return out

    def fundamentals(self, symbol: str, as_of: date) -> Fundamentals:
        """The latest fundamentals snapshot of ``symbol`` dated on or before ``as_of``."""
        table = self._load_fundamentals()
        key = symbol.strip().upper() if symbol not in table else symbol
        records = table.get(key)
        if not records:
            if key not in self.manifest["symbols"] and not self._has_name(key):
                raise UnknownSymbolError(symbol, "not in the market-data snapshot")
            raise NoDataError(f"{key}: the snapshot has no fundamentals for it", symbol=key)
        dated = [r for r in records if date.fromisoformat(r["as_of"]) <= as_of]
        if not dated:
            raise NoDataError(
                f"{key}: the first fundamentals snapshot is dated {records[0]['as_of']}, after {as_of}",
                symbol=key,
            )
        record = dated[-1]
        values: dict[str, Any] = {name: record.get(name) for name in FUNDAMENTAL_FIELDS}
        return Fundamentals(
            symbol=key,
            provider=self.name,
            as_of=date.fromisoformat(record["as_of"]),
            url=record.get("url") or f"{self._root_uri}/{FUNDAMENTALS_FILE}",
            retrieved_at=self.created_at,
            **values,
        )

    def search(self, query: str) -> list[SymbolMatch]:
        """Names and tickers matching ``query``: exact ticker, then name prefix, then word match."""
        q = " ".join(query.lower().split())
        if not q:
            return []
        ranked: list[tuple[int, int, SymbolMatch]] = []
        priced = self.manifest["symbols"]
        for match in self._load_names():
            names = [match.name.lower(), *(a.lower() for a in match.aliases)]
            if match.symbol.lower() == q:
                rank = 0
            elif any(n == q for n in names):
                rank = 1
            elif any(n.startswith(q) for n in names):
                rank = 2
            elif any(f" {q}" in f" {n}" for n in names):
                rank = 3
            else:
                continue
            ranked.append((rank, 0 if match.symbol in priced else 1, match))
        ranked.sort(key=lambda item: (item[0], item[1], item[2].symbol))
        return [match for _, _, match in ranked[:25]]

    # --- FundamentalsProvider (tools/providers/statements_base.py) ---------------------------
    def financial_statements(self, symbol: str) -> FinancialStatements:
        """Statement lines and known filings of ``symbol`` (``statements.csv``, ``filings.csv``)."""
        return self._fundamental_tables().financial_statements(symbol)

    def analyst_targets(self, symbol: str, as_of: date) -> AnalystTargets:
        """The latest analyst targets of ``symbol`` recorded on or before ``as_of``."""
        return self._fundamental_tables().analyst_targets(symbol, as_of)

    def market_valuation(self) -> MarketValuationSeries:
        """Shiller's monthly S&P 500 level, earnings and CAPE (``market_valuation.csv``)."""
        return self._fundamental_tables().market_valuation()

    def _fundamental_tables(self) -> SnapshotFundamentals:
        if self._fundamental_files is None:
            # created_at reads the manifest: a directory that is not a snapshot fails here, as for prices
            self._fundamental_files = SnapshotFundamentals(
                self.path, self.name, self.created_at, self._root_uri
            )
        return self._fundamental_files

    # --- snapshot contents ----------------------------------------------------------------
    @property
    def manifest(self) -> dict[str, Any]:
        if self._manifest is None:
            self._manifest = self._read_manifest()
        return self._manifest

    @property
    def created_at(self) -> datetime | None:
        stamp = self.manifest.get("created_at")
        return datetime.fromisoformat(stamp).astimezone(UTC) if stamp else None

    @property
    def last_session(self) -> date | None:
        """The newest session any symbol of the snapshot holds: where the snapshot's clock stops."""
        days = [entry["last_date"] for entry in self.manifest["symbols"].values() if entry.get("last_date")]
        return date.fromisoformat(max(days)) if days else None

    def symbols(self) -> list[str]:
        """Every symbol with price history in the snapshot."""
        return sorted(self.manifest["symbols"])

    def _read_manifest(self) -> dict[str, Any]:
        path = self.path / MANIFEST
        if not path.is_file():
            raise CorruptDataError(
                f"{self.path} is not a Verity snapshot (no {MANIFEST}); build one with `verity data import`"
            )
        try:
            manifest = json.loads(path.read_text())
        except (ValueError, UnicodeDecodeError) as exc:
            raise CorruptDataError(f"corrupt snapshot file {path}: {first_line(exc)}") from None
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise CorruptDataError(f"corrupt snapshot file {path}: not a {FORMAT} manifest")
        if manifest.get("version") != FORMAT_VERSION:
            raise CorruptDataError(
                f"{path}: snapshot format version {manifest.get('version')} is not supported (this "
                f"Verity reads version {FORMAT_VERSION}, which keeps prices as traded beside the "
                "dividend-adjusted closes); re-import it with `verity data import SRC... --dest DIR`"
            )
        if not isinstance(manifest.get("symbols"), dict):
            raise CorruptDataError(f"corrupt snapshot file {path}: no symbols table")
        return manifest

    def _known_symbol(self, symbol: str) -> str:
        table = self.manifest["symbols"]
        if symbol in table:
            return symbol
        upper = symbol.strip().upper()
        if upper in table:
            return upper
        raise UnknownSymbolError(symbol, "no price history in the market-data snapshot")

    def _load_bars(self, symbol: str) -> pd.DataFrame:
        cached = self._bars.get(symbol)
        if cached is not None:
            return cached
        entry = self.manifest["symbols"][symbol]
        path = self.path / PRICES_DIR / entry["file"]
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CorruptDataError(f"snapshot file {path} cannot be read: {exc.strerror}") from None
        expected = entry.get("sha256")
        if expected and hashlib.sha256(data).hexdigest() != expected:
            raise CorruptDataError(f"corrupt snapshot file {path}: checksum does not match the manifest")
        bars = read_bars(data, str(path))
        with self._lock:
            self._bars[symbol] = bars
        return bars

    def _load_fundamentals(self) -> dict[str, list[dict[str, Any]]]:
        if self._fundamentals is None:
            path = self.path / FUNDAMENTALS_FILE
            table: Any = {}
            if path.is_file():
                try:
                    table = json.loads(path.read_text())
                except (ValueError, UnicodeDecodeError) as exc:
                    raise CorruptDataError(f"corrupt snapshot file {path}: {first_line(exc)}") from None
                if not isinstance(table, dict):
                    raise CorruptDataError(f"corrupt snapshot file {path}: expected an object per symbol")
            self._fundamentals = table
        return self._fundamentals

    def _load_names(self) -> list[SymbolMatch]:
        if self._names is None:
            path = self.path / NAMES_FILE
            names: list[SymbolMatch] = []
            if path.is_file():
                with path.open(newline="") as handle:
                    reader = csv.DictReader(handle)
                    if tuple(reader.fieldnames or ()) != NAMES_COLUMNS:
                        raise CorruptDataError(f"corrupt snapshot file {path}: columns {reader.fieldnames}")
                    for row in reader:
                        names.append(
                            SymbolMatch(
                                symbol=row["symbol"],
                                name=row["name"],
                                kind=cast(SymbolKind, row["kind"] or "other"),
                                exchange=row["exchange"] or None,
                                aliases=tuple(a for a in (row["aliases"] or "").split("|") if a),
                            )
                        )
            self._names = names
        return self._names

    def _has_name(self, symbol: str) -> bool:
        return any(m.symbol == symbol for m in self._load_names())


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) and value else None


def _no_bars_message(symbol: str, start: date | None, end: date, entry: dict[str, Any]) -> str:
    first, last = entry["first_date"], entry["last_date"]
    if end < date.fromisoformat(first):
        return f"{symbol}: no bars up to {end}; the series starts on {first}"
    if start is not None and start > date.fromisoformat(last):
        return f"{symbol}: no bars from {start}; the series ends on {last}"
    return f"{symbol}: no bars between {start} and {end} (a gap in the series {first}..{last})"
