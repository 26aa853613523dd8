"""The typed eval set's reference computations, checked against sources that owe nothing to them.

Figures are held to the filing text, the FOMC statement text, a Wilder RSI written out by hand, the
raw CSV rows read with the csv module and the published seed figure; the set itself is held to its
README (format, mix, tag counts), and every case must resolve to finite figures.
"""

from __future__ import annotations

import collections
import csv
import gzip
import itertools
import json
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import talib

from tests.eval.typed.reference import (
    KINDS,
    RULE_VARIANTS,
    NoReference,
    TypedReference,
    expected_figures,
)

pytestmark = pytest.mark.eval

HERE = Path(__file__).parent
CASES = [json.loads(line) for line in (HERE / "questions.jsonl").read_text(encoding="utf-8").splitlines()]
MEASURES = {"price", "return", "technicals", "valuation", "financials", "targets", "market_valuation"}
MEASURES |= {"sectors", "documents", "composite", "lookup", "unsupported"}
DECLINES = {None, "options", "crypto", "transcripts", "advice", "forecast", "no_data"}
PERIOD = re.compile(
    r"ytd|mtd|qtd|1d|5d|1m|3m|6m|1y|3y|5y|\d{4}|\d{4}Q[1-4]|\d{4}-\d{2}|day:\d{4}-\d{2}-\d{2}"
    r"|since:\d{4}-\d{2}-\d{2}|range:\d{4}-\d{2}-\d{2}\.\.\d{4}-\d{2}-\d{2}"
)


@pytest.fixture(scope="module")
def ref(shared_data: Path) -> TypedReference:
    return TypedReference(shared_data)


def value(ref: TypedReference, item: dict[str, Any], as_of: str) -> list[float]:
    return [f["value"] for f in expected_figures(item, as_of, ref)]


def raw_rows(shared_data: Path, name: str, symbol: str) -> list[dict[str, str]]:
    """Rows of one symbol read with the csv module, not pandas."""
    with gzip.open(shared_data / "prices" / name, "rt", newline="") as handle:
        return [row for row in csv.DictReader(handle) if row["symbol"] == symbol]


# ---- prices -----------------------------------------------------------------------------------
def test_rut_ytd_is_the_published_seed_figure(ref: TypedReference) -> None:
    (ytd,) = value(ref, {"kind": "return", "symbol": "^RUT", "period": "ytd"}, "2026-01-09")
    assert abs(ytd - 5.73) <= 0.005


def test_closes_are_the_traded_closes_of_the_raw_rows(ref: TypedReference, shared_data: Path) -> None:
    aapl = {
        r["date"]: float(r["close"])
        for r in raw_rows(shared_data, "us_large_caps_daily_2016_2026.csv.gz", "AAPL")
    }
    close = {"kind": "close", "symbol": "AAPL"}
    assert value(ref, close | {"date": "2025-03-14"}, "2025-06-30") == [aapl["2025-03-14"]]
    # a Saturday is the Friday before; July 4th the session before the holiday
    assert value(ref, close | {"date": "2025-03-08"}, "2025-06-30") == [aapl["2025-03-07"]]
    assert value(ref, close | {"date": "2025-07-04"}, "2025-08-15") == [aapl["2025-07-03"]]
    iwm = {
        r["date"]: float(r["close"])
        for r in raw_rows(shared_data, "etfs_daily_recent_2026-03_to_2026-08.csv.gz", "IWM")
    }
    (mtd,) = value(ref, {"kind": "return", "symbol": "IWM", "period": "mtd"}, "2026-08-21")
    assert mtd == pytest.approx((iwm["2026-08-21"] / iwm["2026-07-31"] - 1) * 100, abs=1e-12)


