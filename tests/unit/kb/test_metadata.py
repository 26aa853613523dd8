"""Document metadata on the real corpus: kinds, availability (minutes from their release), meetings,
speakers; plain files get defaults (a note, undated unless a date is known)."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest

from copilot.errors import BadInputError
from copilot.knowledge import KnowledgeBase
from copilot.knowledge.metadata import minutes_release, normalize_kind
from tests.unit.kb.conftest import FOMC, SPEECHES, STATEMENTS_1994, records

# The Fed's release dates of the minutes of the 2025-2026 meetings (federalreserve.gov, "Minutes of
# the FOMC" calendar; each minutes page's "Last Update" line says the same): three weeks after the
# meeting, except December 2025, released a day early for the New Year holiday.
MINUTES_RELEASED = {
    date(2025, 1, 29): date(2025, 2, 19),
    date(2025, 3, 19): date(2025, 4, 9),
    date(2025, 5, 7): date(2025, 5, 28),
    date(2025, 6, 18): date(2025, 7, 9),
    date(2025, 7, 30): date(2025, 8, 20),
    date(2025, 9, 17): date(2025, 10, 8),
    date(2025, 10, 29): date(2025, 11, 19),
    date(2025, 12, 10): date(2025, 12, 30),
    date(2026, 1, 28): date(2026, 2, 18),
    date(2026, 3, 18): date(2026, 4, 8),
    date(2026, 4, 29): date(2026, 5, 20),
    date(2026, 6, 17): date(2026, 7, 8),
    date(2026, 7, 29): date(2026, 8, 19),
}


def test_kinds_follow_the_records(fed_kb: KnowledgeBase, shared_data: Path) -> None:
    by_url = {d.url: d for d in fed_kb.list_documents() if d.url}
    expected = Counter(str(r["kind"]) for r in records(shared_data, FOMC))
    assert expected == {"statement": 55, "minutes": 45, "sep": 25, "other": 10}  # PROVENANCE.md
    got = Counter(by_url[str(r["url"])].kind for r in records(shared_data, FOMC))
    assert got == {"statement": 55, "minutes": 45, "projections": 25, "other": 10}
    speeches = [by_url[str(r["url"])] for r in records(shared_data, SPEECHES)]
    assert {d.kind for d in speeches} == {"speech"}
    old = [d for d in fed_kb.list_documents() if d.title.startswith("FOMC statement ")]
    assert len(old) == 221 and {d.kind for d in old} == {"statement"}


def test_minutes_count_from_their_release_and_keep_the_meeting(
    fed_kb: KnowledgeBase, shared_data: Path
) -> None:
    minutes = {d.meeting: d for d in fed_kb.list_documents() if d.kind == "minutes"}
    for meeting, released in MINUTES_RELEASED.items():
        doc = minutes[meeting]
        assert (doc.published, doc.available) == (meeting, released), doc.url
    for row in records(shared_data, FOMC):  # every other year: three weeks after, or the page's date
        if row["kind"] == "minutes":
            meeting = date.fromisoformat(str(row["date"]))
            lag = (minutes[meeting].available - meeting).days  # type: ignore[operator]
            assert 19 <= lag <= 21, row["id"]


def test_the_release_rule_ignores_a_later_correction() -> None:
    # the September 2021 minutes page was updated on 2021-11-26; they came out on 2021-10-13
    text = "Minutes of the Federal Open Market Committee ... Back to Top Last Update: November 26, 2021"
    assert minutes_release(date(2021, 9, 22), text) == date(2021, 10, 13)
    assert minutes_release(date(2021, 9, 22)) == date(2021, 9, 22) + timedelta(weeks=3)


def test_statements_and_projections_belong_to_their_meeting(fed_kb: KnowledgeBase, shared_data: Path) -> None:
    by_url = {d.url: d for d in fed_kb.list_documents() if d.url}
    for row in records(shared_data, FOMC):
        doc = by_url[str(row["url"])]
        day = date.fromisoformat(str(row["date"]))
        if row["kind"] in ("statement", "sep"):
            assert doc.meeting == day and doc.available == day
        if row["kind"] == "other":
            assert doc.meeting is None
    old = {d.title: d for d in fed_kb.list_documents() if d.title.startswith("FOMC statement ")}
    for row in records(shared_data, STATEMENTS_1994):
        assert old[str(row["title"])].meeting == date.fromisoformat(str(row["meeting_end"]))


def test_speakers_come_from_the_record_or_the_speech_url(fed_kb: KnowledgeBase, shared_data: Path) -> None:
    by_url = {d.url: d for d in fed_kb.list_documents() if d.url}
    rows = records(shared_data, SPEECHES)
    for row in rows:
        doc = by_url[str(row["url"])]
        assert doc.speaker == (row["speaker"] or "Cook"), row["id"]  # cook20260805a has no speaker field
    assert Counter(by_url[str(r["url"])].speaker for r in rows)["Waller"] == 30


def test_plain_files_are_notes_undated_unless_a_date_is_known(kb: KnowledgeBase, tmp_path: Path) -> None:
    (tmp_path / "view.md").write_text("# Desk view\n\nSmall caps look cheap.")
    (tmp_path / "memo_2026-02-03.txt").write_text("Banks reported strong deposit growth.")
    kb.add([tmp_path / "view.md", tmp_path / "memo_2026-02-03.txt"])
    kb.add([tmp_path / "view.md"], published=date(2026, 1, 5))  # the same file again changes nothing
    docs = {d.title: d for d in kb.list_documents()}
    assert (docs["Desk view"].kind, docs["Desk view"].available, docs["Desk view"].format) == (
        "note",
        None,
        "markdown",
    )
    assert (docs["memo_2026-02-03"].kind, docs["memo_2026-02-03"].available) == ("note", date(2026, 2, 3))


def test_a_filing_uploaded_as_a_file_is_read_from_its_cover_page(kb: KnowledgeBase, tmp_path: Path) -> None:
    (tmp_path / "q.txt").write_text(
        "UNITED STATES SECURITIES AND EXCHANGE COMMISSION Washington, D.C. 20549 FORM 10-Q "
        "For the quarterly period ended March 31, 2026 ... read with our Annual Report on Form 10-K "
        "for the fiscal year ended June 30, 2025. Revenue was $70.1 billion."
    )
    kb.add([tmp_path / "q.txt"])
    [doc] = kb.list_documents()
    assert (doc.kind, doc.fiscal_period, doc.period_end) == ("10-Q", "Q3 FY2026", date(2026, 3, 31))


def test_kind_names_people_use() -> None:
    assert [normalize_kind(k) for k in ("10k", "10-Q", "SEP", "Minutes", "speeches", "memo")] == [
        "10-K",
        "10-Q",
        "projections",
        "minutes",
        "speech",
        "note",
    ]
    with pytest.raises(BadInputError, match="statement, minutes"):
        normalize_kind("tweet")
