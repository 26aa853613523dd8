"""Fiscal periods of real SEC filings, read from their cover page and fiscal year end, checked against
how each filing itself names the period (the phrase must be in the filing's text)."""

from __future__ import annotations

import csv
import gzip
from datetime import date
from pathlib import Path

import pytest

from copilot.errors import BadInputError
from copilot.knowledge import KnowledgeBase
from copilot.knowledge.fiscal import filing_period, parse_fiscal_period

# file, form, expected (fiscal year, quarter, period end), a phrase of the filing naming that period
FILINGS = [
    ("AAPL_10-Q_2026-07-31", "10-Q", (2026, 3, date(2026, 6, 27)), "Q3 2026"),
    ("MSFT_10-Q_2026-04-29", "10-Q", (2026, 3, date(2026, 3, 31)), "third quarter of fiscal year 2026"),
    ("NVDA_10-Q_2026-05-20", "10-Q", (2027, 1, date(2026, 4, 26)), "first quarter of fiscal year 2027"),
    ("HD_10-Q_2026-05-27", "10-Q", (2026, 1, date(2026, 5, 3)), "Fiscal Q1 2026 Form 10-Q"),
    ("COST_10-Q_2026-06-03", "10-Q", (2026, 3, date(2026, 5, 10)), "third quarter of fiscal 2026"),
    ("SNDK_10-Q_2026-05-01", "10-Q", (2026, 3, date(2026, 4, 3)), "third quarter of fiscal 2026"),
    ("AVGO_10-Q_2026-06-09", "10-Q", (2026, 2, date(2026, 5, 3)), "Two Fiscal Quarters Ended May 3, 2026"),
    ("AMZN_10-Q_2026-07-31", "10-Q", (2026, 2, date(2026, 6, 30)), "Six Months Ended June 30,"),
    ("WMT_10-K_2026-03-13", "10-K", (2026, None, date(2026, 1, 31)), "fiscal 2026"),
    (
        "HD_10-K_2026-03-18",
        "10-K",
        (2025, None, date(2026, 2, 1)),
        "fiscal 2025 Fiscal year ended February 1, 2026",
    ),
    ("AAPL_10-K_2025-10-31", "10-K", (2025, None, date(2025, 9, 27)), "2025 Form 10-K"),
    ("TSM_20-F_2026-04-16", "20-F", (2025, None, date(2025, 12, 31)), "fiscal year ended December 31, 2025"),
]


def text_of(shared_data: Path, name: str) -> str:
    with gzip.open(
        shared_data / "corpus" / "sec_filings" / f"{name}.txt.gz", "rt", encoding="utf-8"
    ) as handle:
        return " ".join(handle.read().split())


@pytest.mark.parametrize(("name", "form", "expected", "phrase"), FILINGS, ids=[f[0] for f in FILINGS])
def test_fiscal_period_of_a_real_filing(
    shared_data: Path, name: str, form: str, expected: tuple[int, int | None, date], phrase: str
) -> None:
    text = text_of(shared_data, name)
    assert phrase.lower() in text.lower()  # the filing names the period as expected says
    period = filing_period(text, form)
    assert period is not None
    assert (period.fiscal_year, period.quarter, period.period_end) == expected


def test_a_quarter_is_counted_from_the_fiscal_year_end_not_the_calendar() -> None:
    text = (
        "FORM 10-Q For the quarterly period ended March 31, 2026. Read with our Annual Report on Form 10-K "
        "for the fiscal year ended June 30, 2025."
    )
    period = filing_period(text, "10-Q")
    assert period is not None and (period.fiscal_year, period.quarter, period.label) == (2026, 3, "Q3 FY2026")


def test_a_filing_without_a_cover_page_has_no_period() -> None:
    assert filing_period("Quarterly update: revenue grew.", "10-Q") is None


def test_fiscal_period_arguments() -> None:
    assert parse_fiscal_period("Q3 FY2026") == (2026, 3)
    assert parse_fiscal_period("FY2026Q3") == (2026, 3)
    assert parse_fiscal_period("fiscal 2025") == (2025, None)
    with pytest.raises(BadInputError):
        parse_fiscal_period("third quarter")


def test_filings_in_the_knowledge_base_carry_and_filter_on_their_fiscal_period(
    kb: KnowledgeBase, shared_data: Path, tmp_path: Path
) -> None:
    source = shared_data / "corpus" / "sec_filings"
    names = ["AAPL_10-Q_2026-07-31", "MSFT_10-Q_2026-04-29", "NVDA_10-Q_2026-05-20"]
    filings = tmp_path / "sec_filings"
    filings.mkdir()
    with (source / "index.csv").open(newline="", encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if Path(r["file"]).name[: -len(".txt.gz")] in names]
    with (filings / "index.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    for name in names:  # linked, not copied
        (filings / f"{name}.txt.gz").symlink_to(source / f"{name}.txt.gz")
    assert kb.add([filings]).failed == []
    periods = {d.tickers[0]: (d.kind, d.fiscal_period, d.available) for d in kb.list_documents()}
    assert periods == {
        "AAPL": ("10-Q", "Q3 FY2026", date(2026, 7, 31)),
        "MSFT": ("10-Q", "Q3 FY2026", date(2026, 4, 29)),
        "NVDA": ("10-Q", "Q1 FY2027", date(2026, 5, 20)),
    }
    third = kb.search("total net sales revenue", k=10, fiscal_year=2026, fiscal_quarter=3)
    assert {p.source.details["fiscal_period"] for p in third} == {"Q3 FY2026"}
    first = kb.search("total net sales revenue", k=10, fiscal_year=2027, fiscal_quarter=1)
    assert first and {p.source.document_id for p in first} == {
        d.id for d in kb.list_documents() if d.tickers[0] == "NVDA"
    }
    [top] = kb.search("Apple net sales in the third quarter of fiscal 2026", k=1)
    assert top.source.details["fiscal_period"] == "Q3 FY2026" and "AAPL" in top.source.details["tickers"]
