"""A caching ``MarketDataProvider`` in front of a live one: SQLite (WAL) on disk, a memo in memory.

Why a cache: a live provider is slow (hundreds of ms a call), rate-limited and sometimes down,
while an answer asks for the same bars several times. Why a time-to-live per kind of data
(``CacheTTL``): a quote or today's unfinished bar changes by the minute (``ttl_quote``); finished
daily bars only change when the provider re-bases its dividend adjustment (``ttl_finished_bars``);
fundamentals move daily at most (``ttl_fundamentals``). Why a stale fallback: when the provider
fails, an answer built on yesterday's figures labelled "stale, N minutes old" is better than
none — so a failing provider (``ProviderUnavailableError``, ``RateLimitedError``, a timeout)
falls back to any cached value with ``stale=True`` and its age, and raises a clear
``ProviderUnavailableError`` naming the symbol only when nothing is cached.

All cache misses of one ``price_history`` call go to the inner provider in ONE call.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from copilot.errors import CorruptDataError, NoDataError, ProviderUnavailableError, RateLimitedError
from copilot.schemas import utc_now
from tools.providers.base import Fundamentals, MarketDataProvider, PriceHistory, SymbolMatch
from tools.providers.snapshot import bars_to_csv, read_bars

_log = logging.getLogger(__name__)
_FAILURES = (ProviderUnavailableError, RateLimitedError, TimeoutError)
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


class _Settings(Protocol):
    ttl_quote: int
    ttl_finished_bars: int
    ttl_fundamentals: int


@dataclass(frozen=True)
class CacheTTL:
    """Seconds each kind of data stays fresh."""

    quote: float = 300
    finished_bars: float = 30 * 24 * 3600
    fundamentals: float = 24 * 3600

    @classmethod
    def from_settings(cls, settings: _Settings) -> CacheTTL:
        """The TTLs of ``Settings`` (``VERITY_TTL_QUOTE``, ``_FINISHED_BARS``, ``_FUNDAMENTALS``)."""
        return cls(settings.ttl_quote, settings.ttl_finished_bars, settings.ttl_fundamentals)


@dataclass
class _Entry:
    """One symbol's cached bars and the range and times they were fetched."""

    start_req: date | None
    end_req: date
    fetched_at: datetime
    oldest_at: datetime
    history: PriceHistory

    def covers(self, start: date | None, end: date) -> bool:
        starts_ok = self.start_req is None or (start is not None and start >= self.start_req)
        return starts_ok and end <= self.end_req


