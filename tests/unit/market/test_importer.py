"""The importer on the real shared price files: splits, seams, partial rows, corrupt input.

Expected values come from plain pandas reads of the source CSVs, never from the importer.
"""

from __future__ import annotations

import gzip
import json
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from copilot.errors import BadInputError, CorruptDataError, NoDataError
from tools.importer import ImportReport, UnadjustedSplitError, import_snapshot
from tools.providers.snapshot import SnapshotProvider

ALITALBI = "yahoo_etfs_indices_daily_to_2026-02.csv.gz"
BENDA = "etfs_daily_2025-01_to_2026-03.csv.gz"
SPLIT_ETFS = {"XLB", "XLE", "XLK", "XLU", "XLY"}


@pytest.fixture(scope="module")
def prices_csv(shared_data: Path) -> dict[str, pd.DataFrame]:
    """The shared price files read with plain pandas: the independent reference."""
    return {
        p.name: pd.read_csv(p, parse_dates=["date"])
        for p in sorted((shared_data / "prices").glob("*.csv.gz"))
    }


@pytest.fixture(scope="module")
def etf_file_2025(prices_csv: dict[str, pd.DataFrame], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The yfinance ETF file cut to the 2025-09..2026-02 rows of the split ETFs and SPY (real rows)."""
    rows = prices_csv[ALITALBI]
    rows = rows[rows.symbol.isin([*SPLIT_ETFS, "SPY"]) & (rows.date >= "2025-09-01")]
    return _write_rows(tmp_path_factory.mktemp("etf2025") / "etfs_2025.csv", rows)


def _close(frame: pd.DataFrame, symbol: str, day: str) -> float:
    row = frame[(frame.symbol == symbol) & (frame.date == pd.Timestamp(day))]
    assert len(row) == 1
    return float(row["close"].iloc[0])


def _write_rows(path: Path, frame: pd.DataFrame) -> Path:
    frame.assign(date=frame["date"].dt.strftime("%Y-%m-%d")).to_csv(path, index=False)
    return path


def test_unadjusted_2_for_1_splits_are_found_with_evidence(
    imported_snapshot: tuple[Path, ImportReport],
) -> None:
    _, report = imported_snapshot
    events = {e.symbol: e for e in report.splits}
    assert set(events) == SPLIT_ETFS  # nothing else in the real data is a split (crashes stay crashes)
    xlk = events["XLK"]
    assert (xlk.date, xlk.ratio, xlk.factor, xlk.source) == ("2025-11-17", "2-for-1", 2.0, ALITALBI)
    assert BENDA in xlk.evidence
    assert xlk.price_ratio == pytest.approx(141.605225 / 288.149994, rel=1e-5)


def test_split_never_shows_up_as_a_crash(snapshot_provider: SnapshotProvider) -> None:
    for symbol in SPLIT_ETFS:
        bars = snapshot_provider.price_history([symbol], date(2025, 11, 3), date(2025, 11, 28))[symbol].bars
        returns = bars["close"].pct_change().dropna()
        assert returns.min() > -0.2, symbol
        assert returns.max() < 0.2, symbol


def test_adjusted_prices_match_the_file_that_had_the_split_adjusted(
    snapshot_provider: SnapshotProvider, prices_csv: dict[str, pd.DataFrame]
) -> None:
    bars = snapshot_provider.price_history(["XLK"], date(2025, 11, 14), date(2025, 11, 14))["XLK"].bars
    reference = _close(prices_csv[BENDA], "XLK", "2025-11-14")  # 143.68, adjusted upstream
    assert bars["close"].iloc[0] == pytest.approx(reference, rel=5e-3)
    raw = prices_csv[ALITALBI]
    raw_volume = raw[(raw.symbol == "XLK") & (raw.date == "2025-11-14")]["volume"].iloc[0]
    assert bars["volume"].iloc[0] == pytest.approx(raw_volume * 2)  # volume scaled inversely


def test_split_day_return_is_the_confirming_files_return(
    snapshot_provider: SnapshotProvider, prices_csv: dict[str, pd.DataFrame]
) -> None:
    # the yfinance file's rows before 2025-11-17 were downloaded on an older dividend basis too, so
    # its split-day ratio is not exactly 1/2 (XLU 88.76 -> 44.45 is 1/1.997): dividing by exactly 2
    # left a spurious -0.75% in XLU's 2025-11-17 return (+0.15% instead of the +0.90% it traded)
    benda = prices_csv[BENDA]
    for symbol in SPLIT_ETFS:  # the dividend-adjusted closes: where the split factor matters
        expected = _close(benda, symbol, "2025-11-17") / _close(benda, symbol, "2025-11-14") - 1
        bars = snapshot_provider.price_history([symbol], date(2025, 11, 14), date(2025, 11, 17))[symbol].bars
        got = bars["adj_close"].iloc[1] / bars["adj_close"].iloc[0] - 1
        assert got == pytest.approx(expected, abs=1e-6), symbol


def test_russell_2000_closes_from_the_seed_note(snapshot_provider: SnapshotProvider) -> None:
    bars = snapshot_provider.price_history(["^RUT"], date(2025, 12, 31), date(2026, 1, 9))["^RUT"].bars
    assert bars["close"].iloc[0] == pytest.approx(2481.91, abs=0.005)
    assert bars["close"].iloc[-1] == pytest.approx(2624.22, abs=0.005)
    assert round((bars["close"].iloc[-1] / bars["close"].iloc[0] - 1) * 100, 2) == 5.73


def test_partial_intraday_final_row_yields_to_a_full_day(
    snapshot_provider: SnapshotProvider, prices_csv: dict[str, pd.DataFrame]
) -> None:
    day = date(2026, 2, 23)
    rut = snapshot_provider.price_history(["^RUT"], day, day)["^RUT"].bars
    spy = snapshot_provider.price_history(["SPY"], day, day)["SPY"].bars
    indices = prices_csv["indices_daily_2016_2026.csv.gz"]
    large = prices_csv["us_large_caps_daily_2016_2026.csv.gz"]
    assert (
        rut["volume"].iloc[0]
        == indices[(indices.symbol == "^RUT") & (indices.date == "2026-02-23")]["volume"].iloc[0]
    )  # 5.64e9, not the intraday 0
    assert (
        spy["volume"].iloc[0]
        == large[(large.symbol == "SPY") & (large.date == "2026-02-23")]["volume"].iloc[0]
    )


def test_overlap_report_names_each_file_range_and_overridden_rows(
    imported_snapshot: tuple[Path, ImportReport], prices_csv: dict[str, pd.DataFrame]
) -> None:
    _, report = imported_snapshot
    spy = report.symbols["SPY"]
    large = "us_large_caps_daily_2016_2026.csv.gz"
    # prices as traded: the split-only large-cap file, and the yfinance file where its rows look
    # traded (whole cents: it was stitched from downloads whose tails were appended, and it wins
    # where it covers: read later); the large-cap file after that file's intraday final row
    ranges = [(s.source, s.first_date, s.last_date) for s in spy.segments]
    assert ranges[0] == (large, "2016-06-28", "2025-06-18")
    assert (ALITALBI, "2025-06-20", "2025-07-11") in ranges and (
        ALITALBI,
        "2025-12-19",
        "2026-02-20",
    ) in ranges
    assert ranges[-1] == (large, "2026-02-23", "2026-08-21")
    assert {source for source, _, _ in ranges} == {large, ALITALBI}
    assert [(s.source, s.first_date, s.last_date) for s in spy.adjusted_segments] == [
        (ALITALBI, "1993-01-29", "2026-02-20"),
        (BENDA, "2026-02-23", "2026-03-31"),
    ]
    all_rows = pd.concat([f[f.symbol == "SPY"] for f in prices_csv.values()])
    assert spy.rows == all_rows["date"].nunique()
    assert f"{ALITALBI}@2026-02-23" in spy.yielded_final_rows
    assert all(not s.applied for s in spy.seams)  # traded prices are never rescaled
    manifest = json.loads((imported_snapshot[0] / "manifest.json").read_text())
    assert manifest["import_report"]["symbols"]["SPY"]["overridden_rows"] == spy.overridden_rows
    assert manifest["symbols"]["SPY"]["adjusted_through"] == "2026-03-31"


def test_seam_rescales_the_earlier_file_to_the_later_basis(
    imported_snapshot: tuple[Path, ImportReport], prices_csv: dict[str, pd.DataFrame]
) -> None:
    _, report = imported_snapshot
    seam = report.symbols["XLK"].adjusted_seams[0]  # the dividend-adjusted closes are rescaled
    assert (seam.earlier, seam.later, seam.date, seam.applied) == (ALITALBI, BENDA, "2026-02-23", True)
    expected = _close(prices_csv[BENDA], "XLK", "2026-02-20") / _close(
        prices_csv[ALITALBI], "XLK", "2026-02-20"
    )
    assert seam.factor == pytest.approx(expected, rel=1e-4)
    assert abs(seam.seam_return_pct) < 5


def test_real_crashes_of_small_caps_are_not_taken_for_splits(
    tmp_path: Path, shared_data: Path, prices_csv: dict[str, pd.DataFrame]
) -> None:
    source = shared_data / "prices" / "us_stocks_incl_small_caps_daily_2000_2024-03.csv.gz"
    report = import_snapshot([source], tmp_path / "snap")
    assert report.splits == []
    bars = SnapshotProvider(tmp_path / "snap").price_history(["AAPL"], date(2000, 9, 28), date(2000, 9, 29))
    expected = _close(prices_csv[source.name], "AAPL", "2000-09-29") / _close(
        prices_csv[source.name], "AAPL", "2000-09-28"
    )
    closes = bars["AAPL"].bars["close"]
    assert closes.iloc[1] / closes.iloc[0] == pytest.approx(expected)  # AAPL's real -52% day stays


def test_split_found_from_the_open_gap_without_a_second_file(tmp_path: Path, etf_file_2025: Path) -> None:
    report = import_snapshot([etf_file_2025], tmp_path / "snap")
    assert {e.symbol for e in report.splits} == SPLIT_ETFS
    assert all("opened at" in e.evidence for e in report.splits)


def test_two_unadjusted_copies_do_not_vouch_for_a_crash(tmp_path: Path, etf_file_2025: Path) -> None:
    copy = tmp_path / "same_rows_other_name.csv"
    copy.write_bytes(etf_file_2025.read_bytes())
    report = import_snapshot([etf_file_2025, copy, etf_file_2025], tmp_path / "snap")
    assert {e.symbol for e in report.splits} == SPLIT_ETFS
    assert [s.source for s in report.symbols["XLK"].segments] == [
        etf_file_2025.name
    ]  # named twice: read once
    bars = SnapshotProvider(tmp_path / "snap").price_history(["XLK"], date(2025, 11, 10), date(2025, 11, 21))
    assert bars["XLK"].bars["close"].pct_change().min() > -0.2


def test_refuse_raises_a_typed_error_and_writes_nothing(tmp_path: Path, etf_file_2025: Path) -> None:
    dest = tmp_path / "snap"
    with pytest.raises(UnadjustedSplitError) as caught:
        import_snapshot([etf_file_2025], dest, on_split="refuse")
    assert {e.symbol for e in caught.value.events} == SPLIT_ETFS
    assert "XLK 2-for-1 on 2025-11-17" in caught.value.message
    assert not dest.exists()


def test_fundamentals_and_names_imported(snapshot_provider: SnapshotProvider) -> None:
    aapl = snapshot_provider.fundamentals("AAPL", date(2025, 6, 30))
    # the recorded quoteSummary values (yahoo_quotesummary_valuation_snapshot_2025.csv)
    assert (aapl.trailing_pe, aapl.forward_pe, aapl.market_cap) == (38.91442, 29.548735, 3688676720640.0)
    assert aapl.dividend_yield == pytest.approx(0.41)  # 0.0041 in the file, percent here
    assert aapl.as_of == date(2025, 2, 24)
    assert snapshot_provider.search("Apple")[0].symbol == "AAPL"
    assert snapshot_provider.search("Russell 2000")[0].symbol == "^RUT"
    assert snapshot_provider.search("Technology Select Sector SPDR")[0].symbol == "XLK"


def test_gap_is_reported_and_a_date_inside_it_is_no_data(
    tmp_path: Path, prices_csv: dict[str, pd.DataFrame]
) -> None:
    dia = prices_csv[BENDA][prices_csv[BENDA].symbol == "DIA"]
    holed = dia[(dia.date < "2025-03-01") | (dia.date > "2025-04-15")]
    report = import_snapshot([_write_rows(tmp_path / "dia.csv", holed)], tmp_path / "snap")
    (gap,) = report.symbols["DIA"].gaps
    assert (gap.after, gap.before) == ("2025-02-28", "2025-04-16")
    with pytest.raises(NoDataError, match="gap") as caught:
        SnapshotProvider(tmp_path / "snap").price_history(["DIA"], date(2025, 3, 10), date(2025, 4, 1))
    assert caught.value.symbol == "DIA"


HEADER = b"symbol,date,open,high,low,close,volume\n"


@pytest.mark.parametrize(
    ("rows", "reason"),
    [
        (b"DIA,2025-01-02,1,2,1,abc,5\n", "non-number in column close"),
        (b"DIA,02/01/2025,1,2,1,1.5,5\n", "malformed date"),
        (b"DIA,2025-01-02,1,2,1,1.5,5\nDIA,2025-01-02,1,2,1,1.5,5\n", "duplicated"),
        (b"DIA,2025-01-02,1,0.5,1,1.5,5\n", "high below low"),
    ],
)
def test_corrupt_source_file_names_the_file_and_reason(tmp_path: Path, rows: bytes, reason: str) -> None:
    source = tmp_path / "broken.csv"
    source.write_bytes(HEADER + rows)
    with pytest.raises(CorruptDataError, match=reason) as caught:
        import_snapshot([source], tmp_path / "snap")
    assert "broken.csv" in caught.value.message


def test_truncated_gzip_is_corrupt(tmp_path: Path) -> None:
    source = tmp_path / "cut.csv.gz"
    source.write_bytes(gzip.compress(HEADER * 50)[:40])
    with pytest.raises(CorruptDataError, match=r"cut\.csv\.gz"):
        import_snapshot([source], tmp_path / "snap")


def test_bad_sources_and_destination_are_refused(tmp_path: Path, shared_data: Path) -> None:
    with pytest.raises(BadInputError, match="does not exist"):
        import_snapshot([tmp_path / "missing.csv"], tmp_path / "snap")
    with pytest.raises(BadInputError, match="not a price"):
        import_snapshot([shared_data / "prices" / "PROVENANCE.md"], tmp_path / "snap")
    occupied = tmp_path / "occupied"
    occupied.mkdir()
    (occupied / "notes.txt").write_text("mine")
    with pytest.raises(BadInputError, match="not a snapshot directory"):
        import_snapshot([shared_data / "prices" / BENDA], occupied)
    assert (occupied / "notes.txt").read_text() == "mine"


def test_cli_import_prints_the_report_and_refuses_with_exit_2(tmp_path: Path, etf_file_2025: Path) -> None:
    from typer.testing import CliRunner

    from copilot.cli import app

    runner = CliRunner()
    source = str(etf_file_2025)
    done = runner.invoke(app, ["data", "import", source, "--dest", str(tmp_path / "snap")])
    assert done.exit_code == 0, done.output
    assert "XLK 2-for-1 on 2025-11-17" in done.output
    refused = runner.invoke(
        app, ["data", "import", source, "--dest", str(tmp_path / "r"), "--on-split", "refuse"]
    )
    assert refused.exit_code == 2
    assert "refusing to import 5 unadjusted split(s)" in refused.output
    assert "Traceback" not in refused.output


def test_a_destination_holding_the_sources_is_refused(tmp_path: Path, etf_file_2025: Path) -> None:
    snapshot = tmp_path / "snap"
    import_snapshot([etf_file_2025], snapshot)
    with pytest.raises(BadInputError, match="holds import sources"):
        import_snapshot([snapshot / "names.csv"], snapshot)
    assert (snapshot / "prices" / "XLK.csv").is_file()


def _day_return(frame: pd.DataFrame, symbol: str, before: str, day: str) -> float:
    return _close(frame, symbol, day) / _close(frame, symbol, before) - 1


def _snapshot_return(provider: SnapshotProvider, symbol: str, before: str, day: str) -> float:
    """The day's return on the snapshot's dividend-adjusted closes (where breaks and seams apply)."""
    first, last = date.fromisoformat(before), date.fromisoformat(day)
    closes = provider.price_history([symbol], first, last)[symbol].bars["adj_close"]
    assert len(closes) == 2
    return float(closes.iloc[1] / closes.iloc[0] - 1)


BASIS_BREAKS = {  # the yfinance file's rows before these days sit on an older dividend basis
    "2025-09-16": ("2025-09-15", {"SPY", "IWM"}),
    "2025-09-22": (
        "2025-09-19",
        {"QQQ", "XLB", "XLC", "XLE", "XLF", "XLI", "XLK", "XLP"} | {"XLRE", "XLU", "XLV", "XLY"},
    ),
    "2025-11-17": ("2025-11-14", {"IWM", "QQQ", "SPY", "XLC", "XLF", "XLI", "XLP", "XLRE", "XLV"}),
}


def test_basis_breaks_inside_the_yfinance_file_are_reported_with_their_factor(
    imported_snapshot: tuple[Path, ImportReport], prices_csv: dict[str, pd.DataFrame]
) -> None:
    _, report = imported_snapshot
    found = {(b.symbol, b.date): b for r in report.symbols.values() for b in r.basis_breaks}
    expected = {(s, day) for day, (_, symbols) in BASIS_BREAKS.items() for s in symbols}
    # nothing else: not the split days (XLK... on 2025-11-17), not the one-day 0.03% bad print of
    # 2025-09-08, not ^RUT, not the split-only large-cap file at its ex-dividend drops, not NVDA's noise
    assert set(found) == expected
    yahoo, benda = prices_csv[ALITALBI], prices_csv[BENDA]
    for (symbol, day), event in found.items():
        before = BASIS_BREAKS[day][0]
        # the earlier rows x (its day ratio / the other file's): its day return becomes the other's
        factor = (1 + _day_return(yahoo, symbol, before, day)) / (1 + _day_return(benda, symbol, before, day))
        assert event.factor == pytest.approx(factor, rel=1e-6), (symbol, day)
        assert (event.source, event.confirmed_by) == (ALITALBI, BENDA)
    spy = found[("SPY", "2025-11-17")]
    assert spy.factor == pytest.approx(0.997054, abs=1e-6) and spy.step_pct == pytest.approx(
        -0.2946, abs=1e-4
    )
    manifest = json.loads((imported_snapshot[0] / "manifest.json").read_text())
    (listed,) = [
        b for b in manifest["import_report"]["symbols"]["IWM"]["basis_breaks"] if b["date"] == "2025-11-17"
    ]
    assert listed["factor"] == found[("IWM", "2025-11-17")].factor


def test_basis_break_day_keeps_the_other_files_return(
    snapshot_provider: SnapshotProvider, prices_csv: dict[str, pd.DataFrame]
) -> None:
    benda = prices_csv[BENDA]
    for symbol in ("SPY", "IWM"):  # the yfinance file showed -0.29% / -0.33% more than they traded
        expected = _day_return(benda, symbol, "2025-11-14", "2025-11-17")
        got = _snapshot_return(snapshot_provider, symbol, "2025-11-14", "2025-11-17")
        assert got == pytest.approx(expected, abs=1e-6), symbol
    for day, (before, symbols) in BASIS_BREAKS.items():
        for symbol in symbols | SPLIT_ETFS:  # split days unchanged: still the confirming file's return
            expected = _day_return(benda, symbol, before, day)
            got = _snapshot_return(snapshot_provider, symbol, before, day)
            assert got == pytest.approx(expected, abs=1e-6), (symbol, day)


def test_daily_returns_agree_with_the_other_etf_file_over_the_whole_overlap(
    snapshot_provider: SnapshotProvider, prices_csv: dict[str, pd.DataFrame]
) -> None:
    benda, yahoo = prices_csv[BENDA], prices_csv[ALITALBI]
    for symbol in sorted(set(benda.symbol) & set(yahoo.symbol)):
        bars = snapshot_provider.price_history([symbol], date(2025, 1, 2), date(2026, 2, 20))[symbol].bars
        mine = bars["adj_close"].pct_change().dropna()
        reference = benda[benda.symbol == symbol].set_index("date")["close"].pct_change()
        # within the 0.05% break threshold every day (one-day bad prints of up to 0.036% stay)
        assert (mine - reference.reindex(mine.index)).abs().max() < 5e-4, symbol


def test_a_file_without_dividend_adjustment_keeps_its_ex_dividend_drops(
    imported_snapshot: tuple[Path, ImportReport],
    snapshot_provider: SnapshotProvider,
    prices_csv: dict[str, pd.DataFrame],
) -> None:
    # us_large_caps is split- but not dividend-adjusted: its SPY 2026-03-20 (ex-dividend) return is
    # 0.27% below the adjusted etfs_daily file's, at every ex-date, and that is no basis break: the
    # traded closes keep the drop, the dividend-adjusted closes the adjusted file's return
    large = prices_csv["us_large_caps_daily_2016_2026.csv.gz"]
    expected = _day_return(large, "SPY", "2026-03-19", "2026-03-20")
    closes = snapshot_provider.price_history(["SPY"], date(2026, 3, 19), date(2026, 3, 20))["SPY"].bars
    assert closes["traded"].tolist() == [1.0, 1.0]
    assert closes["close"].iloc[1] / closes["close"].iloc[0] - 1 == pytest.approx(expected)
    adjusted = _day_return(prices_csv[BENDA], "SPY", "2026-03-19", "2026-03-20")
    assert expected < adjusted - 0.002
    assert _snapshot_return(snapshot_provider, "SPY", "2026-03-19", "2026-03-20") == pytest.approx(adjusted)
    _, report = imported_snapshot
    assert not [b for b in report.symbols["SPY"].basis_breaks if b.source != ALITALBI]
    assert report.symbols["NVDA"].basis_breaks == [] and report.symbols["^RUT"].basis_breaks == []


def test_only_the_winning_file_is_rescaled_and_only_for_a_fall(
    tmp_path: Path, prices_csv: dict[str, pd.DataFrame]
) -> None:
    spy = {n: prices_csv[n][prices_csv[n].symbol == "SPY"] for n in (ALITALBI, BENDA)}
    broken = _write_rows(tmp_path / "b_broken.csv", spy[ALITALBI][spy[ALITALBI].date >= "2025-06-01"])
    clean = _write_rows(tmp_path / "a_clean.csv", spy[BENDA])
    report = import_snapshot([clean, broken], tmp_path / "snap")  # the broken file wins
    assert [b.date for b in report.symbols["SPY"].basis_breaks] == ["2025-09-16", "2025-11-17"]
    # the consistent file winning: the ratio rises there (the other file's break), nothing rescaled
    report = import_snapshot([broken, clean], tmp_path / "snap2")
    assert report.symbols["SPY"].basis_breaks == []
    got = _snapshot_return(SnapshotProvider(tmp_path / "snap2"), "SPY", "2025-11-14", "2025-11-17")
    assert got == pytest.approx(_day_return(spy[BENDA], "SPY", "2025-11-14", "2025-11-17"), abs=1e-9)
