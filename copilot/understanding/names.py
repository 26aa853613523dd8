"""Who a question is about: names and tickers as people type them.

On top of ``SymbolResolver.find_mentions(text, lenient=True)`` (the lexicon's names and aliases in
any case, known tickers in any case where unambiguous), this reads:
- names in other languages the lexicon knows ("苹果", "特斯拉"), which have no word boundaries;
- generic phrases people use for an index or sector ("large caps", "tech", "semis");
- misspellings of lexicon names ("Microsfot", "Amazn"), with the correction stated in the answer:
  a word that is not an English or Spanish word and lies one edit (two for long words) from a name;
- tickers and capitalised names nobody knows, passed on so the tool can say so or find them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from typing import Any, Protocol

from copilot.lexicon import ENTRIES, SECTORS, STOPWORDS, WORDLIKE_TICKERS, Entry
from copilot.understanding.measures import measures_in


class Resolver(Protocol):
    """What question understanding needs of ``tools.symbols.SymbolResolver``."""

    def find_mentions(self, text: str, lenient: bool = False) -> Sequence[Any]: ...
    def resolve(self, name: str) -> Any: ...
    def name_of(self, symbol: str) -> str | None: ...


@dataclass(frozen=True)
class NameMention:
    """A security named in a question."""

    text: str
    start: int
    end: int
    symbol: str
    name: str
    corrected_from: str | None = None  # the misspelt word read as this name
    known: bool = True  # False: a ticker or name the lexicon lacks (the tool resolves or refuses it)


# Generic words for an index or sector: read as such unless the question is about documents
# ("what did the Fed say about energy prices" is not about the energy sector fund).
_GENERIC = re.compile(
    r"(?<![\w-])(?P<large>(?:large|big|mega)[\s-]?caps?(?:\s+stocks)?)|(?P<broad>the\s+broad\s+market)"
    r"|(?P<semis>semiconductors?(?:\s+stocks)?|semis|chip\s?(?:stocks|makers))"
    r"|(?P<biotech>biotech(?:nology)?(?:\s+stocks)?)"
    r"|(?P<gold>gold(?:\s+prices?)?(?![\w-]))"
    r"|(?P<emerging>emerging[\s-]markets?(?:\s+stocks)?)"
    r"|(?P<sector>tech|technology|energy|financials|utilities|health\s?care|industrials|materials"
    r"|real\s+estate|consumer\s+staples|consumer\s+discretionary|communication\s+services)(?![\w-])",
    re.IGNORECASE,
)
_GENERIC_ALIASES = {
    "large": "large caps",
    "broad": "S&P 500",
    "semis": "semiconductors",
    "biotech": "biotech",
    "gold": "gold",
    "emerging": "emerging markets",
}
_DOCUMENT_CONTEXT = re.compile(
    r"\b(?:fed|fomc|federal reserve|powell|minutes|speech|filing|10-k|10-q|central bank|statement)\b", re.I
)
_TICKER_TOKEN = re.compile(r"(?<![\w^$.-])\$?(\^?[A-Z][A-Z0-9]{0,4}(?:[.-][A-Z]{1,2})?)(?![\w])")
_CAPITALISED_RUN = re.compile(r"\b[A-Z][a-zA-Z&.\-']+(?:\s+[A-Z][a-zA-Z&.\-']+){0,3}")
_WORD = re.compile(r"[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ'.&-]+")
# Vocabulary that looks like a ticker or a name in questions but is neither.
_NOT_TICKERS_WORDS = (
    "A I AI AM AN AND ARE AS AT ATR BE BY CEO CFO CPI DO EMA EPS ETF ETFS EV EBITDA FED FOMC FOR GDP "
    "HOW IF IN IPO IS IT ME MACD MY NO OF OK ON OR P PB PE PEG PS Q1 Q2 Q3 Q4 RSI SEC SMA SO THE TO "
    "UK UP US USA USD VS WE WHAT YTD YOY QOQ ALL TTM EOD NYSE NASDAQ AMEX OTC MTD QTD FY CAPE SEP IV "
    "LOL THX PLS HI OK USD EUR GBP JPY ES EL LA DE DEL QUE COMO CUAL "
)
_NOT_TICKERS = frozenset(_NOT_TICKERS_WORDS.split()) | STOPWORDS
_NOT_NAMES_WORDS = (
    "what whats how hows is are was were did does do which where when why who should could can would "
    "will tell show give compare and or but the a an i me my in on of for over since this that these "
    "those its it fed fomc federal reserve powell rsi macd ytd p/e pe eps etf etfs s&p nasdaq dow "
    "russell year month week today please also vs versus about any hello hi thanks cuál cuanto cuánto "
    "qué cómo el la los las de del en y según "
)
_NOT_NAMES = frozenset(_NOT_NAMES_WORDS.split())
# Words of the question vocabulary that sit within an edit of a name ("Meta" ~ "beta").
_VOCABULARY_WORDS = (
    "price prices close closed closing return returns volume sector sectors level levels beta delta "
    "shares share chart charts stock stocks market markets index indices trend yield yields ratio "
    "ratios rally rallied valuation revenue earnings income margin margins target targets rating "
)
_VOCABULARY = frozenset(_VOCABULARY_WORDS.split())


@cache
def _fuzzy_table() -> dict[str, Entry]:
    """Lower-case names of one or two words (5+ letters) of every entry, for misspelling checks."""
    table: dict[str, Entry] = {}
    for entry in ENTRIES:
        for name in (*entry.names, entry.display_name):
            words = name.lower().replace(".", "").replace(",", "").split()
            if len(words) <= 2 and len("".join(words)) >= 5 and all(w.isalpha() for w in words):
                table.setdefault(" ".join(words), entry)
    return table


_COMMON = 1000  # occurrences in the dictionary's corpus: "boring" 33,229, "appel" 50, "eli" 545


@cache
def _spelling() -> Any:
    """An English dictionary: a real word is never read as a misspelt company."""
    from spellchecker import SpellChecker

    return SpellChecker(language="en", distance=1)


@cache
def _foreign_names() -> tuple[tuple[str, Entry], ...]:
    pairs = [(name, entry) for entry in ENTRIES for name in entry.foreign]
    return tuple(sorted(pairs, key=lambda pair: len(pair[0]), reverse=True))


def warm() -> None:
    """Load the tables name reading builds on first use (a spelling dictionary, fuzzy names: about
    0.2 s), so a server's first question or report does not pay for them."""
    _fuzzy_table()
    _spelling()
    _foreign_names()
    _wordlike_names()
    _wordlike_by_name()