def test_adjusted_or_partial_rows_are_never_used(ref: TypedReference) -> None:
    with pytest.raises(NoReference):  # IWM before the raw file: only dividend-adjusted closes exist
        value(ref, {"kind": "return", "symbol": "IWM", "period": "ytd"}, "2026-03-31")
    assert ref.bars("^VIX").index.max() == pd.Timestamp("2026-02-20")  # the intraday 2026-02-23 row
    with pytest.raises(NoReference):  # a date after the analysis date
        value(ref, {"kind": "close", "symbol": "NVDA", "date": "2026-09-15"}, "2026-08-21")
    with pytest.raises(NoReference):  # before the data begins
        value(ref, {"kind": "return", "symbol": "AAPL", "period": "2015"}, "2026-01-09")


@pytest.mark.parametrize(
    ("period", "as_of", "base", "end"),
    [
        ("ytd", "2026-01-09", "2025-12-31", "2026-01-09"),
        ("mtd", "2025-04-08", "2025-03-31", "2025-04-08"),
        ("qtd", "2025-05-15", "2025-03-31", "2025-05-15"),
        ("2025Q4", "2026-01-09", "2025-09-30", "2025-12-31"),
        ("2026-06", "2026-06-15", "2026-05-29", "2026-06-15"),  # a month not over: capped at as_of
        ("1m", "2025-03-31", "2025-02-28", "2025-03-31"),  # 31 March - 1 month = 28 February
        ("1y", "2024-12-31", "2023-12-29", "2024-12-31"),
        ("5d", "2024-08-05", "2024-07-29", "2024-08-05"),
        ("since:2026-02-28", "2026-08-21", "2026-02-27", "2026-08-21"),  # "since March"
        ("range:2024-11-05..2024-12-15", "2025-01-15", "2024-11-05", "2024-12-13"),
        ("day:2025-01-27", "2025-02-10", "2025-01-24", "2025-01-27"),
    ],
)
def test_period_bounds_follow_the_conventions(
    ref: TypedReference, period: str, as_of: str, base: str, end: str
) -> None:
    first, last = ref.period_bounds("^GSPC", period, date.fromisoformat(as_of))
    assert (str(first.name)[:10], str(last.name)[:10]) == (base, end)


def test_rsi_equals_a_wilder_rsi_written_out_by_hand(ref: TypedReference, shared_data: Path) -> None:
    for symbol, as_of in (("^RUT", "2025-04-08"), ("NVDA", "2024-06-18")):
        name = (
            "indices_daily_2016_2026.csv.gz"
            if symbol.startswith("^")
            else "us_large_caps_daily_2016_2026.csv.gz"
        )
        closes = [float(r["close"]) for r in raw_rows(shared_data, name, symbol) if r["date"] <= as_of]
        moves = [b - a for a, b in itertools.pairwise(closes)]
        gain = sum(max(m, 0.0) for m in moves[:14]) / 14
        loss = sum(max(-m, 0.0) for m in moves[:14]) / 14
        for move in moves[14:]:
            gain, loss = (gain * 13 + max(move, 0.0)) / 14, (loss * 13 + max(-move, 0.0)) / 14
        (rsi,) = value(ref, {"kind": "rsi", "symbol": symbol}, as_of)
        assert rsi == pytest.approx(100 - 100 / (1 + gain / loss), abs=1e-9)
    assert value(ref, {"kind": "rsi", "symbol": "^RUT"}, "2025-04-08")[0] == pytest.approx(21.08, abs=0.005)


def test_moving_averages_and_bands_by_hand(ref: TypedReference) -> None:
    closes = ref.bars("AAPL").loc[:"2025-04-08", "close"].to_numpy()
    assert value(ref, {"kind": "sma", "symbol": "AAPL", "windows": [50, 200]}, "2025-04-08") == pytest.approx(
        [closes[-50:].mean(), closes[-200:].mean()], abs=1e-9
    )
    last20 = closes[-20:]
    upper, middle, lower = value(ref, {"kind": "bollinger", "symbol": "AAPL"}, "2025-04-08")
    assert (upper, middle, lower) == pytest.approx(
        (last20.mean() + 2 * last20.std(), last20.mean(), last20.mean() - 2 * last20.std()), abs=1e-9
    )


