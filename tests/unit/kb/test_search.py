"""Filters (ticker, dates, publisher, as_of) and query understanding (company, fiscal year, quarter)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from copilot.errors import BadInputError
from copilot.knowledge import KnowledgeBase

RECORDS = [
    {
        "id": "r1",
        "date": "2024-03-01",
        "title": "Apple note",
        "source": "Desk A",
        "text": "Apple services revenue reached a record, and margins widened.",
    },
    {
        "id": "r2",
        "date": "2025-03-01",
        "title": "Microsoft note",
        "source": "Desk B",
        "text": "Microsoft services revenue reached a record as Azure grew.",
    },
    {
        "id": "r3",
        "date": "2026-03-01",
        "title": "Fed minutes",
        "source": "Federal Reserve",
        "text": "Participants noted services inflation remained elevated; revenue of banks was stable.",
    },
    {
        "id": "r4",
        "title": "3M_2018_10K",
        "source": "Filings",
        "page": 59,
        "text": "Purchases of property, plant and equipment (PP&E) were 1,577 in 2018.",
    },
    {
        "id": "r5",
        "title": "3M_2022_10K",
        "source": "Filings",
        "page": 40,
        "text": "Purchases of property, plant and equipment (PP&E) were 1,749 in 2022.",
    },
    {
        "id": "r6",
        "title": "3M_2023Q2_10Q",
        "source": "Filings",
        "page": 4,
        "text": "Purchases of property, plant and equipment (PP&E) were 840 in the first six months.",
    },
    {
        "id": "r7",
        "date": "2025-07-30",
        "title": "FOMC statement",
        "source": "Federal Reserve",
        "text": "The Committee decided to maintain the target range for the federal funds rate.",
    },
    {
        "id": "r8",
        "date": "2025-09-17",
        "title": "FOMC statement",
        "source": "Federal Reserve",
        "text": "The Committee decided to lower the target range for the federal funds rate.",
    },
]


@pytest.fixture()
def loaded(kb: KnowledgeBase, tmp_path: Path) -> KnowledgeBase:
    path = tmp_path / "records.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in RECORDS))
    kb.add([path])
    return kb


def titles(passages: list) -> list[str]:  # type: ignore[type-arg]
    return [p.source.title for p in passages]


def test_ticker_filter(loaded: KnowledgeBase) -> None:
    assert titles(loaded.search("services revenue record", ticker="MSFT")) == ["Microsoft note"]


def test_date_range_filter(loaded: KnowledgeBase) -> None:
    found = loaded.search("services revenue", since=date(2025, 8, 1), until=date(2025, 12, 31), k=10)
    assert [str(p.source.published) for p in found] == ["2025-09-17"]
    found = loaded.search("services revenue", since=date(2025, 1, 1), until=date(2025, 12, 31), k=10)
    assert titles(found)[0] == "Microsoft note"
    assert sorted(str(p.source.published) for p in found) == ["2025-03-01", "2025-07-30", "2025-09-17"]


def test_publisher_filter(loaded: KnowledgeBase) -> None:
    found = loaded.search("services", publisher="federal reserve", k=10)
    assert titles(found)[0] == "Fed minutes"
    assert {p.source.provider for p in found} == {"Federal Reserve"} and len(found) == 3


def test_as_of_excludes_later_documents(loaded: KnowledgeBase) -> None:
    found = titles(loaded.search("services revenue", as_of=date(2025, 6, 30), k=10))
    assert "Fed minutes" not in found
    assert {"Apple note", "Microsoft note"} <= set(found)


def test_company_and_fiscal_year_in_the_question_pick_the_filing(loaded: KnowledgeBase) -> None:
    [top] = loaded.search("What is the FY2018 capital expenditure (PP&E purchases) for 3M?", k=1)
    assert (top.source.title, top.source.page) == ("3M_2018_10K", 59)
    [top] = loaded.search("3M purchases of PP&E in FY2022", k=1)
    assert top.source.title == "3M_2022_10K"
    [top] = loaded.search("3M capital spending in Q2 of FY2023", k=1)
    assert top.source.title == "3M_2023Q2_10Q"


def test_a_month_in_the_question_picks_that_months_documents(loaded: KnowledgeBase) -> None:
    [top] = loaded.search("What did the FOMC decide about the federal funds rate in July 2025?", k=1)
    assert str(top.source.published) == "2025-07-30"
    [top] = loaded.search("What did the FOMC decide about the federal funds rate in September 2025?", k=1)
    assert str(top.source.published) == "2025-09-17"


def test_a_named_company_restricts_the_search(loaded: KnowledgeBase) -> None:
    assert set(titles(loaded.search("Microsoft services revenue record", k=10))) == {"Microsoft note"}


def test_bad_arguments_are_typed_errors(loaded: KnowledgeBase) -> None:
    with pytest.raises(BadInputError):
        loaded.search("  ")
    with pytest.raises(BadInputError):
        loaded.search("revenue", since=date(2025, 1, 1), until=date(2024, 1, 1))


def test_empty_knowledge_base_returns_nothing(kb: KnowledgeBase) -> None:
    assert kb.search("anything at all") == []
