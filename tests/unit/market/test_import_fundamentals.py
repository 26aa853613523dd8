"""`verity data import` reads statements, the SEC filings index, analyst targets and Shiller's
series into the snapshot (docs/snapshot-format.md), checked against the source files."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pandas as pd
import pytest

from copilot.errors import BadInputError, CorruptDataError
from tests.unit.market.fundamentals_fixtures import FILINGS_CSV, SHILLER_CSV, STATEMENTS_CSV, TARGETS_CSV
from tools.importer import import_snapshot


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("import-fundamentals") / "snapshot"
    import_snapshot([STATEMENTS_CSV, TARGETS_CSV, SHILLER_CSV, FILINGS_CSV], dest)
    return dest


def test_files_are_recognised_and_listed_in_the_manifest(imported: Path) -> None:
    manifest = json.loads((imported / "manifest.json").read_text())
    assert manifest["statements"] == "statements.csv" and manifest["filings"] == "filings.csv"
    assert manifest["analyst_targets"] == "analyst_targets.csv"
    assert manifest["market_valuation"] == "market_valuation.csv"
    kinds = {Path(f["path"]).name: f["kind"] for f in manifest["import_report"]["files"]}
    assert kinds == {
        STATEMENTS_CSV.name: "statements",
        TARGETS_CSV.name: "analyst_targets",
        SHILLER_CSV.name: "market_valuation",
        FILINGS_CSV.name: "filings",
    }
    counts = manifest["import_report"]["fundamental_tables"]
    assert counts["analyst_targets"] == len(pd.read_csv(TARGETS_CSV))
    assert counts["market_valuation"] == len(pd.read_csv(SHILLER_CSV))
    assert counts["filings"] == len(pd.read_csv(FILINGS_CSV))


def test_shiller_zeros_are_stored_as_missing(imported: Path) -> None:
    stored = pd.read_csv(imported / "market_valuation.csv").set_index("month")
    source = pd.read_csv(SHILLER_CSV).set_index("Date")
    assert source.loc["2024-01-01", "Earnings"] == 0.0 and pd.isna(stored.loc["2024-01-01", "earnings"])
    assert stored.loc["2023-06-01", "earnings"] == source.loc["2023-06-01", "Earnings"]
    assert stored.loc["2026-06-01", "price"] == source.loc["2026-06-01", "SP500"]
    assert pd.isna(stored.loc["1871-01-01", "cape"])  # PE10 needs ten years of earnings


def test_filing_period_ends_come_from_the_xbrl_name(imported: Path) -> None:
    stored = pd.read_csv(imported / "filings.csv", dtype=str, keep_default_na=False)
    rows = {(r["symbol"], r["form"]): r for r in stored.to_dict("records")}
    assert (
        rows[("AAPL", "10-Q")]["filed"] == "2026-07-31"
        and rows[("AAPL", "10-Q")]["period_end"] == "2026-06-27"
    )
    assert rows[("KO", "10-Q")]["period_end"] == "2026-07-03"
    assert rows[("MSFT", "10-K")]["period_end"] == ""  # its text opens with "10-K", no XBRL name


def test_later_files_win_shared_rows(tmp_path: Path) -> None:
    frame = pd.read_csv(TARGETS_CSV)
    first = frame.loc[frame["date"] == "2026-08-21"].copy()
    second = first.copy()
    second["target_mean"] = second["target_mean"] + 1.0  # a later recording of the same day
    a, b = tmp_path / "a_targets.csv", tmp_path / "b_targets.csv"
    first.to_csv(a, index=False)
    second.to_csv(b, index=False)
    import_snapshot([a, b], tmp_path / "snap")
    stored = pd.read_csv(tmp_path / "snap" / "analyst_targets.csv")
    aapl = stored.loc[stored["symbol"] == "AAPL", "target_mean"]
    assert list(aapl) == [float(second.loc[second["ticker"] == "AAPL", "target_mean"].iloc[0])]


def test_a_malformed_statement_row_names_the_file_and_line(tmp_path: Path) -> None:
    with gzip.open(STATEMENTS_CSV, "rt") as handle:
        lines = [next(handle) for _ in range(4)]
    lines[2] = lines[2].replace("2022-09-30", "30/09/2022").replace("2023-09-30", "30/09/2023")
    broken = tmp_path / "statements.csv"
    broken.write_text("".join(lines))
    with pytest.raises(CorruptDataError, match=r"statements.csv: a malformed period_end on line 3"):
        import_snapshot([broken], tmp_path / "snap")
    assert not (tmp_path / "snap").exists()  # nothing written


def test_an_unknown_explicit_file_is_still_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.csv"
    other.write_text("a,b\n1,2\n")
    with pytest.raises(BadInputError, match="is not a price, valuation or names file"):
        import_snapshot([other], tmp_path / "snap")