def test_seeding_the_indicators_five_years_back_changes_no_displayed_figure(ref: TypedReference) -> None:
    for case in CASES:
        for item in case["expect"]:
            if item["kind"] not in ("rsi", "ema", "macd"):
                continue
            start = pd.Timestamp(case["as_of"]) - pd.DateOffset(years=5)
            closes = ref.bars(item["symbol"]).loc[start : case["as_of"], "close"].to_numpy(dtype=np.float64)
            if item["kind"] == "rsi":
                short = [talib.RSI(closes, timeperiod=14)[-1]]
            elif item["kind"] == "ema":
                short = [talib.EMA(closes, timeperiod=w)[-1] for w in item["windows"]]
            else:
                short = [line[-1] for line in talib.MACD(closes, 12, 26, 9)]
            full = expected_figures(item, case["as_of"], ref)
            assert [abs(a - f["value"]) < f["tolerance"] / 10 for a, f in zip(short, full, strict=True)] == [
                True
            ] * len(full), case["id"]


# ---- statements and valuation ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("filing", "pattern", "column", "item", "scale"),
    [
        (
            "AAPL_10-Q_2026-07-31",
            r"Total net sales \$?\s*([\d,]+)\s+\$?\s*([\d,]+)",
            0,
            ("AAPL", "revenue", "FY2026Q3"),
            1e6,
        ),
        (
            "AAPL_10-Q_2026-07-31",
            r"Diluted earnings per share \$ ([\d.]+)\s+\$ ([\d.]+)",
            0,
            ("AAPL", "eps", "FY2026Q3"),
            1,
        ),
        (
            "NVDA_10-Q_2026-05-20",
            r"Revenue \$ ([\d,]+)\s+\$ ([\d,]+)",
            0,
            ("NVDA", "revenue", "FY2027Q1"),
            1e6,
        ),
        ("MSFT_10-K_2026-07-29", r"Total revenue ([\d,]+) ([\d,]+)", 0, ("MSFT", "revenue", "FY2026"), 1e6),
        (
            "GOOG_10-Q_2026-07-23",
            r"Net income \$ ([\d,]+)\s+\$ ([\d,]+)",
            1,
            ("GOOG", "net_income", "FY2026Q2"),
            1e6,
        ),
    ],
)
def test_statement_figures_equal_the_filing_text(
    ref: TypedReference,
    shared_data: Path,
    filing: str,
    pattern: str,
    column: int,
    item: tuple[str, str, str],
    scale: float,
) -> None:
    with gzip.open(
        shared_data / "corpus" / "sec_filings" / f"{filing}.txt.gz", "rt", encoding="utf-8"
    ) as handle:
        text = re.sub(r"\s+", " ", handle.read())
    found = re.search(pattern, text)
    assert found, pattern
    symbol, line, fiscal = item
    statement = {"kind": "statement", "symbol": symbol, "line": line, "fiscal": fiscal}
    assert value(ref, statement, "2026-08-21") == [float(found.group(column + 1).replace(",", "")) * scale]


def test_fiscal_labels_and_availability(ref: TypedReference) -> None:
    assert ref.fiscal_label("AAPL", pd.Timestamp("2026-06-30")) == (2026, 3)
    assert ref.fiscal_label("NVDA", pd.Timestamp("2026-04-30")) == (2027, 1)
    assert ref.fiscal_label("MSFT", pd.Timestamp("2026-06-30")) == (2026, 4)
    rule = RULE_VARIANTS[0]
    assert ref.available_from("AAPL", "quarterly", pd.Timestamp("2026-06-30"), rule) == pd.Timestamp(
        "2026-07-31"
    )
    assert ref.available_from("AAPL", "quarterly", pd.Timestamp("2026-03-31"), rule) == pd.Timestamp(
        "2026-05-10"
    )
    last_quarter = {"kind": "statement", "symbol": "AAPL", "line": "revenue", "fiscal": "latest-quarter"}
    assert value(ref, last_quarter, "2026-07-30") == [111_184_000_000.0]  # the 10-Q came out on 07-31
    assert value(ref, last_quarter, "2026-07-31") == [109_417_000_000.0]
    with pytest.raises(NoReference):
        value(ref, last_quarter | {"fiscal": "FY2026Q3"}, "2026-07-30")


