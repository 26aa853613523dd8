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

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from copilot.errors import NoDataError, ProviderUnavailableError, RateLimitedError
from copilot.schemas import utc_now
from tools.cache_store import BarsEntry, CacheStore
from tools.providers.base import Fundamentals, MarketDataProvider, PriceHistory, SymbolMatch

if TYPE_CHECKING:
    from copilot.config import Settings

_FAILURES = (ProviderUnavailableError, RateLimitedError, TimeoutError)


@dataclass(frozen=True)
class CacheTTL:
    """Seconds each kind of data stays fresh."""

    quote: float = 300
    finished_bars: float = 30 * 24 * 3600
    fundamentals: float = 24 * 3600

    @classmethod
    def from_settings(cls, settings: Settings) -> CacheTTL:
        """The TTLs of ``Settings`` (``VERITY_TTL_QUOTE``, ``_FINISHED_BARS``, ``_FUNDAMENTALS``)."""
        return cls(settings.ttl_quote, settings.ttl_finished_bars, settings.ttl_fundamentals)


class CachedProvider:
    """``MarketDataProvider`` that caches ``inner`` under ``db_path`` (see the module docstring).

    ``clock`` returns timezone-aware UTC datetimes (tests inject one to move time).
    """

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
        self._memo: dict[str, BarsEntry] = {}
        self._fundamentals_memo: dict[tuple[str, date], tuple[datetime, Fundamentals]] = {}
        self._store_db = CacheStore(db_path, inner.name)

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
        with self._lock:
            cached = self._fundamentals_memo.get((symbol, as_of)) or self._store_db.load_fundamentals(
                symbol, as_of
            )
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
            self._store_db.save_fundamentals(symbol, as_of, now, value)
        return replace(value, age_seconds=0.0)

    def search(self, query: str) -> list[SymbolMatch]:
        """Passed through: name search is cheap for every provider we have."""
        return self.inner.search(query)

    def close(self) -> None:
        self._store_db.close()

    # --- bars -----------------------------------------------------------------------------
    def _fresh(self, entry: BarsEntry, end: date, now: datetime) -> bool:
        # bars on or after the fetch day may have been unfinished then: they live ttl_quote
        ttl = self.ttls.quote if end >= entry.fetched_at.date() else self.ttls.finished_bars
        newest_ok = (now - entry.fetched_at).total_seconds() <= ttl
        return newest_ok and (now - entry.oldest_at).total_seconds() <= self.ttls.finished_bars

    def _window(
        self, entry: BarsEntry, start: date | None, end: date, now: datetime, stale: bool
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

    def _entry(self, symbol: str) -> BarsEntry | None:
        entry = self._memo.get(symbol)
        if entry is None:
            entry = self._store_db.load_bars(symbol)
            if entry is not None:
                self._memo[symbol] = entry
        return entry

    def _store(
        self, symbol: str, start: date | None, end: date, now: datetime, history: PriceHistory
    ) -> BarsEntry:
        old = self._entry(symbol)
        entry = BarsEntry(start, end, now, now, replace(history, stale=False, age_seconds=None))
        if old is not None and _touches(old, start, end):
            # new rows win; the merged entry is as old as its oldest part for finished bars
            kept = _on_new_basis(old.history.bars, history.bars)
            bars = pd.concat([kept, history.bars])
            starts = [old.start_req, start]
            entry = BarsEntry(
                start_req=None if None in starts else min(s for s in starts if s is not None),
                end_req=max(old.end_req, end),
                fetched_at=now,
                oldest_at=min(old.oldest_at, now),
                history=replace(entry.history, bars=bars.sort_index()),
            )
        self._store_db.save_bars(symbol, entry)
        self._memo[symbol] = entry
        return entry


def _on_new_basis(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """The old rows the new fetch lacks, their adjusted closes put on the new fetch's basis.

    A later download's adjusted closes include the dividends paid since the earlier one: the old
    rows are rescaled by the ratio of the two on the days both hold, or lose their adjusted close
    (unknown) when the fetches share no day. Prices as traded never change.
    """
    kept = old.loc[~old.index.isin(new.index)]
    shared = old.index.intersection(new.index)
    ratios = (new.loc[shared, "adj_close"] / old.loc[shared, "adj_close"]).dropna()
    factor = float(ratios.median()) if len(ratios) else float("nan")
    return kept.assign(adj_close=kept["adj_close"] * factor)


def _touches(old: BarsEntry, start: date | None, end: date) -> bool:
    """Whether a fetched range overlaps or adjoins the cached one (so the two can be merged)."""
    day = timedelta(days=1)
    new_before_old_end = start is None or start <= old.end_req + day
    old_before_new_end = old.start_req is None or old.start_req <= end + day
    return new_before_old_end and old_before_new_end


def _reason(exc: Exception) -> str:
    return getattr(exc, "message", None) or str(exc) or type(exc).__name__
