"""SnapshotProvider: date filtering, memoisation, typed errors, corrupt files."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from copilot.errors import BadInputError, CorruptDataError, NoDataError, UnknownSymbolError
from tools.importer import import_snapshot
from tools.providers.snapshot import SnapshotProvider

BENDA = "etfs_daily_2025-01_to_2026-03.csv.gz"


@pytest.fixture()
def small_snapshot(tmp_path: Path, shared_data: Path) -> Path:
    """A snapshot of one real file (15 ETFs, 2025-01..2026-03) in a directory the test may damage."""
    dest = tmp_path / "snap"
    import_snapshot([shared_data / "prices" / BENDA], dest)
    return dest


def test_price_history_filters_dates_inclusively_with_file_values(
    snapshot_provider: SnapshotProvider, shared_data: Path
) -> None:
    history = snapshot_provider.price_history(["DIA", "QQQ"], date(2025, 6, 2), date(2025, 6, 30))
    assert set(history) == {"DIA", "QQQ"}
    dia = history["DIA"]
    reference = pd.read_csv(shared_data / "prices" / BENDA, parse_dates=["date"])
    reference = reference[(reference.symbol == "DIA") & reference.date.between("2025-06-02", "2025-06-30")]
    assert dia.bars.index[0] == pd.Timestamp("2025-06-02") and dia.bars.index[-1] == pd.Timestamp(
        "2025-06-30"
    )
    # a dividend-adjusted file alone, no seam: its closes are the adjusted closes, exactly; the record
    # holds no traded price of June 2025 (the file's traded tail starts 2026-03-20)
    assert dia.bars["adj_close"].tolist() == reference["close"].tolist()
    assert dia.bars["close"].tolist() == reference["close"].tolist() and not dia.bars["traded"].any()
    assert list(dia.bars.columns) == ["open", "high", "low", "close", "volume", "adj_close", "traded"]
    assert dia.adjusted_through == date(2026, 3, 31)
    assert dia.provider == "snapshot" and dia.symbol == "DIA"
    assert dia.url is not None and dia.url.startswith("file://")


def test_start_none_means_the_whole_series(snapshot_provider: SnapshotProvider) -> None:
    bars = snapshot_provider.price_history(["^RUT"], None, date(1987, 9, 30))["^RUT"].bars
    assert bars.index[0] == pd.Timestamp("1987-09-10")
    assert snapshot_provider.price_history(["^RUT"], None, date(2030, 1, 1))["^RUT"].last_date == date(
        2026, 8, 21
    )


def test_index_levels_are_price_returns(snapshot_provider: SnapshotProvider) -> None:
    assert snapshot_provider.price_history(["^GSPC"], date(2026, 1, 2), date(2026, 1, 9))[
        "^GSPC"
    ].adjustment == ("none")


def test_unknown_symbol_and_dates_out_of_range_are_typed(snapshot_provider: SnapshotProvider) -> None:
    with pytest.raises(UnknownSymbolError) as unknown:
        snapshot_provider.price_history(["NOPE"], None, date(2026, 1, 1))
    assert unknown.value.symbol == "NOPE"
    with pytest.raises(NoDataError, match="starts on 2025-01-02") as early:
        snapshot_provider.price_history(["DIA"], date(2020, 1, 1), date(2020, 12, 31))
    assert early.value.symbol == "DIA"
    with pytest.raises(NoDataError, match="ends on 2026-08-21"):
        snapshot_provider.price_history(["DIA"], date(2027, 1, 1), date(2027, 2, 1))
    with pytest.raises(BadInputError, match="empty date range"):
        snapshot_provider.price_history(["DIA"], date(2026, 2, 1), date(2026, 1, 1))
    with pytest.raises(NoDataError):  # a weekend holds no bars
        snapshot_provider.price_history(["DIA"], date(2026, 1, 3), date(2026, 1, 4))


def test_fundamentals_errors(snapshot_provider: SnapshotProvider) -> None:
    with pytest.raises(NoDataError, match="2025-02-24"):
        snapshot_provider.fundamentals("AAPL", date(2024, 12, 31))
    with pytest.raises(NoDataError, match="no fundamentals"):
        snapshot_provider.fundamentals("^RUT", date(2026, 1, 1))
    with pytest.raises(UnknownSymbolError):
        snapshot_provider.fundamentals("NOPE123", date(2026, 1, 1))


def test_lookup_is_case_insensitive_and_memoised(small_snapshot: Path) -> None:
    provider = SnapshotProvider(small_snapshot)
    first = provider.price_history(["xlk"], date(2025, 3, 3), date(2025, 3, 7))["xlk"]
    assert first.symbol == "XLK"
    (small_snapshot / "prices" / "XLK.csv").unlink()  # a second read would fail: it must come from memory
    again = provider.price_history(["XLK"], date(2025, 3, 3), date(2025, 3, 7))["XLK"]
    assert again.bars.equals(first.bars)


def test_corrupt_price_file_names_the_file(small_snapshot: Path) -> None:
    path = small_snapshot / "prices" / "XLK.csv"
    path.write_text(path.read_text().replace("2025-03-03", "2025-13-03"))
    with pytest.raises(CorruptDataError, match=r"XLK\.csv") as caught:
        SnapshotProvider(small_snapshot).price_history(["XLK"], None, date(2026, 1, 1))
    assert "checksum" in caught.value.message


def test_unparseable_price_file_without_checksum(small_snapshot: Path) -> None:
    manifest_path = small_snapshot / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    del manifest["symbols"]["XLK"]["sha256"]
    manifest_path.write_text(json.dumps(manifest))
    (small_snapshot / "prices" / "XLK.csv").write_text(
        "date,open,high,low,close,volume\n2025-01-02,1,2,x,1,5\n"
    )
    with pytest.raises(CorruptDataError, match=r"XLK\.csv"):
        SnapshotProvider(small_snapshot).price_history(["XLK"], None, date(2026, 1, 1))


def test_corrupt_or_missing_manifest(small_snapshot: Path, tmp_path: Path) -> None:
    (small_snapshot / "manifest.json").write_text('{"format": "verity-snapshot", "version": 1, "symb')
    with pytest.raises(CorruptDataError, match=r"manifest\.json"):
        SnapshotProvider(small_snapshot).price_history(["XLK"], None, date(2026, 1, 1))
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(CorruptDataError, match="not a Verity snapshot"):
        SnapshotProvider(empty).price_history(["XLK"], None, date(2026, 1, 1))


def test_reimport_replaces_a_snapshot(small_snapshot: Path, shared_data: Path) -> None:
    recent = shared_data / "prices" / "etfs_daily_recent_2026-03_to_2026-08.csv.gz"
    import_snapshot([recent], small_snapshot)
    provider = SnapshotProvider(small_snapshot)
    assert provider.price_history(["GLD"], None, date(2026, 12, 31))["GLD"].first_date == date(2026, 3, 31)
    with pytest.raises(UnknownSymbolError):
        provider.price_history(["XLK2"], None, date(2026, 12, 31))
    shutil.rmtree(small_snapshot)


def test_corrupt_fundamentals_and_names_files_are_named(small_snapshot: Path) -> None:
    (small_snapshot / "fundamentals.json").write_text('{"XLK": [')
    (small_snapshot / "names.csv").write_text("ticker,title\nXLK,Technology\n")
    provider = SnapshotProvider(small_snapshot)
    with pytest.raises(CorruptDataError, match=r"fundamentals\.json"):
        provider.fundamentals("XLK", date(2026, 1, 1))
    with pytest.raises(CorruptDataError, match=r"names\.csv"):
        provider.search("Technology")