def test_point_in_time_pe_is_price_over_four_public_quarters(ref: TypedReference, shared_data: Path) -> None:
    aapl = {
        r["date"]: float(r["close"])
        for r in raw_rows(shared_data, "us_large_caps_daily_2016_2026.csv.gz", "AAPL")
    }
    pe = {"kind": "pe", "symbol": "AAPL"}
    # quarters ended 2025-09 .. 2026-06 on 08-21; 2025-06 .. 2026-03 on 06-15 (June's 10-Q not out)
    assert value(ref, pe, "2026-08-21") == pytest.approx([aapl["2026-08-21"] / (1.85 + 2.84 + 2.01 + 2.02)])
    assert value(ref, pe, "2026-06-15") == pytest.approx([aapl["2026-06-15"] / (1.57 + 1.85 + 2.84 + 2.01)])
    with pytest.raises(NoReference):  # early 2025: fewer than four quarters in the statements file
        value(ref, pe, "2025-02-25")


def test_market_valuation_targets_and_snapshot(ref: TypedReference) -> None:
    assert value(ref, {"kind": "sp500_pe"}, "2026-08-21") == pytest.approx([4345.372857 / 181.17])
    assert value(ref, {"kind": "cape"}, "2026-08-21") == [30.81]  # 2023-09: later months are zeros
    tesla = {"kind": "targets", "symbol": "TSLA", "fields": ["target_mean", "analysts"]}
    assert value(ref, tesla, "2026-08-16") == [396.62274, 40.0]  # Sunday: the 2026-08-15 snapshot
    with pytest.raises(NoReference):
        value(ref, tesla, "2026-08-05")
    assert value(ref, {"kind": "snapshot", "symbol": "AAPL", "fields": ["trailing_pe"]}, "2025-02-25") == [
        pytest.approx(38.91442, abs=1e-5)
    ]


# ---- documents ------------------------------------------------------------------------------------
# read off each statement's decision sentence ("... at 3-1/2 to 3-3/4 percent")
TARGET_RANGES = {
    "2024-09": (4.75, 5.0),
    **dict.fromkeys(("2025-01", "2025-03", "2025-05", "2025-06", "2025-07"), (4.25, 4.5)),
    "2025-09": (4.0, 4.25),
    "2025-10": (3.75, 4.0),
    **dict.fromkeys(("2025-12", "2026-01", "2026-03", "2026-04", "2026-06", "2026-07"), (3.5, 3.75)),
}


@pytest.mark.parametrize(("meeting", "expected"), TARGET_RANGES.items())
def test_target_range_of_each_statement_equals_its_text(
    ref: TypedReference, meeting: str, expected: tuple
) -> None:
    assert tuple(value(ref, {"kind": "fed_target_range", "meeting": meeting}, "2026-08-21")) == expected


def test_minutes_count_from_their_release(ref: TypedReference) -> None:
    latest = {"doc": {"kind": "minutes", "latest": True}}
    assert ref.documents(latest, date(2025, 10, 7)) == ["fomcminutes20250730"]
    assert ref.documents(latest, date(2025, 10, 8)) == ["fomcminutes20250917"]
    for minutes in (d for d in ref.fomc() if d["kind"] == "minutes"):
        released = date.fromisoformat(minutes["date"]) + timedelta(days=21)
        assert minutes["id"] not in ref.documents({"doc": {"kind": "minutes"}}, released - timedelta(days=1))
        assert minutes["id"] in ref.documents({"doc": {"kind": "minutes"}}, released)