def normalise_question(text: str) -> str:
    """Glued comparisons pulled apart ("S&P500vsNasdaq", "spx/ndx") so both names are read."""
    text = re.sub(r"(?i)(?<=[a-z0-9&])(vs\.?|versus)(?=[a-z0-9&^$])", r" \1 ", text)
    return re.sub(r"(?<=[A-Za-z0-9])/(?=[A-Za-z^$])", " / ", text)


def find_names(text: str, resolver: Resolver | None) -> list[NameMention]:
    """Every mention of a security in the question, in order of appearance (repeats included)."""
    found: list[NameMention] = []
    if resolver is not None:
        for mention in resolver.find_mentions(text, lenient=True):
            found.append(
                NameMention(mention.text, mention.start, mention.end, mention.symbol, mention.name or "")
            )
    _add_foreign(text, found)
    if resolver is not None:
        _add_generic(text, resolver, found)
        _add_misspelt(text, found)
    if resolver is not None and not found:
        _add_wordlike_ticker(text, found)
    _add_listed_wordlike(text, found)
    if resolver is not None:
        _add_market_compared(text, resolver, found)
    _add_compared_unknown(text, found)
    _add_unknown_tickers(text, found)
    return sorted(found, key=lambda m: m.start)  # every mention: a name said twice is masked twice


def unknown_name(text: str, mentions: Sequence[NameMention]) -> str | None:
    """The first capitalised name no mention covers ("How has Carvana done?" -> "Carvana")."""
    for match in _CAPITALISED_RUN.finditer(text):
        if _covered(match.start(), mentions):
            continue
        words = [w.strip(".'?!,") for w in match.group(0).split()]
        while words and words[0].lower().removesuffix("'s") in _NOT_NAMES:
            words.pop(0)
        while words and words[-1].lower().removesuffix("'s") in _NOT_NAMES:
            words.pop()
        name = " ".join(words).removesuffix("'s").strip()
        if (
            len(name) >= 3
            and not name.isupper()
            and name.lower() not in _VOCABULARY
            and not measures_in(name)
        ):
            return name
    return None