class CachedProvider:
    """``MarketDataProvider`` that caches ``inner`` under ``db_path`` (see the module docstring)."""

    def __init__(
        self,
        inner: MarketDataProvider,
        db_path: Path,
        ttls: CacheTTL,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.inner = inner
        self.name = inner.name
        self.ttls = ttls
        self._clock = clock
        self._lock = threading.RLock()
        self._memo: dict[str, _Entry] = {}
        self._fundamentals_memo: dict[tuple[str, date], tuple[datetime, Fundamentals]] = {}
        db_path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = sqlite3.connect(db_path, check_same_thread=False, timeout=10.0)
            self._db.execute("PRAGMA journal_mode=WAL")  # readers never wait for the writer
            self._db.executescript(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise CorruptDataError(
                f"market cache {db_path} is not a usable SQLite database ({exc}); delete it to start afresh"
            ) from None

    # --- MarketDataProvider ---------------------------------------------------------------
    def price_history(self, symbols: Sequence[str], start: date | None, end: date) -> dict[str, PriceHistory]:
        """Fresh cached bars where possible; every miss fetched in one inner call."""
        now = self._clock()
        out: dict[str, PriceHistory] = {}
        misses: list[str] = []
        with self._lock:
            for symbol in symbols:
                entry = self._entry(symbol)
                if entry is not None and entry.covers(start, end) and self._fresh(entry, end, now):
                    out[symbol] = self._window(entry, start, end, now, stale=False)
                else:
                    misses.append(symbol)
        if not misses:
            return out
        try:
            fetched = self.inner.price_history(misses, start, end)
        except _FAILURES as exc:
            return out | self._stale_bars(misses, start, end, now, exc)
        with self._lock:
            for symbol in misses:
                history = fetched.get(symbol)
                if history is None:
                    raise NoDataError(f"{self.name} returned no bars for {symbol}", symbol=symbol)
                entry = self._store(symbol, start, end, now, history)
                out[symbol] = self._window(entry, start, end, now, stale=False)
        return {symbol: out[symbol] for symbol in symbols}

    def fundamentals(self, symbol: str, as_of: date) -> Fundamentals:
        """Cached fundamentals younger than ``ttls.fundamentals``; stale ones if the provider fails."""
        now = self._clock()
        cached = self._cached_fundamentals(symbol, as_of)
        if cached is not None and (now - cached[0]).total_seconds() <= self.ttls.fundamentals:
            return replace(cached[1], age_seconds=(now - cached[0]).total_seconds())
        try:
            value = self.inner.fundamentals(symbol, as_of)
        except _FAILURES as exc:
            if cached is None:
                raise ProviderUnavailableError(
                    f"{self.name} is unavailable ({_reason(exc)}) and no fundamentals of {symbol} are cached",
                    symbol=symbol,
                    provider=self.name,
                ) from exc
            return replace(cached[1], stale=True, age_seconds=(now - cached[0]).total_seconds())
        with self._lock:
            self._fundamentals_memo[(symbol, as_of)] = (now, value)
            self._write(
                "INSERT OR REPLACE INTO fundamentals_cache VALUES (?, ?, ?, ?, ?)",
                (
                    self.name,
                    symbol,
                    as_of.isoformat(),
                    now.isoformat(),
                    json.dumps(asdict(value), default=str),
                ),
            )
        return replace(value, age_seconds=0.0)

    def search(self, query: str) -> list[SymbolMatch]:
        """Passed through: name search is cheap for every provider we have."""
        return self.inner.search(query)

    def close(self) -> None:
        self._db.close()

    # --- bars -----------------------------------------------------------------------------
    def _fresh(self, entry: _Entry, end: date, now: datetime) -> bool:
        # bars on or after the fetch day may have been unfinished then: they live ttl_quote
        ttl = self.ttls.quote if end >= entry.fetched_at.date() else self.ttls.finished_bars
        newest_ok = (now - entry.fetched_at).total_seconds() <= ttl
        return newest_ok and (now - entry.oldest_at).total_seconds() <= self.ttls.finished_bars

    def _window(
        self, entry: _Entry, start: date | None, end: date, now: datetime, stale: bool
    ) -> PriceHistory:
        bars = entry.history.bars
        lo = bars.index[0] if start is None else pd.Timestamp(start)
        window = bars.loc[(bars.index >= lo) & (bars.index <= pd.Timestamp(end))]
        age = (now - entry.fetched_at).total_seconds()
        return replace(entry.history, bars=window, stale=stale, age_seconds=age)

    def _stale_bars(
        self, misses: Sequence[str], start: date | None, end: date, now: datetime, exc: Exception
    ) -> dict[str, PriceHistory]:
        out: dict[str, PriceHistory] = {}
        with self._lock:
            for symbol in misses:
                entry = self._entry(symbol)
                history = None if entry is None else self._window(entry, start, end, now, stale=True)
                if history is None or history.bars.empty:
                    raise ProviderUnavailableError(
                        f"{self.name} is unavailable ({_reason(exc)}) and no bars of {symbol} "
                        f"between {start or 'the start'} and {end} are cached",
                        symbol=symbol,
                        provider=self.name,
                    ) from exc
                out[symbol] = history
        return out

    def _entry(self, symbol: str) -> _Entry | None:
        entry = self._memo.get(symbol)
        if entry is not None:
            return entry
        try:
            row = self._db.execute(
                "SELECT start_req, end_req, fetched_at, oldest_at, meta, bars FROM price_cache "
                "WHERE provider = ? AND symbol = ?",
                (self.name, symbol),
            ).fetchone()
        except sqlite3.Error as exc:  # a cache that cannot be read is a miss, not a failed answer
            _log.warning("market cache unreadable for %s: %s", symbol, exc)
            return None
        if row is None:
            return None
        try:
            entry = _entry_from_row(row, f"{self.name} cache of {symbol}")
        except (CorruptDataError, ValueError, KeyError, TypeError) as exc:
            _log.warning("dropping unreadable market cache entry of %s: %s", symbol, exc)
            self._write("DELETE FROM price_cache WHERE provider = ? AND symbol = ?", (self.name, symbol))
            return None
        self._memo[symbol] = entry
        return entry

    def _store(
        self, symbol: str, start: date | None, end: date, now: datetime, history: PriceHistory
    ) -> _Entry:
        old = self._entry(symbol)
        entry = _Entry(start, end, now, now, replace(history, stale=False, age_seconds=None))
        if old is not None and _touches(old, start, end):
            # new rows win; the merged entry is as old as its oldest part for finished bars
            kept = old.history.bars.loc[~old.history.bars.index.isin(history.bars.index)]
            bars = pd.concat([kept, history.bars])
            starts = [old.start_req, start]
            entry = _Entry(
                start_req=None if None in starts else min(s for s in starts if s is not None),
                end_req=max(old.end_req, end),
                fetched_at=now,
                oldest_at=min(old.oldest_at, now),
                history=replace(entry.history, bars=bars.sort_index()),
            )
        meta = {
            "symbol": entry.history.symbol,
            "provider": entry.history.provider,
            "url": entry.history.url,
            "adjustment": entry.history.adjustment,
            "currency": entry.history.currency,
            "retrieved_at": entry.history.retrieved_at.isoformat() if entry.history.retrieved_at else None,
        }
        self._write(
            "INSERT OR REPLACE INTO price_cache VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                self.name,
                symbol,
                entry.start_req.isoformat() if entry.start_req else None,
                entry.end_req.isoformat(),
                entry.fetched_at.isoformat(),
                entry.oldest_at.isoformat(),
                json.dumps(meta),
                bars_to_csv(entry.history.bars),
            ),
        )
        self._memo[symbol] = entry
        return entry

    def _write(self, sql: str, values: tuple[Any, ...]) -> None:
        try:
            self._db.execute(sql, values)
            self._db.commit()
        except sqlite3.Error as exc:  # the answer stands without the cache; say so in the log
            _log.warning("market cache write failed (%s): %s", sql.split(" ", 1)[0], exc)

    # --- fundamentals ---------------------------------------------------------------------
    def _cached_fundamentals(self, symbol: str, as_of: date) -> tuple[datetime, Fundamentals] | None:
        with self._lock:
            memo = self._fundamentals_memo.get((symbol, as_of))
            if memo is not None:
                return memo
            try:
                row = self._db.execute(
                    "SELECT fetched_at, payload FROM fundamentals_cache "
                    "WHERE provider = ? AND symbol = ? AND as_of = ?",
                    (self.name, symbol, as_of.isoformat()),
                ).fetchone()
                if row is None:
                    return None
                cached = (datetime.fromisoformat(row[0]), _fundamentals_from_json(row[1]))
            except (sqlite3.Error, ValueError, KeyError, TypeError) as exc:  # unreadable: a miss
                _log.warning("market cache: unreadable fundamentals of %s: %s", symbol, exc)
                return None
            self._fundamentals_memo[(symbol, as_of)] = cached
            return cached


def _entry_from_row(row: tuple[Any, ...], label: str) -> _Entry:
    meta = json.loads(row[4])
    retrieved_at = meta.pop("retrieved_at", None)
    history = PriceHistory(
        bars=read_bars(row[5], label),
        retrieved_at=datetime.fromisoformat(retrieved_at) if retrieved_at else None,
        **meta,
    )
    return _Entry(
        start_req=date.fromisoformat(row[0]) if row[0] else None,
        end_req=date.fromisoformat(row[1]),
        fetched_at=datetime.fromisoformat(row[2]),
        oldest_at=datetime.fromisoformat(row[3]),
        history=history,
    )


def _touches(old: _Entry, start: date | None, end: date) -> bool:
    """Whether a fetched range overlaps or adjoins the cached one (so the two can be merged)."""
    day = timedelta(days=1)
    new_before_old_end = start is None or start <= old.end_req + day
    old_before_new_end = old.start_req is None or old.start_req <= end + day
    return new_before_old_end and old_before_new_end


def _fundamentals_from_json(payload: str) -> Fundamentals:
    values: dict[str, Any] = json.loads(payload)
    values["as_of"] = date.fromisoformat(values["as_of"])
    if values.get("retrieved_at"):
        values["retrieved_at"] = datetime.fromisoformat(values["retrieved_at"])
    return Fundamentals(**values)


def _reason(exc: Exception) -> str:
    return getattr(exc, "message", None) or str(exc) or type(exc).__name__
