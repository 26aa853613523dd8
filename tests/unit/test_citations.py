from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from copilot.citations import SourceLedger, cited_numbers, parse_citations
from copilot.schemas import Fact, Source


def _source(title: str, value: float = 1.0) -> Source:
    fact = Fact(key="last_price", label=title, value=value, unit="USD", symbol=title)
    return Source(kind="market_data", title=title, provider="snapshot", tool="get_quote", facts=[fact])


def _ledger(count: int) -> tuple[SourceLedger, list[Source]]:
    ledger = SourceLedger()
    sources = [_source(f"S{i}", float(i)) for i in range(1, count + 1)]
    for source in sources:
        ledger.add(source)
    return ledger, sources


def test_numbers_start_at_one_and_the_same_source_keeps_its_number() -> None:
    ledger = SourceLedger()
    a, b = _source("IWM"), _source("SPY")
    assert ledger.add(a) == 1
    assert ledger.add(b) == 2
    # an equal source built again (same content hash) is the same source
    assert ledger.add(_source("IWM")) == 1
    assert ledger.get(1) is a and ledger.get(2) is b and ledger.get(3) is None
    assert [n for n, _ in ledger.items()] == [1, 2]
    assert ledger.add_all([b, _source("QQQ")]) == {b.id: 2, _source("QQQ").id: 3}
    assert len(ledger) == 3 and 3 in ledger and 4 not in ledger


def test_parallel_adds_give_each_source_one_number() -> None:
    ledger = SourceLedger()
    sources = [_source(f"T{i}") for i in range(50)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        numbers = list(pool.map(ledger.add, sources * 4))
    assert sorted(set(numbers)) == list(range(1, 51))
    assert numbers[:50] == numbers[50:100] == numbers[150:]


def test_parse_citation_syntaxes() -> None:
    text = "a [3] b [2][4] c [2, 5] d [6-8] e [1990-2020] f [1](http://x) g [^1] h [0]"
    groups = parse_citations(text)
    assert [g.numbers for g in groups] == [(3,), (2,), (4,), (2, 5), (6, 7, 8), (0,)]
    assert text[groups[0].start : groups[0].end] == "[3]"
    assert cited_numbers(text) == [3, 2, 4, 5, 6, 7, 8, 0]


def test_clean_citations_removes_unknown_numbers_and_reports_them() -> None:
    ledger, _ = _ledger(3)
    answer = "IWM is at $261.56 [1][9]. SPY is up [2, 7]. QQQ [8]. Range [2-4] and [0] here ([5]) [3]."
    clean, removed = ledger.clean_citations(answer)
    assert clean == "IWM is at $261.56 [1]. SPY is up [2]. QQQ. Range [2, 3] and here [3]."
    assert removed == [0, 4, 5, 7, 8, 9]
    untouched = "All known [1][2], [1, 3] and [1-3]."
    assert ledger.clean_citations(untouched) == (untouched, [])


def test_sources_cited_are_the_known_sources_the_answer_cites() -> None:
    ledger, sources = _ledger(4)
    cited = ledger.sources_cited("Up 5% [3] and [1][3], see also [9].")
    assert cited == [(1, sources[0]), (3, sources[2])]
    assert ledger.sources_cited("no citations") == []


def test_numbers_follow_first_appearance_without_gaps() -> None:
    from copilot.citations import first_appearance, renumber

    ledger = SourceLedger()
    for title in ("a", "b", "c", "d"):
        ledger.add(_source(title))
    answer = "Second [3] then first [1], again [3] and last [4]."
    mapping = first_appearance(answer, ledger)
    assert mapping == {3: 1, 1: 2, 4: 3}
    assert renumber(answer, mapping) == "Second [1] then first [2], again [1] and last [3]."


def test_one_passage_found_twice_keeps_one_number() -> None:
    from copilot.citations import first_appearance, renumber

    ledger = SourceLedger()
    first = Source(
        kind="document", title="FOMC", provider="Fed", document_id="d1", snippet="x", arguments={"query": "a"}
    )
    again = Source(
        kind="document", title="FOMC", provider="Fed", document_id="d1", snippet="x", arguments={"query": "b"}
    )
    assert first.id != again.id
    ledger.add(first)
    ledger.add(again)
    mapping = first_appearance("It says [2], and again [1].", ledger)
    assert mapping == {2: 1, 1: 1}
    assert renumber("It says [2], and again [1].", mapping) == "It says [1], and again [1]."
