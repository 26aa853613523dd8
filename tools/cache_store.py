"""The SQLite (WAL) file behind ``CachedProvider``: one row per symbol's bars, one per fundamentals.

A cache is disposable: a row that cannot be read is dropped and counts as a miss, and a failed
write is logged while the answer stands. Only a file that is not SQLite at all is an error
(``CorruptDataError`` naming it), raised when the store opens.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from dataclasses import asdict, dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from copilot.errors import CorruptDataError
from tools.providers.base import Fundamentals, PriceHistory
from tools.providers.snapshot_format import bars_to_csv, read_bars

_log = logging.getLogger(__name__)
_SCHEMA = """
CREATE TABLE IF NOT EXISTS price_cache (
    provider TEXT NOT NULL, symbol TEXT NOT NULL,
    start_req TEXT, end_req TEXT NOT NULL,  -- the range fetched (start NULL = whole history)
    fetched_at TEXT NOT NULL, oldest_at TEXT NOT NULL,  -- newest fetch; oldest merged part
    meta TEXT NOT NULL, bars BLOB NOT NULL,
    PRIMARY KEY (provider, symbol));
CREATE TABLE IF NOT EXISTS fundamentals_cache (
    provider TEXT NOT NULL, symbol TEXT NOT NULL, as_of TEXT NOT NULL,
    fetched_at TEXT NOT NULL, payload TEXT NOT NULL,
    PRIMARY KEY (provider, symbol, as_of));
"""
_OPEN_ATTEMPTS = 8


def _unusable(db_path: Path, exc: Exception) -> CorruptDataError:
    return CorruptDataError(
        f"market cache {db_path} is not a usable SQLite database ({exc}); delete it to start afresh"
    )


_UNREADABLE = (sqlite3.Error, CorruptDataError, ValueError, KeyError, TypeError)


@dataclass
class BarsEntry:
    """One symbol's cached bars and the range and times they were fetched."""

    start_req: date | None
    end_req: date
    fetched_at: datetime
    oldest_at: datetime
    history: PriceHistory

    def covers(self, start: date | None, end: date) -> bool:
        """Whether the fetched range includes ``start``..``end`` (``None`` = whole history)."""
        starts_ok = self.start_req is None or (start is not None and start >= self.start_req)
        return starts_ok and end <= self.end_req


