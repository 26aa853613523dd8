"""Build a snapshot directory (docs/snapshot-format.md) from long-format price and fundamentals files.

``import_snapshot(sources, dest, on_split)``:

1. Sources are files or folders; a folder contributes its files sorted by name (not recursive).
   Files are read in that order and LATER FILES WIN where they cover the same symbol and date.
2. Each symbol's series is built from the files that cover it (tools/price_series.py): which
   rows are prices as traded and which are dividend-adjusted (tools/traded_prices.py), unadjusted
   splits (tools/splits.py: adjusted with ``on_split="adjust"``, refused with
   ``UnadjustedSplitError`` with ``"refuse"``), basis breaks inside a dividend-adjusted file
   (tools/basis_breaks.py), and the joins (tools/seams.py): traded prices never rescaled, the
   adjusted closes rescaled to the newest file's basis at each seam; gaps are reported.
3. The snapshot is written to a temporary sibling and swapped in, so a failed import leaves
   ``dest`` as it was. The report is returned and stored in ``manifest.json``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from copilot.errors import BadInputError
from tools.import_fundamentals import (
    FundamentalTables,
    read_fundamentals,
    sniff_fundamentals,
    write_fundamental_tables,
)
from tools.import_sources import NameRecord, read_names, read_prices, read_valuation, sniff
from tools.price_series import build_series
from tools.providers.base import Adjustment
from tools.providers.snapshot_format import (
    FORMAT,
    FORMAT_VERSION,
    FUNDAMENTALS_FILE,
    MANIFEST,
    NAMES_COLUMNS,
    NAMES_FILE,
    PRICES_DIR,
    bars_to_csv,
    price_file_name,
)
from tools.seams import SymbolReport
from tools.splits import SplitEvent

OnSplit = Literal["adjust", "refuse"]

# index levels carry no name in the price files; these are their usual names
INDEX_NAMES: dict[str, list[str]] = {
    "^GSPC": ["S&P 500"],
    "^IXIC": ["NASDAQ Composite"],
    "^RUT": ["Russell 2000"],
    "^SOX": ["PHLX Semiconductor Index"],
    "^DJI": ["Dow Jones Industrial Average"],
    "^VIX": ["CBOE Volatility Index"],
    "^TNX": ["CBOE 10-Year Treasury Note Yield"],
}


class UnadjustedSplitError(BadInputError):
    """``--on-split refuse`` and the sources carry unadjusted splits."""

    code = "unadjusted_split"

    def __init__(self, events: Sequence[SplitEvent]) -> None:
        self.events = list(events)
        listed = "; ".join(f"{e.symbol} {e.ratio} on {e.date} in {e.source}" for e in self.events)
        super().__init__(f"refusing to import {len(self.events)} unadjusted split(s): {listed}")


@dataclass(frozen=True)
class FileReport:
    path: str
    kind: str
    symbols: int = 0
    rows: int = 0
    note: str = ""


@dataclass
class ImportReport:
    """What an import read, adjusted and joined; stored in the manifest as ``import_report``."""

    dest: str
    on_split: OnSplit
    files: list[FileReport] = field(default_factory=list)
    symbols: dict[str, SymbolReport] = field(default_factory=dict)
    fundamentals: int = 0
    names: int = 0
    seconds: float = 0.0
    # statements, filings, analyst targets, market valuation: rows read (tools/import_fundamentals.py)
    fundamental_tables: dict[str, int] = field(default_factory=dict)

    @property
    def splits(self) -> list[SplitEvent]:
        return [event for report in self.symbols.values() for event in report.splits]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def expand_sources(sources: Sequence[Path]) -> list[Path]:
    """Files in import order: arguments in order, each folder's files sorted by name, no repeats."""
    files: list[Path] = []
    for source in sources:
        path = Path(source)
        if path.is_dir():
            files.extend(sorted(p for p in path.iterdir() if p.is_file()))
        elif path.is_file():
            files.append(path)
        else:
            raise BadInputError(f"import source {path} does not exist")
    # a file named twice counts once, at its last position (it would otherwise vouch for itself)
    last = {p.resolve(): i for i, p in enumerate(files)}
    return [p for i, p in enumerate(files) if last[p.resolve()] == i]


def import_snapshot(sources: Sequence[Path], dest: Path, on_split: OnSplit = "adjust") -> ImportReport:
    """Build a snapshot at ``dest`` from price/fundamentals files or folders; return the report."""
    started = time.perf_counter()
    if on_split not in ("adjust", "refuse"):
        raise BadInputError(f"on_split must be 'adjust' or 'refuse', not {on_split!r}")
    dest = Path(dest)
    check_dest(dest)
    target = dest.resolve()
    if any(target == p.resolve() or target in p.resolve().parents for p in map(Path, sources)):
        raise BadInputError(f"--dest {dest} holds import sources: replacing it would delete them")
    report = ImportReport(dest=str(dest), on_split=on_split)
    explicit = {Path(s) for s in sources if Path(s).is_file()}
    parts: dict[str, list[tuple[str, pd.DataFrame]]] = {}
    fundamentals: dict[str, dict[str, dict[str, Any]]] = {}
    names: dict[str, NameRecord] = {}
    tables = FundamentalTables()
    for path in expand_sources(sources):
        kind = sniff(path)
        extra = sniff_fundamentals(path) if kind == "unknown" else None
        if extra is not None:  # statements, filings, analyst targets, the Shiller series
            symbols, rows = read_fundamentals(path, extra, tables)
            report.files.append(FileReport(str(path), extra, symbols, rows))
            continue
        if kind == "unknown":
            if path in explicit:
                raise BadInputError(f"{path} is not a price, valuation or names file this importer reads")
            report.files.append(FileReport(str(path), "skipped", note="not an importable CSV"))
            continue
        if kind == "prices":
            series = read_prices(path)
            for symbol, bars in series.items():
                parts.setdefault(symbol, []).append((path.name, bars))
            rows = sum(len(b) for b in series.values())
            report.files.append(FileReport(str(path), kind, len(series), rows))
            continue
        if kind == "valuation":
            for symbol, record in read_valuation(path).items():
                # one record per symbol and date; a later file replaces the same date
                fundamentals.setdefault(symbol, {})[record["as_of"]] = record
        name_records = read_names(path, kind)
        for name_record in name_records:
            _merge_name(names, name_record)
        report.files.append(FileReport(str(path), kind, len(name_records), len(name_records)))
    if not parts and not fundamentals and not names and not tables:
        raise BadInputError("nothing to import: no price, valuation or names file among the sources")

    joined = _join_all(parts, on_split, report)
    for symbol, aliases in INDEX_NAMES.items():
        if symbol in joined:
            _merge_name(names, NameRecord(symbol, aliases, "index"))
    report.fundamentals, report.names = len(fundamentals), len(names)
    write_snapshot(dest, joined, fundamentals, names, report, started, tables)
    return report


