"""Prices as traded beside dividend-adjusted closes, against plain pandas reads of the source CSVs.

Which file holds traded prices is read off the CSVs here with pandas (PROVENANCE: the large-cap
file is split- but not dividend-adjusted, the 2026-03..08 ETF file is raw, the yfinance and
2025-26 ETF files are dividend-adjusted, whole cents only after their last ex-dividend date).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.unit.market.csv_bars import ETFS_2025, LARGE_CAPS, YAHOO
from tools.importer import ImportReport
from tools.market import MarketData
from tools.providers.snapshot import SnapshotProvider

RECENT = "etfs_daily_recent_2026-03_to_2026-08.csv.gz"
SMALL_CAPS = "us_stocks_incl_small_caps_daily_2000_2024-03.csv.gz"
TODAY = date(2026, 8, 21)


@pytest.fixture(scope="module")
def files(shared_data: Path) -> dict[str, pd.DataFrame]:
    return {
        p.name: pd.read_csv(p, parse_dates=["date"]).set_index(["symbol", "date"]).sort_index()
        for p in sorted((shared_data / "prices").glob("*.csv.gz"))
    }


@pytest.fixture(scope="module")
def md(snapshot_provider: SnapshotProvider) -> MarketData:
    return MarketData(snapshot_provider, today=lambda: TODAY)


def _series(files: dict[str, pd.DataFrame], name: str, symbol: str) -> pd.DataFrame:
    return files[name].loc[symbol]


def _whole_cent_tail(frame: pd.DataFrame) -> pd.DataFrame:
    """An adjusted file's rows after its last close that is not whole cents (final row left out)."""
    full = frame.iloc[:-1]
    cents = full["close"] * 100
    off = full.index[(cents - cents.round()).abs() > cents.abs() * 1e-7]
    return full.loc[full.index > off[-1]]