def unknown_ticker_word(text: str, mentions: Sequence[NameMention]) -> str | None:
    """In a terse question naming nothing known, the words that are no English words: one short
    word is a ticker ("ibm price" -> "IBM"), a run of them a name ("goldman sachs" -> "Goldman
    Sachs"); passed on so the tool finds it or says it has none."""
    words = list(_WORD.finditer(text))
    if len(words) > 6:
        return None
    speller = _spelling()
    rare = []
    for match in words:
        word = match.group(0).strip(".'&-")
        lowered = word.lower()
        if (
            _covered(match.start(), mentions)
            or word.upper() in _NOT_TICKERS
            or lowered in _NOT_NAMES
            or lowered in _VOCABULARY
            or measures_in(lowered)
            or speller.word_frequency[lowered] >= _COMMON
        ):
            continue
        rare.append(match)
    if not rare or len(rare) > 3 or not all(text[a.end() : b.start()].isspace() for a, b in pairwise(rare)):
        return None
    first = rare[0].group(0).strip(".'&-")
    if len(rare) == 1 and 2 <= len(first) <= 5 and first.isalpha() and first.islower():
        return first.upper()
    # "goldman sachs price", "palantir price": a name, for the tool to find or say it has none
    return " ".join(m.group(0).strip(".'&-").removesuffix("'s").capitalize() for m in rare)


def _covered(position: int, mentions: Sequence[NameMention]) -> bool:
    return any(m.start <= position < m.end for m in mentions)


def _add_foreign(text: str, found: list[NameMention]) -> None:
    lowered = text.lower()
    for name, entry in _foreign_names():
        at = lowered.find(name.lower())
        while at >= 0:
            if not _covered(at, found):
                found.append(
                    NameMention(
                        text[at : at + len(name)], at, at + len(name), entry.symbol, entry.display_name
                    )
                )
            at = lowered.find(name.lower(), at + len(name))


def _add_generic(text: str, resolver: Resolver, found: list[NameMention]) -> None:
    documents = bool(_DOCUMENT_CONTEXT.search(text))
    for match in _GENERIC.finditer(text):
        if _covered(match.start(), found):
            continue
        group = match.lastgroup or "broad"
        if group in ("sector", "gold", "emerging") and documents:
            continue
        phrase = _GENERIC_ALIASES.get(group) or " ".join(match.group(0).lower().split())
        try:
            symbol = resolver.resolve(phrase)
        except Exception:
            continue
        name = getattr(symbol, "name", "") or ""
        found.append(NameMention(match.group(0), match.start(), match.end(), symbol.symbol, name))


def _add_misspelt(text: str, found: list[NameMention]) -> None:
    from rapidfuzz.distance import DamerauLevenshtein
    from rapidfuzz.process import extractOne

    table = _fuzzy_table()
    words = [m for m in _WORD.finditer(text) if not _covered(m.start(), found)]
    candidates = [m for m in words if len(m.group(0).strip(".'&-")) >= 5]
    if not candidates:
        return
    speller = _spelling()
    pairs = [(a, b) for a, b in pairwise(words) if text[a.end() : b.start()].isspace()]
    spans = [(m.start(), m.end()) for m in candidates] + [(a.start(), b.end()) for a, b in pairs]
    for start, end in sorted(spans, key=lambda span: span[0] - span[1]):  # two-word names first
        if _covered(start, found) or _covered(end - 1, found):
            continue
        raw = text[start:end]
        typed = " ".join(raw.strip(".'&-").lower().removesuffix("'s").split())
        if typed in table or typed in _VOCABULARY or typed in _NOT_NAMES:
            continue
        if all(speller.word_frequency[w] >= _COMMON for w in typed.split()):
            continue  # common words ("boring", "apply") are never misspelt names; rare ones ("appel") may be
        limit = 1 if len(typed) < 8 else 2
        best = extractOne(typed, table.keys(), scorer=DamerauLevenshtein.distance, score_cutoff=limit)
        if best is None:
            continue
        entry = table[best[0]]
        if entry in SECTORS or (" " in best[0]) != (" " in typed):
            continue
        found.append(NameMention(raw, start, end, entry.symbol, entry.display_name, raw))


_WORDLIKE = re.compile(r"(?<![\w$^])(" + "|".join(sorted(WORDLIKE_TICKERS)) + r")(?![\w])", re.IGNORECASE)


def _add_wordlike_ticker(text: str, found: list[NameMention]) -> None:
    """A terse question naming nothing else: "hood since 2024-12-31" is about HOOD, not a hood."""
    words = text.split()
    match = _WORDLIKE.search(text)
    if match is None or len(words) > 8 or match.start() > len(words[0]) + 1:
        return  # only as the first or second word of a short question
    entry = next((e for e in ENTRIES if e.symbol.lower() == match.group(1).lower()), None)
    if entry is not None:
        found.append(
            NameMention(match.group(1), match.start(), match.end(), entry.symbol, entry.display_name)
        )


@cache
def _wordlike_names() -> re.Pattern[str]:
    alternation = "|".join(sorted(_wordlike_by_name(), key=len, reverse=True))
    return re.compile(r"(?:(?<=, )|(?<=and ))(" + alternation + r")\b", re.IGNORECASE)


