"""Names and aliases to symbols: "Russell 2000" -> ^RUT, "tech" -> XLK, "Apple" -> AAPL.

Rules (in this order):

1. A curated alias (index, sector, well-known company) wins. When an alias names an index that
   ETFs also track ("S&P 500" -> ^GSPC; SPY, VOO, IVV), the **index is primary** and the ETFs are
   ``related(symbol)``: an index level is what people quote for "the S&P 500". "Small caps" is the
   Russell 2000 (^RUT, related IWM); the 11 GICS sectors resolve to their SPDR ETFs.
2. A known symbol typed in any case ("spy", "^gspc") is itself.
3. An upper-case ticker-shaped string ("AAPL", "BRK-B", "^VIX") is taken as a ticker.
4. Otherwise the provider's ``search``: an exact symbol match, a single hit, or a single hit whose
   name equals the query once corporate suffixes (Inc., Corp. ...) are dropped. Several hits are
   refused with ``AmbiguousSymbolError`` listing the candidates — never guessed.
5. A lower-case ticker-shaped string the search does not know is upper-cased and tried as a ticker.

``find_mentions(text)`` reads questions and tags document chunks. It only reports curated phrases
(company names must start with a capital letter; generic sector words need "sector"/"stocks"),
upper-case known tickers and $cashtags, so "A", "IT", "ON" or "ALL" in prose are never tickers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from copilot.errors import AmbiguousSymbolError, BadInputError, UnknownSymbolError
from copilot.lexicon import ENTRIES, STOPWORDS, WORDLIKE_TICKERS, Entry
from tools.providers.base import SymbolKind, SymbolMatch

_TICKER = re.compile(r"^\^?[A-Z0-9]{1,6}(?:[.\-=][A-Z0-9]{1,4})?$")
_SUFFIXES = re.compile(
    r"\b(?:incorporated|inc|corporation|corp|company|co|ltd|limited|plc|holdings?|group|sa|nv|ag|"
    r"class [a-c]|common stock|the)\b"
)
_DROP_WORDS = re.compile(r"\b(?:the|index|etf|sector|stocks?|shares?|fund|spdr)\b")


def normalise(name: str) -> str:
    """Lower-case, unify dashes and spaces, drop apostrophes, dots and filler words like 'index'."""
    text = name.lower().replace("’", "'").replace("'", "").replace("-", " ").replace(".", " ")
    text = _DROP_WORDS.sub(" ", text.replace(",", " "))
    return " ".join(text.split())


def phrase_key(text: str) -> str:
    """A phrase as the mention pattern matches it: lower case, dashes and runs of spaces as one space."""
    return " ".join(text.lower().replace("-", " ").split())


def _company_key(name: str) -> str:
    text = name.lower().replace("’", "'").replace("'", "").replace(".", " ").replace(",", " ")
    return " ".join(_SUFFIXES.sub(" ", text).split())


def as_match(entry: Entry) -> SymbolMatch:
    """A lexicon entry as the symbol match the market layer returns."""
    return SymbolMatch(
        symbol=entry.symbol,
        name=entry.display_name,
        kind=entry.kind,
        aliases=tuple(dict.fromkeys((*entry.phrases, *entry.names, *entry.aliases, *entry.foreign))),
    )


@dataclass(frozen=True)
class Mention:
    """A name or ticker found in text, with the symbol it stands for."""

    text: str
    start: int
    end: int
    symbol: str
    name: str
    related: tuple[str, ...] = ()


class SymbolResolver:
    """Resolves names to symbols (curated aliases, then the provider's search) and finds mentions."""

    def __init__(
        self,
        search: Callable[[str], list[SymbolMatch]] | None = None,
        names: Iterable[SymbolMatch] = (),
    ) -> None:
        self._search = search
        entries = list(ENTRIES)
        known = {entry.symbol for entry in entries}
        # names the caller knows (e.g. a snapshot's listings) extend the table, never override it
        entries += [
            Entry(m.symbol, m.name, m.kind, names=(m.name, *m.aliases))
            for m in names
            if m.symbol not in known
        ]
        self._by_symbol = {entry.symbol: entry for entry in entries}
        # exact phrases first ("SPDR S&P 500 ETF" is SPY), then looser normalised aliases
        self._by_phrase: dict[str, Entry] = {}
        for entry in entries:
            for phrase in (*entry.phrases, *entry.names):
                self._by_phrase.setdefault(phrase_key(phrase), entry)
        self._by_alias: dict[str, Entry] = {}
        for entry in entries:
            for alias in (*entry.aliases, *entry.names, *entry.phrases, *entry.foreign, *entry.titles):
                self._by_alias.setdefault(normalise(alias), entry)
            if entry.names:
                self._by_alias.setdefault(_company_key(entry.names[0]), entry)
        self._pattern, self._cased = _compile(entries, lenient=False)
        # names that are everyday words ("Meta", "Block", "Visa"): capitalised even in questions
        self._wordlike = frozenset(phrase_key(n) for e in entries if e.wordlike for n in e.names)
        # lenient reading (typed questions): tickers in any case; a second pattern, built once
        self._lenient, _ = _compile(entries, lenient=True)

    # -- resolution ---------------------------------------------------------------------------

    def resolve(self, name: str) -> SymbolMatch:
        """The one symbol a name or ticker stands for, or a typed error (ambiguous, unknown)."""
        query = name.strip().lstrip("$")
        if not query:
            raise BadInputError("a symbol or name is required")
        upper = query.upper()
        entry = (
            self._by_phrase.get(phrase_key(query))
            or self._by_alias.get(normalise(query))
            or self._by_symbol.get(upper)
            or self._by_symbol.get(upper.replace(".", "-"))  # BRK.B is Yahoo's BRK-B
        )
        if entry is not None:
            return as_match(entry)
        if _TICKER.match(query):
            return self._describe(query)
        hit = self._searched(query)
        if hit is not None:
            return hit
        if _TICKER.match(query.upper()):
            return self._describe(query.upper())
        raise UnknownSymbolError(query, "no alias, ticker or provider search result matches it")

    def related(self, symbol: str) -> tuple[str, ...]:
        """ETFs that track an index (or the index an ETF tracks), e.g. ^GSPC -> (SPY, VOO, IVV)."""
        entry = self._by_symbol.get(symbol)
        return entry.related if entry else ()

    def name_of(self, symbol: str) -> str | None:
        entry = self._by_symbol.get(symbol)
        return entry.display_name if entry else None

    def _describe(self, symbol: str) -> SymbolMatch:
        entry = self._by_symbol.get(symbol)
        return as_match(entry) if entry else SymbolMatch(symbol=symbol, name=symbol)

    def _searched(self, query: str) -> SymbolMatch | None:
        if self._search is None:
            return None
        hits = list({m.symbol: m for m in self._search(query)}.values())
        if not hits:
            return None
        exact = [m for m in hits if m.symbol.upper() == query.upper()]
        if exact:
            return exact[0]
        if len(hits) == 1:
            return hits[0]
        key = _company_key(query)
        named = [m for m in hits if _company_key(m.name) == key]
        if len(named) == 1:
            return named[0]
        raise AmbiguousSymbolError(query, [f"{m.symbol} ({m.name})" for m in hits[:8]])

    # -- mentions -----------------------------------------------------------------------------

    def find_mentions(self, text: str, lenient: bool = False) -> list[Mention]:
        """Every curated name, known upper-case ticker or $cashtag in ``text``, in order.

        ``lenient=True`` is for questions people type: company names in any case ("apple") and
        known tickers in lower case too ("nvda", "spy"), except short or word-like ones ("cost").
        """
        found: list[Mention] = []
        for match in (self._lenient if lenient else self._pattern).finditer(text):
            kind = match.lastgroup
            raw = match.group(kind or 0)
            start, end = match.span(kind or 0)
            if kind == "phrase":
                key = phrase_key(raw)
                entry = self._by_phrase.get(key)
                needs_capital = key in self._cased and (not lenient or key in self._wordlike)
                if entry is None or (needs_capital and raw[0].islower()):  # "3M" needs no capital
                    continue
            else:
                symbol = raw.lstrip("$").upper().replace(".", "-")
                entry = self._by_symbol.get(symbol)
                if kind == "ticker" and (entry is None or symbol in STOPWORDS or not _cased_enough(raw)):
                    continue
                if entry is None:  # a cashtag names an unknown ticker: still a mention
                    found.append(Mention(raw, start, end, symbol, symbol))
                    continue
            found.append(Mention(raw, start, end, entry.symbol, entry.display_name, entry.related))
        return found


def _cased_enough(raw: str) -> bool:
    """Upper case always; lower case only for 3+ letter tickers that are not everyday words."""
    if raw == raw.upper():
        return True
    return len(raw.lstrip("^")) >= 3 and raw.lower() not in WORDLIKE_TICKERS


def _compile(entries: list[Entry], lenient: bool) -> tuple[re.Pattern[str], frozenset[str]]:
    """One alternation of every phrase (longest first), then cashtags, then upper-case tickers."""
    phrases: dict[str, bool] = {}
    for entry in entries:
        for phrase in entry.phrases:
            phrases[phrase] = False
        for company in entry.names:
            phrases[company] = True
    alternation = _trie_pattern(phrases)
    pattern = (
        rf"(?<![A-Za-z0-9_$^])(?P<phrase>(?i:{alternation}))(?![A-Za-z0-9_])"
        r"|(?P<cash>\$\^?[A-Za-z]{1,6}(?:[.\-][A-Za-z]{1,2})?)\b"
        r"|(?<![A-Za-z0-9_$^.\-])(?P<ticker>TICKER)(?![A-Za-z0-9_\-])"
    )
    ticker = r"\^?[A-Z][A-Z0-9]{0,5}(?:[.\-][A-Z]{1,2})?"
    pattern = pattern.replace("TICKER", f"(?i:{ticker})" if lenient else ticker)
    # a key is "cased" only when no plain phrase shares it (a name spelled like a phrase)
    plain = {phrase_key(p) for p, is_name in phrases.items() if not is_name}
    cased = frozenset(phrase_key(p) for p, is_name in phrases.items() if is_name) - plain
    return re.compile(pattern), cased


def _trie_pattern(phrases: Iterable[str]) -> str:
    """A regex of the phrases as a character trie (one branch per letter): ~10x faster than a flat
    alternation; greedy optional tails prefer the longest phrase. Spaces and dashes are one separator."""
    root: dict[str, dict] = {}
    for phrase in phrases:
        node = root
        for char in phrase_key(phrase):
            node = node.setdefault(char, {})
        node[""] = {}

    def build(node: dict[str, dict]) -> str:
        branches = [
            (r"[\s\-]+" if char == " " else re.escape(char)) + build(child)
            for char, child in sorted(node.items())
            if char
        ]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(root)


def kind_of(symbol: str) -> SymbolKind:
    """'index' for ^-prefixed symbols, else what the curated table says, else 'other'."""
    if symbol.startswith("^"):
        return "index"
    entry = next((e for e in ENTRIES if e.symbol == symbol), None)
    return entry.kind if entry else "other"
