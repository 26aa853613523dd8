"""Record a snapshot directory from a live provider (``verity data snapshot SYMBOL... --dest DIR``).

One batched ``price_history`` call for all symbols, then each symbol's current fundamentals
(a symbol the provider has no fundamentals for, e.g. an index, is recorded without them). The
result has the same format as an imported snapshot (docs/snapshot-format.md), so it replays offline
with ``VERITY_MARKET_DATA=snapshot:DIR``.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from copilot.errors import BadInputError, NoDataError
from tools.import_sources import NameRecord
from tools.importer import FileReport, ImportReport, check_dest, write_snapshot
from tools.providers.base import Adjustment, Fundamentals, MarketDataProvider
from tools.seams import Segment, SymbolReport, find_gaps

_NOT_STORED = {"symbol", "provider", "retrieved_at", "stale", "age_seconds"}


def record_snapshot(
    provider: MarketDataProvider, symbols: Sequence[str], dest: Path, start: date | None, end: date
) -> ImportReport:
    """Fetch ``symbols`` from ``provider`` and write them as a snapshot at ``dest``."""
    started = time.perf_counter()
    if not symbols:
        raise BadInputError("name at least one symbol to record")
    dest = Path(dest)
    check_dest(dest)
    histories = provider.price_history(list(symbols), start, end)
    report = ImportReport(dest=str(dest), on_split="adjust")
    joined: dict[str, tuple[pd.DataFrame, Adjustment]] = {}
    fundamentals: dict[str, dict[str, dict[str, Any]]] = {}
    names: dict[str, NameRecord] = {}
    for history in histories.values():
        symbol, bars = history.symbol, history.bars
        joined[symbol] = (bars, history.adjustment)
        first, last = str(bars.index[0].date()), str(bars.index[-1].date())
        traded = int(bars["traded"].sum())
        report.symbols[symbol] = SymbolReport(
            symbol=symbol,
            rows=len(bars),
            first_date=first,
            last_date=last,
            traded_rows=traded,
            untraded_rows=len(bars) - traded,
            adjusted_rows=int(bars["adj_close"].notna().sum()),
            adjusted_through=history.adjusted_through.isoformat() if history.adjusted_through else None,
            segments=[Segment(provider.name, first, last, len(bars))],
            gaps=find_gaps(pd.DatetimeIndex(bars.index)),
        )
        try:
            record = provider.fundamentals(symbol, end)
        except NoDataError:
            continue
        fundamentals[symbol] = {record.as_of.isoformat(): _record(record)}
        if record.name:
            kind = {"EQUITY": "equity", "ETF": "etf", "INDEX": "index"}.get(record.quote_type or "", "other")
            names[symbol] = NameRecord(symbol, [record.name], kind, record.exchange)  # type: ignore[arg-type]
    rows = sum(r.rows for r in report.symbols.values())
    report.files.append(FileReport(f"{provider.name} (live)", "provider", len(joined), rows))
    report.fundamentals, report.names = len(fundamentals), len(names)
    write_snapshot(dest, joined, fundamentals, names, report, started)
    return report


def _record(value: Fundamentals) -> dict[str, Any]:
    record = {k: v for k, v in asdict(value).items() if k not in _NOT_STORED}
    record["as_of"] = value.as_of.isoformat()
    record["source"] = value.provider
    return record