def _looks_traded(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows with whole-cent closes and opens, highs and lows in whole tenths of a cent, in runs of
    two or more (final row left out): what a stitched adjusted file holds of traded prices."""
    full = frame.iloc[:-1]

    def grid(values: pd.Series, step: float) -> pd.Series:
        units = values * (100 / step)
        return (units - units.round()).abs() <= units.abs() * 1e-7

    looks = (
        grid(full["close"], 1.0) & grid(full["open"], 0.1) & grid(full["high"], 0.1) & grid(full["low"], 0.1)
    )
    run = looks.ne(looks.shift()).cumsum()
    return full.loc[looks & (looks.groupby(run).transform("size") >= 2)]


def _snapshot(provider: SnapshotProvider, symbol: str) -> pd.DataFrame:
    return provider.price_history([symbol], None, TODAY)[symbol].bars


@pytest.mark.parametrize("symbol", ["SPY", "QQQ"])
def test_spy_and_qqq_traded_closes_equal_the_files_that_hold_traded_prices_2016_to_2026(
    snapshot_provider: SnapshotProvider, files: dict[str, pd.DataFrame], symbol: str
) -> None:
    large = _series(files, LARGE_CAPS, symbol)["close"]
    runs = _looks_traded(_series(files, YAHOO, symbol))["close"]  # the yfinance file's traded rows
    bars = _snapshot(snapshot_provider, symbol).loc[large.index]
    assert bars["traded"].eq(1.0).all()  # every session of 2016-06..2026-08
    # each day equals the split-only file's close, or the yfinance file's where that file holds a
    # traded price (it is read later: it wins); the two agree but on a few days
    from_yahoo = bars.index.isin(runs.index)
    assert np.allclose(bars.loc[~from_yahoo, "close"], large.loc[~from_yahoo], rtol=0, atol=1e-9)
    assert np.allclose(bars.loc[from_yahoo, "close"], runs.reindex(bars.index[from_yahoo]), rtol=0, atol=1e-9)
    disagree = (runs - large.reindex(runs.index)).abs() > 0.005
    assert disagree.sum() <= 3, runs.index[disagree].tolist()  # SPY 2025-09-08: 648.85 vs 648.83
    assert bars.loc["2021-08-20", "close"] == large.loc["2021-08-20"]


def test_iwm_traded_closes_come_from_the_files_that_hold_them(
    snapshot_provider: SnapshotProvider, files: dict[str, pd.DataFrame]
) -> None:
    bars = _snapshot(snapshot_provider, "IWM")
    yahoo = _series(files, YAHOO, "IWM")
    tail = _whole_cent_tail(yahoo)
    assert tail.index[0] == pd.Timestamp("2025-12-16")  # the yfinance file: traded from its last ex-date
    # and before it the runs of rows that look traded, appended from earlier downloads
    runs = _looks_traded(yahoo)
    assert runs.index[0] == pd.Timestamp("2025-06-16") and len(runs) > len(tail) + 90
    assert np.allclose(bars.loc[runs.index, "close"], runs["close"], rtol=0, atol=1e-9)
    recent = _series(files, RECENT, "IWM")
    assert np.array_equal(bars.loc[recent.index, "close"], recent["close"])  # raw file: exact
    assert bars.loc["2026-01-09", "close"] == pytest.approx(260.23, abs=1e-4)  # the example
    # before those the record holds dividend-adjusted closes only: marked so
    early = bars.loc[:"2025-06-13"]
    assert len(early) > 6000 and early["traded"].eq(0.0).all()
    assert (early["close"] == early["adj_close"]).all()
    assert bars.loc["2025-06-16":, "traded"].eq(1.0).all()  # the gaps between runs: derived (below)


def test_traded_prices_between_two_traded_sources_come_through_the_adjusted_files_factor(
    snapshot_provider: SnapshotProvider, files: dict[str, pd.DataFrame]
) -> None:
    # IWM 2026-02-23..03-16: only the 2025-26 file (adjusted as of ~2026-03) covers these days; its
    # factor to the traded closes, measured where the yfinance tail overlaps it, gives them
    benda, tail = _series(files, ETFS_2025, "IWM"), _whole_cent_tail(_series(files, YAHOO, "IWM"))
    shared = benda.index.intersection(tail.index)
    factor = float((benda.loc[shared, "close"] / tail.loc[shared, "close"]).median())
    days = benda.loc["2026-02-23":"2026-03-16"].index
    bars = _snapshot(snapshot_provider, "IWM").loc[days]
    assert len(days) == 16 and bars["traded"].eq(1.0).all()
    expected = benda.loc[days, "close"] / factor
    assert np.allclose(bars["close"], expected, rtol=0, atol=0.01)  # within a cent
    cents = bars["close"] * 100
    assert ((cents - cents.round()).abs() < cents * 1e-7).all()  # whole cents, to float32 noise
    # from the ex-dividend date 2026-03-17 on the 2025-26 file is traded itself
    assert np.allclose(
        _snapshot(snapshot_provider, "IWM").loc["2026-03-17":"2026-03-30", "close"],
        benda.loc["2026-03-17":"2026-03-30", "close"],
        rtol=0,
        atol=1e-9,
    )


def test_no_snapshot_price_differs_from_every_source_files_value(
    imported_snapshot: tuple[Path, ImportReport],
    snapshot_provider: SnapshotProvider,
    files: dict[str, pd.DataFrame],
) -> None:
    splits = (1, 2, 3, 4, 5, 10, 20, 40)  # a file downloaded before a split holds k times the price
    adjusted_files = (YAHOO, ETFS_2025)
    for symbol in ("SPY", "QQQ", "IWM", "XLK", "XLU", "AAPL", "NVDA", "^RUT", "^GSPC", "GLD"):
        bars = _snapshot(snapshot_provider, symbol)
        traded = bars.loc[bars["traded"] == 1.0, "close"]
        candidates = pd.concat(
            [
                frame.loc[symbol, "close"].rename(name)
                for name, frame in files.items()
                if symbol in frame.index
            ],
            axis=1,
            sort=True,
        ).reindex(traded.index)
        matches = np.zeros(len(traded), dtype=bool)
        for k in splits:
            near = np.isclose(candidates.to_numpy() / k, traded.to_numpy()[:, None], rtol=1e-6, atol=0)
            matches |= near.any(axis=1)
        unmatched = traded.loc[~matches]
        for day, value in unmatched.items():  # derived through an adjusted file's factor: within a cent
            assert any(_within_a_cent(files[name], symbol, day, value, traded) for name in adjusted_files), (
                symbol,
                day,
            )
        assert len(unmatched) < 40, symbol
        # days without a traded price hold the adjusted close, flagged (never presented as traded)
        untraded = bars.loc[bars["traded"] == 0.0]
        assert (untraded["close"] == untraded["adj_close"]).all(), symbol


def _within_a_cent(
    frame: pd.DataFrame, symbol: str, day: pd.Timestamp, value: float, traded: pd.Series
) -> bool:
    if symbol not in frame.index.get_level_values(0) or (symbol, day) not in frame.index:
        return False
    rows = frame.loc[symbol, "close"]
    shared = rows.index.intersection(traded.index)
    for side in (shared[shared < day][-5:], shared[shared > day][:5]):  # the factor just before or after
        if (
            len(side)
            and abs(rows.loc[day] / float((rows.loc[side] / traded.loc[side]).median()) - value) < 0.01
        ):
            return True
    return False


def test_the_manifest_and_report_say_which_file_is_what(imported_snapshot: tuple[Path, ImportReport]) -> None:
    _, report = imported_snapshot
    kinds = {b.source: b.kind for b in report.symbols["SPY"].files}
    assert kinds == {
        ETFS_2025: "adjusted",
        RECENT: "traded",
        LARGE_CAPS: "traded",
        YAHOO: "adjusted",
    }
    assert {b.source: b.kind for b in report.symbols["AAPL"].files}[SMALL_CAPS] == "traded+adjusted"
    assert {b.kind for b in report.symbols["^RUT"].files} == {"levels"}
    iwm = report.symbols["IWM"]
    assert [(d.source, d.first_date, d.last_date, d.rows) for d in iwm.derived] == [
        (ETFS_2025, "2025-08-28", "2025-08-28", 1),  # between two days of one factor
        (ETFS_2025, "2025-11-17", "2025-12-15", 20),  # whole cents up to the ex-dividend date
        (ETFS_2025, "2026-02-23", "2026-03-16", 16),
    ]
    assert iwm.adjusted_through == "2026-03-31" and report.symbols["^RUT"].adjusted_through is None
    assert iwm.traded_rows + iwm.untraded_rows == iwm.rows
    # NVDA's adjusted closes (downloaded 2024-03) predate the 10-for-1 split of 2024-06
    (nvda,) = report.symbols["NVDA"].adjusted_seams
    assert nvda.applied and "10-for-1" in nvda.note


def test_index_levels_have_no_adjusted_close(snapshot_provider: SnapshotProvider) -> None:
    bars = _snapshot(snapshot_provider, "^GSPC")
    assert bars["traded"].eq(1.0).all() and bars["adj_close"].isna().all()


def test_price_return_and_total_return_each_equal_pandas_on_their_series(
    md: MarketData, files: dict[str, pd.DataFrame]
) -> None:
    large, yahoo = _series(files, LARGE_CAPS, "SPY")["close"], _series(files, YAHOO, "SPY")["close"]
    benda = _series(files, ETFS_2025, "SPY")["close"]
    # the example: SPY's 5-year return to 2026-08-21 is a price return of +72.71%; the record
    # holds no dividend-adjusted close after 2026-03-31, so no total return then, and it says so
    five = md.performance(["SPY"], "5y")
    expected = (large.loc["2026-08-21"] / large.loc[:"2021-08-21"].iloc[-1] - 1) * 100
    assert five.fact("price_return_5y").value == pytest.approx(expected, rel=1e-12)
    assert round(five.fact("price_return_5y").value, 2) == 72.71
    assert five.fact("price_return_5y").label == "Price return 5Y" and five.fact("total_return_5y") is None
    assert any("no total return" in note and "after 2026-03-31" in note for note in five.notes)
    # where the record allows: the 5 years to 2026-03-31, both, each labelled
    both = md.performance(["SPY"], "5y", as_of=date(2026, 3, 31))
    price = (large.loc["2026-03-31"] / large.loc[:"2021-03-31"].iloc[-1] - 1) * 100
    # total: the yfinance file's returns to 2025-01-02, the 2025-26 file's after (its basis is one)
    chained = (yahoo.loc["2025-01-02"] / yahoo.loc["2021-03-31"]) * (
        benda.loc["2026-03-31"] / benda.loc["2025-01-02"]
    )
    assert both.fact("price_return_5y").value == pytest.approx(price, rel=1e-12)
    assert both.fact("total_return_5y").value == pytest.approx((chained - 1) * 100, abs=2e-3)
    assert both.fact("total_return_5y").label == "Total return 5Y (dividends reinvested)"
    assert both.fact("total_return_5y").value > both.fact("price_return_5y").value + 10  # ~1.3% a year
    assert both.fact("start_adj_close").as_of == both.fact("start_close").as_of == date(2021, 3, 31)
    # a total return inside one adjusted file, one basis: plain pandas on it
    q4 = md.performance(["SPY"], "2025Q4", as_of=date(2026, 1, 9))
    total = (benda.loc["2025-12-31"] / benda.loc["2025-09-30"] - 1) * 100
    assert q4.fact("total_return_2025Q4").value == pytest.approx(total, abs=1e-4)  # float32 files
    assert q4.fact("price_return_2025Q4").value == pytest.approx(
        (large.loc["2025-12-31"] / large.loc["2025-09-30"] - 1) * 100, abs=1e-4
    )


def test_iwm_before_its_traded_prices_has_a_total_return_only(
    md: MarketData, files: dict[str, pd.DataFrame]
) -> None:
    yahoo = _series(files, YAHOO, "IWM")["close"]
    source = md.performance(["IWM", "^RUT"], "ytd", as_of=date(2025, 6, 30))
    expected = (yahoo.loc["2025-06-30"] / yahoo.loc["2024-12-31"] - 1) * 100
    assert source.fact("price_return_ytd") is not None  # ^RUT's
    assert [f.symbol for f in source.facts if f.key == "price_return_ytd"] == ["^RUT"]
    iwm = next(f for f in source.facts if f.key == "total_return_ytd")
    assert iwm.symbol == "IWM" and iwm.value == pytest.approx(expected, rel=1e-9)
    assert any("IWM: no price return" in note and "2024-12-31" in note for note in source.notes)
    # an ETF's total return against an index's price return is no comparison: no spread, and why
    assert source.fact("spread_vs_^RUT") is None
    assert any("not all of one kind" in note for note in source.notes)


def test_a_day_without_a_traded_price_is_quoted_as_a_dividend_adjusted_close(md: MarketData) -> None:
    quote = md.quote("IWM", as_of=date(2025, 6, 13))
    assert quote.fact("last_price") is None
    adjusted = quote.fact("last_price_adjusted")
    assert adjusted.label == "Dividend-adjusted close (no traded price on record)"
    assert quote.fact("volume") is not None  # volumes do not depend on the price basis
    assert any("no traded price of IWM for 2025-06-13" in note for note in quote.notes)
    assert all(f.key.endswith("_adjusted") or f.unit == "shares" or f.unit == "x" for f in quote.facts)
    traded = md.quote("IWM", as_of=date(2026, 1, 9))
    assert traded.fact("last_price").value == pytest.approx(260.23, abs=1e-4)
    assert any("52-week range starts on 2025-06-16" in note for note in traded.notes)


def test_technicals_use_traded_prices_when_a_year_of_them_exists(md: MarketData) -> None:
    spy = md.technicals("SPY", as_of=date(2025, 10, 31))
    assert spy.fact("sma_200") is not None and spy.details["price_basis"] == "as traded"
    iwm = md.technicals("IWM", as_of=date(2026, 1, 9))  # 143 traded sessions: too few for the levels
    assert iwm.fact("sma_200") is None and iwm.fact("sma_200_adjusted") is not None
    assert iwm.details["price_basis"] == "dividend-adjusted"
    assert any("traded prices of IWM only from 2025-06-16" in note for note in iwm.notes)
    later = md.technicals("IWM", as_of=date(2026, 7, 1))  # a year of traded prices by then
    assert later.fact("sma_200") is not None and later.details["price_basis"] == "as traded"
    assert later.details["history_start"] == "2025-06-16"
    assert any("only from 2025-06-16" in note and "EMAs start there" in note for note in later.notes)
