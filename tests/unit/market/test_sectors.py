"""Sector ranking against pandas on the split-adjusted 2025-26 ETF file, and the snapshot."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from copilot.lexicon import SECTOR_SYMBOLS
from tests.unit.market.csv_bars import ETFS_2025, bars
from tests.unit.market.market_fixtures import csv_provider, market
from tools.market import MarketData

SPLIT_DAY = date(2025, 11, 17)  # several sector ETFs split 2-for-1; one shared file is unadjusted


def _pandas_returns(as_of: date, shift: int | None = None, months: int | None = None) -> dict[str, float]:
    """Returns over ``shift`` sessions, or from the last close on or before ``months`` back."""
    out = {}
    for symbol in SECTOR_SYMBOLS:
        close = bars(ETFS_2025, symbol)["close"].loc[: as_of.isoformat()]
        if months is None:
            assert shift is not None
            base = close.iloc[-1 - shift]
        else:
            base = close.loc[: close.index[-1] - pd.DateOffset(months=months)].iloc[-1]
        out[symbol] = (close.iloc[-1] / base - 1) * 100
    return out


@pytest.mark.parametrize(("period", "shift", "months"), [("1d", 1, None), ("5d", 5, None), ("1m", None, 1)])
def test_sector_returns_and_ranking_equal_pandas(period: str, shift: int | None, months: int | None) -> None:
    provider = csv_provider()
    source = market(provider).sectors(period, as_of=SPLIT_DAY)
    expected = _pandas_returns(SPLIT_DAY, shift, months)
    got = {f.symbol: f.value for f in source.facts}
    assert got == pytest.approx(expected, rel=1e-12)
    assert provider.calls == [("price_history", SECTOR_SYMBOLS)]  # one batched call for all 11
    order = sorted(expected, key=expected.get, reverse=True)
    assert [f.symbol for f in source.facts] == order
    assert source.details["ranking"][0].startswith("1. ")
    assert source.fact(f"price_return_{period}").label.endswith(f"({order[0]})")
    assert source.details["breadth"] == f"{sum(v > 0 for v in expected.values())} of 11 sectors up"
    assert source.tool == "sectors" and source.arguments["period"] == period


def test_labels_name_every_sector() -> None:
    source = market().sectors("ytd", as_of=date(2026, 1, 9))
    labels = {f.symbol: f.label for f in source.facts}
    assert labels["XLK"] == "Technology (XLK)" and labels["XLP"] == "Consumer Staples (XLP)"
    assert labels["XLRE"] == "Real Estate (XLRE)" and labels["XLC"] == "Communication Services (XLC)"
    assert len(labels) == 11


def test_no_split_shows_up_as_a_crash_through_the_snapshot(snapshot_provider) -> None:
    md = MarketData(snapshot_provider, today=lambda: date(2026, 8, 21))
    source = md.sectors("1d", as_of=SPLIT_DAY)
    assert all(abs(f.value) < 10 for f in source.facts), [f.display() for f in source.facts]
    # The snapshot takes 2025-11-17 from the Yahoo file (later files win), whose adjustment base
    # changes that very day (XLF, which did not split, shows -2.25% there vs -1.91% in the
    # consistently adjusted 2025-26 file), so that day differs by up to ~1 point (reported to the
    # importer's owner). The next day has no seam: the files agree to a basis point.
    next_day = date(2025, 11, 18)
    got = {f.symbol: f.value for f in md.sectors("1d", as_of=next_day).facts}
    assert got == pytest.approx(_pandas_returns(next_day, 1), abs=0.01)


def test_a_sector_fund_that_did_not_exist_yet_is_left_out_not_fatal(snapshot_provider) -> None:
    # XLC (Communication Services) launched on 2018-06-19: a 2017 ranking covers the other ten
    # sectors; it used to fail as a whole with "XLC: no bars up to 2017-06-01"
    from tests.unit.market.csv_bars import YAHOO

    as_of = date(2017, 6, 1)
    md = MarketData(snapshot_provider, today=lambda: date(2026, 8, 21))
    source = md.sectors("1m", as_of=as_of)
    got = {f.symbol: f.value for f in source.facts}
    assert set(got) == set(SECTOR_SYMBOLS) - {"XLC"}
    assert {f.key for f in source.facts} == {"total_return_1m"}  # no traded closes of 2017 on record
    for symbol, value in got.items():
        close = bars(YAHOO, symbol)["close"].loc[: as_of.isoformat()]
        base = close.loc[:"2017-05-01"].iloc[-1]  # a calendar month before the 2017-06-01 close
        assert value == pytest.approx((close.iloc[-1] / base - 1) * 100, rel=1e-9), symbol
    assert source.details["breadth"].endswith("of 10 sectors up")
    assert any("XLC" in note and "2018-06-19" in note for note in source.notes)
