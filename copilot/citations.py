"""Numbered citations: the ``SourceLedger`` of one answer and the parsing of [n] markers.

Citation syntax the ledger understands (one *group* is one pair of brackets):

- ``[3]``            one source
- ``[2][3]``         two adjacent groups, each parsed on its own
- ``[2, 3]``         a list inside one group (``,`` or ``;``)
- ``[2-4]``          an inclusive range (``-`` or ``–``), expanded to 2, 3, 4; ranges wider than
                     ``MAX_RANGE`` are not treated as citations (``[1990-2020]`` is prose)

Markdown links (``[1](http://...)``) and footnotes (``[^1]``) are not citations. When cleaning,
a group that cites some unknown numbers keeps only the known ones (re-rendered as ``[2]`` or
``[2, 5]``); a group left empty is removed together with the whitespace before it (and with parentheses that
held only it: ``([9])``).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

from copilot.schemas import Source

MAX_RANGE = 20

_GROUP = re.compile(r"\[(\s*\d{1,4}(?:\s*[-–,;]\s*\d{1,4})*\s*)\](?!\()")
_PART = re.compile(r"(\d+)\s*[-–]\s*(\d+)|(\d+)")


@dataclass(frozen=True)
class CitationGroup:
    """One bracketed citation in a text: its span and the numbers it cites (in order)."""

    start: int
    end: int
    numbers: tuple[int, ...]


def parse_citations(text: str) -> list[CitationGroup]:
    """Every citation group in ``text``, in order of appearance."""
    groups: list[CitationGroup] = []
    for match in _GROUP.finditer(text):
        numbers = _numbers(match.group(1))
        if numbers:
            groups.append(CitationGroup(match.start(), match.end(), numbers))
    return groups


def cited_numbers(text: str) -> list[int]:
    """The distinct numbers cited in ``text``, in order of first appearance."""
    seen: dict[int, None] = {}
    for group in parse_citations(text):
        for n in group.numbers:
            seen.setdefault(n, None)
    return list(seen)


def _numbers(inner: str) -> tuple[int, ...]:
    out: list[int] = []
    for part in _PART.finditer(inner):
        if part.group(3) is not None:
            out.append(int(part.group(3)))
            continue
        low, high = int(part.group(1)), int(part.group(2))
        if high < low or high - low > MAX_RANGE:
            return ()  # a year span or a typo, not a citation
        out.extend(range(low, high + 1))
    return tuple(dict.fromkeys(out))


class SourceLedger:
    """Numbers the sources of one answer [1], [2], ...; the same source id keeps its number.

    Tools run in parallel threads, so ``add`` takes a lock.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_number: dict[int, Source] = {}
        self._by_id: dict[str, int] = {}

    @classmethod
    def from_items(cls, items: list[tuple[int, Source]]) -> SourceLedger:
        """A ledger holding sources under numbers given elsewhere (e.g. read back from an answer's events)."""
        ledger = cls()
        for number, source in items:
            ledger._by_number[number] = source
            ledger._by_id.setdefault(source.id, number)
        return ledger

    def add(self, source: Source) -> int:
        """The number of ``source``: its existing number, or the next free one."""
        with self._lock:
            number = self._by_id.get(source.id)
            if number is None:
                number = max(self._by_number, default=0) + 1
                self._by_id[source.id] = number
                self._by_number[number] = source
            return number

    def add_all(self, sources: list[Source]) -> dict[str, int]:
        """Number several sources; returns ``{source.id: n}`` (the ``ToolArtifact.labels`` shape)."""
        return {source.id: self.add(source) for source in sources}

    def get(self, n: int) -> Source | None:
        """The source numbered ``n``, or None."""
        return self._by_number.get(n)

    def number_of(self, source: Source) -> int | None:
        """The number already given to ``source``, or None."""
        return self._by_id.get(source.id)

    def items(self) -> list[tuple[int, Source]]:
        """All numbered sources in number order."""
        with self._lock:
            return sorted(self._by_number.items())

    def __len__(self) -> int:
        return len(self._by_number)

    def __contains__(self, n: object) -> bool:
        return n in self._by_number

    def sources_cited(self, answer: str) -> list[tuple[int, Source]]:
        """The known sources the answer actually cites, in number order."""
        numbers = sorted(n for n in set(cited_numbers(answer)) if n in self._by_number)
        return [(n, self._by_number[n]) for n in numbers]

    def clean_citations(self, answer: str) -> tuple[str, list[int]]:
        """Remove citations to unknown numbers; returns the clean answer and the removed numbers."""
        removed: set[int] = set()
        pieces: list[str] = []
        cursor = 0
        for group in parse_citations(answer):
            known = [n for n in group.numbers if n in self._by_number]
            unknown = [n for n in group.numbers if n not in self._by_number]
            if not unknown:
                continue
            removed.update(unknown)
            start, end = group.start, group.end
            if not known and answer[start - 1 : start] == "(" and answer[end : end + 1] == ")":
                start, end = start - 1, end + 1  # "([9])" leaves no empty parentheses behind
            head = answer[cursor:start]
            if known:
                pieces.append(head + "[" + ", ".join(str(n) for n in known) + "]")
            else:
                pieces.append(head.rstrip(" \t") if _ends_text(answer, end) else head)
            cursor = end
        pieces.append(answer[cursor:])
        return "".join(pieces), sorted(removed)


def passage_key(source: Source) -> str:
    """What makes two sources the same citation: the same passage of the same document, however
    it was found (two searches find one passage under different arguments), else the source id."""
    if source.kind == "document" and source.document_id:
        return "|".join(
            str(x) for x in ("doc", source.document_id, source.page, source.section, source.snippet)
        )
    return source.id


def first_appearance(answer: str, ledger: SourceLedger) -> dict[int, int]:
    """Old number -> new number, numbered by first appearance in the answer ([1], [2] ... no gaps);
    citations of one passage under two numbers share the first one's new number."""
    mapping: dict[int, int] = {}
    by_key: dict[str, int] = {}
    for n in cited_numbers(answer):
        source = ledger.get(n)
        if source is None or n in mapping:
            continue
        key = passage_key(source)
        mapping[n] = by_key.setdefault(key, len(by_key) + 1)
    return mapping


def renumber(text: str, mapping: dict[int, int]) -> str:
    """``text`` with every citation group rewritten through ``mapping`` (unmapped numbers kept)."""
    pieces: list[str] = []
    cursor = 0
    for group in parse_citations(text):
        numbers = list(dict.fromkeys(mapping.get(n, n) for n in group.numbers))
        pieces.append(text[cursor : group.start] + "".join(f"[{n}]" for n in numbers))
        cursor = group.end
    pieces.append(text[cursor:])
    return "".join(pieces)


def _ends_text(text: str, end: int) -> bool:
    """True when what follows a removed group is punctuation, another group or the end of a line."""
    rest = text[end : end + 1]
    return rest == "" or rest in ".,;:!?)\n[" or rest.isspace()


def numbers_in_order(texts: list[str]) -> list[int]:
    """The distinct numbers cited across ``texts`` (read in order), in order of first appearance."""
    seen: dict[int, None] = {}
    for text in texts:
        for n in cited_numbers(text):
            seen.setdefault(n, None)
    return list(seen)