@cache
def _wordlike_by_name() -> dict[str, Entry]:
    return {n.lower(): e for e in ENTRIES if e.wordlike for n in e.names if " " not in n and n.isalpha()}


def _add_listed_wordlike(text: str, found: list[NameMention]) -> None:
    """ "apple, microsoft, meta and tesla": in a list of companies, a word like "meta" is one too."""
    if not found:
        return
    by_name = _wordlike_by_name()
    for match in _wordlike_names().finditer(text):
        if _covered(match.start(), found) or not any(0 <= match.start() - m.end <= 5 for m in found):
            continue  # only right after another name of the list (", " or " and ")
        entry = by_name[match.group(1).lower()]
        found.append(
            NameMention(match.group(1), match.start(), match.end(), entry.symbol, entry.display_name)
        )
        found.sort(key=lambda m: m.start)


_COMPARED = re.compile(
    r"(?P<before>[A-Za-z][\w.&'-]*)\s*,?\s+(?:or|vs\.?|versus|against|compared\s+(?:to|with))\s+"
    r"(?:the\s+)?(?P<after>[A-Za-z][\w.&'-]*)",
    re.IGNORECASE,
)


def _add_compared_unknown(text: str, found: list[NameMention]) -> None:
    """ "which did better, tesla or ford": the other side of a comparison with a known name is a name
    too, though the lexicon lacks it (the tool finds it or says it has no data)."""
    if not found:
        return
    for match in _COMPARED.finditer(text):
        for side, other in (("after", "before"), ("before", "after")):
            start = match.start(side)
            if _covered(start, found) or not _covered(match.start(other), found):
                continue
            word = match.group(side).strip(".'&-").removesuffix("'s")
            lowered = word.lower()
            entry = _wordlike_by_name().get(lowered)
            if entry is not None:  # "costco vs target": the other side is the company
                found.append(NameMention(word, start, start + len(word), entry.symbol, entry.display_name))
                found.sort(key=lambda m: m.start)
                continue
            if (
                len(word) < 2
                or lowered in _NOT_NAMES
                or lowered in _VOCABULARY
                or lowered in STOPWORDS
                or word.upper() in _NOT_TICKERS
                or measures_in(lowered)
                or _TIME_WORD.fullmatch(lowered)
            ):
                continue
            ticker = word.isupper() or (word.islower() and len(word) <= 5 and not _known_word(word))
            name = word.upper() if ticker else word.capitalize()
            found.append(NameMention(word, start, start + len(word), name, name, known=False))
            found.sort(key=lambda m: m.start)


_TIME_WORD = re.compile(
    r"last|next|this|ytd|mtd|qtd|today|yesterday|year|years|month|months|week|weeks|quarter|day|days|"
    r"\d.*|jan\w*|feb\w*|mar\w*|apr\w*|may|jun\w*|jul\w*|aug\w*|sep\w*|oct\w*|nov\w*|dec\w*"
)


def _known_word(word: str) -> bool:
    """Any dictionary word ("ford"): a name, not a ticker; "pltr" is no word at all."""
    return bool(_spelling().word_frequency[word.lower()] > 0)


_AGAINST_MARKET = re.compile(
    r"\b(?:vs\.?|versus|against|compared\s+(?:to|with)|than|relative\s+to|beat)\s+"
    r"(?P<m>(?:the\s+)?(?:overall\s+|broad\s+|broader\s+|stock\s+|us\s+)?market)\b",
    re.IGNORECASE,
)


def _add_market_compared(text: str, resolver: Resolver, found: list[NameMention]) -> None:
    """ "apple vs the market": the market a name is measured against is the S&P 500."""
    if not found:
        return
    for match in _AGAINST_MARKET.finditer(text):
        start, end = match.span("m")
        if _covered(start, found):
            continue
        name = resolver.name_of("^GSPC") or "S&P 500"
        found.append(NameMention(match.group("m"), start, end, "^GSPC", name))
        found.sort(key=lambda m: m.start)


def _add_unknown_tickers(text: str, found: list[NameMention]) -> None:
    known = {m.symbol for m in found}
    for match in _TICKER_TOKEN.finditer(text):
        token = match.group(1)
        if _covered(match.start(1), found) or token in known:
            continue
        explicit = match.group(0).startswith("$")
        if (len(token) >= 2 and token.upper() not in _NOT_TICKERS) or explicit:
            found.append(NameMention(token, match.start(1), match.end(1), token, token, known=False))
            known.add(token)