# ---- the set ------------------------------------------------------------------------------------------
def test_every_case_is_well_formed_and_resolves(ref: TypedReference) -> None:
    ids = [case["id"] for case in CASES]
    assert len(ids) == len(set(ids))
    for case in CASES:
        assert set(case) <= {
            "id",
            "question",
            "as_of",
            "conversation",
            "expect",
            "cover",
            "decline",
            "tags",
        }, case
        assert case["decline"] in DECLINES and case["cover"] and case["tags"], case["id"]
        assert all(isinstance(turn, str) and turn for turn in case.get("conversation", [])), case["id"]
        as_of = date.fromisoformat(case["as_of"])
        for item in case["expect"]:
            assert item["kind"] in KINDS
            figures = expected_figures(item, as_of, ref)
            assert figures and all(np.isfinite([f["value"], f["tolerance"]]).all() for f in figures), case[
                "id"
            ]
        for part in case["cover"]:
            assert part["measure"] in MEASURES, case["id"]
            assert part["period"] is None or PERIOD.fullmatch(part["period"]), case["id"]
            if part["measure"] == "documents":  # the asked-for document is public by then, or declined
                assert bool(ref.documents(part, as_of)) != bool(case["decline"]), case["id"]


def test_cases_do_not_depend_on_how_statement_availability_is_read(ref: TypedReference) -> None:
    for case in CASES:
        if "filing-date" in case["tags"]:
            continue
        for item in (i for i in case["expect"] if i["kind"] in ("statement", "growth", "pe")):
            readings = [
                tuple(f["value"] for f in expected_figures(item, case["as_of"], ref, rule))
                for rule in RULE_VARIANTS
            ]
            assert len(set(readings)) == 1, case["id"]


def test_52_week_cases_fall_on_sessions(ref: TypedReference) -> None:
    for case in CASES:
        for item in (i for i in case["expect"] if i["kind"] == "range_52w"):
            assert pd.Timestamp(case["as_of"]) in ref.bars(item["symbol"]).index, case["id"]


def test_the_mix(ref: TypedReference) -> None:
    tags = collections.Counter(tag for case in CASES for tag in case["tags"])
    assert len(CASES) >= 200
    assert tags["spanish"] >= 10 and tags["chinese"] >= 10
    assert 0.08 <= sum(1 for c in CASES if c["decline"]) / len(CASES) <= 0.12
    assert {c["decline"] for c in CASES} == DECLINES
    assert tags["follow-up"] >= 10 and tags["three-turn"] >= 2 and tags["combined"] >= 15
    assert min(collections.Counter(c["as_of"][:4] for c in CASES)[y] for y in ("2024", "2025", "2026")) >= 20
    assert tags["typo"] >= 8 and tags["glued"] >= 3
    asked = {
        item["meeting"]
        for c in CASES
        for item in c["expect"]
        if item["kind"] == "fed_target_range" and "meeting" in item
    }
    held = {d["date"][:7] for d in ref.fomc() if d["kind"] == "statement" and d["date"] >= "2025"}
    assert held <= asked and held <= set(TARGET_RANGES)  # every 2025-2026 meeting's statement, by month


def test_readme_lists_the_tag_counts() -> None:
    readme = (HERE / "README.md").read_text(encoding="utf-8")
    listed = {tag: int(count) for tag, count in re.findall(r"^\| `([\w-]+)` \| (\d+) \|", readme, flags=re.M)}
    assert listed == dict(collections.Counter(tag for case in CASES for tag in case["tags"]))
    declined = sum(1 for c in CASES if c["decline"])
    assert f"{len(CASES)} cases: {len(CASES) - declined} to answer, {declined} to decline;" in readme