class CacheStore:
    """Rows of one provider's cached data in a SQLite file (thread-safe)."""

    def __init__(self, db_path: Path, provider: str) -> None:
        self.provider = provider
        self._lock = threading.Lock()
        db_path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(db_path, check_same_thread=False, timeout=10.0)
        for attempt in range(_OPEN_ATTEMPTS):
            try:
                self._db.execute("PRAGMA journal_mode=WAL")  # readers never wait for the writer
                self._db.executescript(_SCHEMA)
                break
            except sqlite3.OperationalError as exc:
                # several server workers opening a new cache at once: switching the journal mode
                # does not wait for the busy timeout, so the later ones see "locked" and try again
                if "locked" not in str(exc) or attempt == _OPEN_ATTEMPTS - 1:
                    self._db.close()
                    raise _unusable(db_path, exc) from None
                time.sleep(0.1 * (attempt + 1))
            except sqlite3.DatabaseError as exc:
                self._db.close()
                raise _unusable(db_path, exc) from None

    def load_bars(self, symbol: str) -> BarsEntry | None:
        """The cached bars of ``symbol``, or ``None`` (nothing cached, or unreadable and dropped)."""
        sql = (
            "SELECT start_req, end_req, fetched_at, oldest_at, meta, bars FROM price_cache "
            "WHERE provider = ? AND symbol = ?"
        )
        try:
            row = self._read(sql, (self.provider, symbol))
            return None if row is None else _entry_from_row(row, f"{self.provider} cache of {symbol}")
        except _UNREADABLE as exc:
            _log.warning("dropping unreadable market cache entry of %s: %s", symbol, exc)
            self._write("DELETE FROM price_cache WHERE provider = ? AND symbol = ?", (self.provider, symbol))
            return None

    def save_bars(self, symbol: str, entry: BarsEntry) -> None:
        """Store (replace) the bars of ``symbol``."""
        history = entry.history
        meta = {
            "symbol": history.symbol,
            "provider": history.provider,
            "url": history.url,
            "adjustment": history.adjustment,
            "currency": history.currency,
            "retrieved_at": history.retrieved_at.isoformat() if history.retrieved_at else None,
            "adjusted_through": history.adjusted_through.isoformat() if history.adjusted_through else None,
        }
        row = (
            self.provider,
            symbol,
            entry.start_req.isoformat() if entry.start_req else None,
            entry.end_req.isoformat(),
            entry.fetched_at.isoformat(),
            entry.oldest_at.isoformat(),
            json.dumps(meta),
            bars_to_csv(history.bars),
        )
        self._write("INSERT OR REPLACE INTO price_cache VALUES (?, ?, ?, ?, ?, ?, ?, ?)", row)

    def load_fundamentals(self, symbol: str, as_of: date) -> tuple[datetime, Fundamentals] | None:
        """(fetched_at, value) of ``symbol`` requested for ``as_of``, or ``None``."""
        sql = (
            "SELECT fetched_at, payload FROM fundamentals_cache "
            "WHERE provider = ? AND symbol = ? AND as_of = ?"
        )
        try:
            row = self._read(sql, (self.provider, symbol, as_of.isoformat()))
            return None if row is None else (datetime.fromisoformat(row[0]), _fundamentals_from_json(row[1]))
        except _UNREADABLE as exc:
            _log.warning("market cache: unreadable fundamentals of %s: %s", symbol, exc)
            return None

    def save_fundamentals(self, symbol: str, as_of: date, fetched_at: datetime, value: Fundamentals) -> None:
        """Store (replace) the fundamentals of ``symbol`` requested for ``as_of``."""
        payload = json.dumps(asdict(value), default=str)
        row = (self.provider, symbol, as_of.isoformat(), fetched_at.isoformat(), payload)
        self._write("INSERT OR REPLACE INTO fundamentals_cache VALUES (?, ?, ?, ?, ?)", row)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _read(self, sql: str, values: tuple[Any, ...]) -> tuple[Any, ...] | None:
        with self._lock:
            row: tuple[Any, ...] | None = self._db.execute(sql, values).fetchone()
            return row

    def _write(self, sql: str, values: tuple[Any, ...]) -> None:
        try:
            with self._lock:
                self._db.execute(sql, values)
                self._db.commit()
        except sqlite3.Error as exc:  # the answer stands without the cache; say so in the log
            _log.warning("market cache write failed (%s): %s", sql.split(" ", 1)[0], exc)


def _entry_from_row(row: tuple[Any, ...], label: str) -> BarsEntry:
    meta = json.loads(row[4])
    retrieved_at = meta.pop("retrieved_at", None)
    adjusted_through = meta.pop("adjusted_through", None)
    history = PriceHistory(
        bars=read_bars(row[5], label),  # a row of the 5-column format before version 2: unreadable, refetched
        retrieved_at=datetime.fromisoformat(retrieved_at) if retrieved_at else None,
        adjusted_through=date.fromisoformat(adjusted_through) if adjusted_through else None,
        **meta,
    )
    return BarsEntry(
        start_req=date.fromisoformat(row[0]) if row[0] else None,
        end_req=date.fromisoformat(row[1]),
        fetched_at=datetime.fromisoformat(row[2]),
        oldest_at=datetime.fromisoformat(row[3]),
        history=history,
    )


def _fundamentals_from_json(payload: str) -> Fundamentals:
    values: dict[str, Any] = json.loads(payload)
    values["as_of"] = date.fromisoformat(values["as_of"])
    if values.get("retrieved_at"):
        values["retrieved_at"] = datetime.fromisoformat(values["retrieved_at"])
    return Fundamentals(**values)
