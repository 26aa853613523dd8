"""Dated search on the real Fed corpus: minutes never before their release, 'the <month> <year> meeting',
kind/speaker/meeting filters, 'latest', and undated documents that never answer a 'latest' question.

Expected meetings and dates are read from the corpus files themselves (plain JSON), not from the
knowledge base.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from pathlib import Path

import pytest

from copilot.knowledge import KnowledgeBase
from tests.unit.kb.conftest import FOMC, SPEECHES, records

MONTHS = list(calendar.month_name)[1:]


def meeting_days(shared_data: Path, kind: str, first: str = "2020-01-01") -> list[date]:
    """The meeting days of the records of one kind (statement, minutes, sep), from the JSONL itself."""
    rows = records(shared_data, FOMC)
    return sorted({date.fromisoformat(r["date"]) for r in rows if r["kind"] == kind and r["date"] >= first})


def test_no_minutes_reach_an_answer_before_their_release(fed_kb: KnowledgeBase, shared_data: Path) -> None:
    for meeting in meeting_days(shared_data, "minutes"):
        release = meeting + timedelta(weeks=3)  # the Fed's rule; a holiday may bring it a day or two earlier
        before = fed_kb.search(
            "minutes of the meeting participants", k=10, kind="minutes", meeting=meeting.isoformat(),
            as_of=release - timedelta(days=3),
        )  # fmt: skip
        assert before == [], meeting
        after = fed_kb.search("participants", k=3, kind="minutes", meeting=meeting.isoformat(), as_of=release)
        assert after and {p.source.details["meeting"] for p in after} == {meeting.isoformat()}


def test_minutes_never_appear_before_their_availability_whatever_the_question(fed_kb: KnowledgeBase) -> None:
    # the September 16-17, 2025 minutes were released on October 8, 2025
    for question in ("What did the minutes say about inflation?", "Fed minutes September 2025 meeting"):
        for passage in fed_kb.search(question, k=10, as_of=date(2025, 10, 1)):
            assert passage.source.published is not None and passage.source.published <= date(2025, 10, 1)
            assert (
                passage.source.details.get("meeting") != "2025-09-17"
                or passage.source.details["kind"] != "minutes"
            )
    [latest] = fed_kb.search("latest minutes", k=1, as_of=date(2025, 10, 1))
    assert (latest.source.details["kind"], latest.source.details["meeting"]) == ("minutes", "2025-07-30")
    [latest] = fed_kb.search("latest minutes", k=1, as_of=date(2025, 10, 8))
    assert (latest.source.details["kind"], latest.source.details["meeting"]) == ("minutes", "2025-09-17")


@pytest.mark.parametrize(
    "phrasing", ["What did the FOMC decide at the {month} {year} meeting?", "the {month} {year} FOMC meeting"]
)
def test_the_month_year_meeting_is_that_meetings_statement(
    fed_kb: KnowledgeBase, shared_data: Path, phrasing: str
) -> None:
    meetings = meeting_days(shared_data, "statement", first="2025-01-01")
    assert len(meetings) == 13
    for meeting in meetings:
        question = phrasing.format(month=MONTHS[meeting.month - 1], year=meeting.year)
        top = fed_kb.search(question, k=3)[0]
        assert (top.source.details["kind"], top.source.details["meeting"]) == (
            "statement",
            meeting.isoformat(),
        )


def test_the_january_meeting_without_a_year_is_the_newest_available(fed_kb: KnowledgeBase) -> None:
    [top] = fed_kb.search("What did the Fed decide at the January meeting?", k=1, as_of=date(2026, 3, 1))
    assert top.source.details["meeting"] == "2026-01-28" and top.source.details["kind"] == "statement"
    [top] = fed_kb.search("What did the Fed decide at the January meeting?", k=1, as_of=date(2026, 1, 20))
    assert top.source.details["meeting"] == "2025-01-29"
    # the meeting filter itself, as the tool passes it
    found = fed_kb.search("target range", k=10, meeting="January", kind="statement", as_of=date(2026, 3, 1))
    assert {p.source.details["meeting"] for p in found} == {"2026-01-28"}
    found = fed_kb.search("target range", k=10, meeting="2025-01", kind="statement")
    assert {p.source.details["meeting"] for p in found} == {"2025-01-29"}


def test_kind_and_speaker_filters(fed_kb: KnowledgeBase, shared_data: Path) -> None:
    projections = fed_kb.search("median projection federal funds rate", k=10, kind="projections")
    assert len(projections) == 10 and {p.source.details["kind"] for p in projections} == {"projections"}
    waller = fed_kb.search("stablecoins payments", k=10, speaker="Waller")
    assert waller and {p.source.details["speaker"] for p in waller} == {"Waller"}
    # the speaker named in the question narrows the search to their speeches
    named = fed_kb.search("What did Waller say about stablecoins?", k=5)
    assert {p.source.details.get("speaker") for p in named} == {"Waller"}
    speeches = {r["url"] for r in records(shared_data, SPEECHES) if r["speaker"] == "Waller"}
    assert {p.source.url for p in named} <= speeches


def test_latest_is_the_newest_available_of_its_kind(fed_kb: KnowledgeBase, shared_data: Path) -> None:
    statements = meeting_days(shared_data, "statement")
    for as_of in (date(2025, 10, 1), date(2026, 2, 1), date(2026, 8, 21)):
        newest = max(d for d in statements if d <= as_of)
        [top] = fed_kb.search(
            "federal funds rate target range", k=1, kind="statement", latest=True, as_of=as_of
        )
        assert top.source.details["meeting"] == newest.isoformat()
    # "recently" in the question means the same; with a speaker, their newest speech about it
    waller = [
        r for r in records(shared_data, SPEECHES) if r["speaker"] == "Waller" and r["date"] <= "2026-03-01"
    ]
    newest_speech = max(r["date"] for r in waller)
    [top] = fed_kb.search("What did Waller say recently?", k=1, as_of=date(2026, 3, 1))
    assert str(top.source.published) == newest_speech


def test_undated_documents_never_answer_latest(
    fed_kb: KnowledgeBase, shared_data: Path, tmp_path: Path
) -> None:
    from copilot.config import Settings
    from copilot.knowledge import build_knowledge_base

    kb = build_knowledge_base(Settings(data_dir=tmp_path / "kb", shared_data=shared_data, _env_file=None))  # type: ignore[call-arg]
    kb.add([shared_data / FOMC])
    note = tmp_path / "rates.md"
    note.write_text(
        "# Rates note\n\nThe FOMC statement: the Committee decided to maintain the target range for the "
        "federal funds rate. Federal funds rate target range federal funds rate target range."
    )
    kb.add([note])
    anytime = kb.search("FOMC statement federal funds rate target range", k=5, kind="note")
    assert [p.source.title for p in anytime] == ["Rates note"]
    assert anytime[0].source.details["undated"] is True
    for query in ("latest FOMC statement federal funds rate target range", "federal funds rate target range"):
        latest = kb.search(query, k=10, latest=True)
        assert latest and all(p.source.title != "Rates note" for p in latest)
        assert all(p.source.published is not None for p in latest)
    assert kb.search("federal funds rate target range", k=5, kind="note", latest=True) == []


def test_per_document_gives_the_decision_of_every_statement_of_a_year(
    fed_kb: KnowledgeBase, shared_data: Path
) -> None:
    expected = [d for d in meeting_days(shared_data, "statement") if d.year == 2025]
    found = fed_kb.search(
        "decided target range federal funds rate", k=10, kind="statement",
        since=date(2025, 1, 1), until=date(2025, 12, 31), per_document=True, as_of=date(2026, 8, 21),
    )  # fmt: skip
    days = [p.source.published for p in found]
    assert sorted(days) == expected and len(set(days)) == len(days)  # one passage per statement
    # and the best passage of each is the one that states the decision
    assert all("decided" in p.content for p in found)
