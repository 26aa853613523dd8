"""Fetching the bars a figure needs: one provider call per request, windows that end where the data does.

``Windows`` wraps a provider for ``tools.market.MarketData``: ``history`` makes ONE provider call
for every symbol (the provider batches, the cache batches its misses); ``histories_before`` and
``history_before`` fetch windows ending at the analysis date, or at the data's last bar when that
is over a week older (a snapshot asked without a date, a series that ended), with a note;
``periods`` fetches the bars of a return period and resolves each symbol's window.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from copilot.errors import NoDataError
from tools.metrics import bars_until
from tools.metrics.periods import TRAILING, Window, lookback_days, resolve
from tools.providers.base import MarketDataProvider, PriceHistory

STALE_BAR_DAYS = 7  # a last bar older than this before the analysis date is said so (long weekends fit)


class Windows:
    """Bars of windows ending at an analysis date (see the module docstring)."""

    def __init__(self, provider: MarketDataProvider) -> None:
        self.provider = provider

    def history(self, symbols: list[str], start: date | None, end: date) -> dict[str, PriceHistory]:
        """One provider call for every symbol; a symbol the provider leaves out is NoDataError."""
        histories = self.provider.price_history(symbols, start, end)
        for symbol in symbols:
            if symbol not in histories:
                raise NoDataError(f"{symbol}: {self.provider.name} returned no prices", symbol=symbol)
        return histories

    def periods(
        self,
        symbols: list[str],
        key: str,
        day: date,
        custom: Window | None,
        missing: dict[str, str] | None = None,
    ) -> tuple[dict[str, PriceHistory], dict[str, Window], list[str]]:
        """Each symbol's bars and return window: trailing periods count back from the last close
        (from the data's end when it ends long before ``day``); the others are dated windows."""
        late: list[str] = []
        if custom is None and key in TRAILING:
            histories, until = self.histories_before(symbols, lookback_days(key), day, late, missing)
            windows = {
                s: resolve(key, until, last_bar(h, until)) for s, h in histories.items() if last_bar(h, until)
            }
            return histories, windows, late
        window = custom or resolve(key, day)
        try:
            histories = self.history(symbols, window.first_needed, window.end)
        except NoDataError:
            if missing is None:
                raise
            histories = {}
            for symbol in symbols:  # a sector fund not yet launched is left out, not fatal
                try:
                    histories.update(self.history([symbol], window.first_needed, window.end))
                except NoDataError as exc:
                    missing[symbol] = exc.message
        return histories, dict.fromkeys(histories, window), late

    def histories_before(
        self,
        symbols: list[str],
        days: int,
        day: date,
        late: list[str],
        missing: dict[str, str] | None = None,
    ) -> tuple[dict[str, PriceHistory], date]:
        """Histories of windows of ``days`` ending at ``day`` (one batched call), and that end date.

        When every series ends over a week before ``day`` (a snapshot asked without a date), the
        windows end at the newest last bar instead, one end for all so they stay comparable; a note
        goes to ``late``. With ``missing``, a symbol without data is recorded there, not raised.
        """
        batch_error: NoDataError | None = None
        try:
            histories = self.history(symbols, minus(day, days), day)
            lasts = [d for d in (last_bar(h, day) for h in histories.values()) if d is not None]
            if lasts and (day - max(lasts)).days <= STALE_BAR_DAYS:
                return histories, day
        except NoDataError as exc:
            batch_error = exc
        ends: list[date] = []
        for symbol in symbols:  # where the data ends (one call per symbol, only on this rare path)
            try:
                last = last_bar(self.history([symbol], None, day)[symbol], day)
            except NoDataError as exc:
                batch_error = batch_error or exc
                continue
            if last is not None:
                ends.append(last)
        if not ends:
            raise batch_error or NoDataError(f"no prices of {', '.join(symbols)} on or before {day}")
        anchor = max(ends)
        if (day - anchor).days > STALE_BAR_DAYS:
            late.append(
                f"The latest bar is from {anchor}, {(day - anchor).days} days before the analysis date {day}."
            )
        if missing is None:
            return self.history(symbols, minus(anchor, days), anchor), anchor
        out: dict[str, PriceHistory] = {}
        for symbol in symbols:
            try:
                out.update(self.history([symbol], minus(anchor, days), anchor))
            except NoDataError as exc:
                missing[symbol] = exc.message
        return out, anchor

    def history_before(self, symbol: str, days: int, day: date) -> tuple[PriceHistory, list[str]]:
        """``days`` calendar days of bars up to the last bar on or before ``day``, and a note when that
        bar is over a week older than ``day`` (a series that ended: its windows count back from its
        last bar, so a 52-week range stays 52 weeks long)."""
        try:
            history: PriceHistory | None = self.history([symbol], minus(day, days), day)[symbol]
        except NoDataError:  # nothing in the window: where does the series end?
            history = None
        last = last_bar(history, day) if history is not None else None
        if history is not None and last is not None and (day - last).days <= STALE_BAR_DAYS:
            return history, []
        if last is None:
            last = bars_until(self.history([symbol], None, day)[symbol], day).index[-1].date()
        history = self.history([symbol], minus(last, days), last)[symbol]
        note = f"The latest bar is from {last}, {(day - last).days} days before the analysis date {day}."
        return history, [note]


def last_bar(history: PriceHistory, day: date) -> date | None:
    """The date of the last bar on or before ``day`` (None when there is none)."""
    index = history.bars.index
    position = int(index.searchsorted(pd.Timestamp(day), side="right"))
    return index[position - 1].date() if position else None


def minus(day: date, days: int) -> date:
    return date.fromordinal(day.toordinal() - days)