def _join_all(
    parts: dict[str, list[tuple[str, pd.DataFrame]]], on_split: OnSplit, report: ImportReport
) -> dict[str, tuple[pd.DataFrame, Adjustment]]:
    joined: dict[str, tuple[pd.DataFrame, Adjustment]] = {}
    for symbol in sorted(parts):
        bars, symbol_report = build_series(symbol, parts[symbol])
        report.symbols[symbol] = symbol_report
        joined[symbol] = (bars, "none" if symbol.startswith("^") else "split")
    if report.splits and on_split == "refuse":
        raise UnadjustedSplitError(report.splits)
    return joined


def _merge_name(names: dict[str, NameRecord], record: NameRecord) -> None:
    current = names.get(record.symbol)
    if current is None:
        names[record.symbol] = NameRecord(record.symbol, list(record.names), record.kind, record.exchange)
        return
    current.names.extend(n for n in record.names if n and n not in current.names)
    if current.kind in ("other", "equity") and record.kind in ("etf", "index"):
        current.kind = record.kind
    current.exchange = current.exchange or record.exchange


def check_dest(dest: Path) -> None:
    """Refuse a destination that exists and is not a snapshot (never overwrite someone's files)."""
    if dest.exists() and (not dest.is_dir() or (any(dest.iterdir()) and not (dest / MANIFEST).is_file())):
        raise BadInputError(f"{dest} exists and is not a snapshot directory; choose an empty or new --dest")


def write_snapshot(
    dest: Path,
    joined: dict[str, tuple[pd.DataFrame, Adjustment]],
    fundamentals: dict[str, dict[str, dict[str, Any]]],
    names: dict[str, NameRecord],
    report: ImportReport,
    started: float,
    tables: FundamentalTables | None = None,
) -> None:
    """Write the snapshot files to a hidden sibling of ``dest`` and swap it in (see the format doc)."""
    staging = dest.with_name(f".{dest.name}.importing")
    shutil.rmtree(staging, ignore_errors=True)
    (staging / PRICES_DIR).mkdir(parents=True)
    symbols: dict[str, Any] = {}
    for symbol, (bars, adjustment) in joined.items():
        data = bars_to_csv(bars)
        file_name = price_file_name(symbol)
        (staging / PRICES_DIR / file_name).write_bytes(data)
        symbol_report = report.symbols[symbol]
        symbols[symbol] = {
            "file": file_name,
            "first_date": symbol_report.first_date,
            "last_date": symbol_report.last_date,
            "rows": symbol_report.rows,
            "adjustment": adjustment,
            "traded_rows": symbol_report.traded_rows,
            "adjusted_rows": symbol_report.adjusted_rows,
            "adjusted_through": symbol_report.adjusted_through,
            "sha256": hashlib.sha256(data).hexdigest(),
            "sources": [asdict(s) for s in symbol_report.segments],
            "adjusted_sources": [asdict(s) for s in symbol_report.adjusted_segments],
        }
    table = {s: [by_date[d] for d in sorted(by_date)] for s, by_date in sorted(fundamentals.items())}
    (staging / FUNDAMENTALS_FILE).write_text(json.dumps(table, indent=1, default=str))
    (staging / NAMES_FILE).write_text(_names_csv(names))
    extra_files = write_fundamental_tables(staging, tables) if tables else {}
    report.fundamental_tables = {
        key: sum(len(frame) for frame in getattr(tables, key)) for key in extra_files
    }
    report.seconds = round(time.perf_counter() - started, 3)  # all but writing the manifest itself
    manifest = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "symbols": symbols,
        "fundamentals": FUNDAMENTALS_FILE,
        "names": NAMES_FILE,
        **extra_files,
        "import_report": report.to_dict(),
    }
    (staging / MANIFEST).write_text(json.dumps(manifest, indent=1, default=str))
    if dest.exists():
        shutil.rmtree(dest)
    staging.rename(dest)


def _names_csv(names: dict[str, NameRecord]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(NAMES_COLUMNS)
    for symbol in sorted(names):
        record = names[symbol]
        aliases = "|".join(n.replace("|", "/") for n in record.names[1:])
        writer.writerow([symbol, record.names[0], record.kind, record.exchange or "", aliases])
    return buffer.getvalue()
