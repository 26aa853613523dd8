"""Who a question is about: resolver mentions, generic phrases, and names or tickers nobody knows."""

from __future__ import annotations

from collections.abc import Sequence

from copilot.errors import VerityError
from copilot.offline import vocabulary as vocab
from copilot.offline.reading import MAX_SYMBOLS, MentionFinder


def find_subjects(
    text: str, finder: MentionFinder | None, limit: int | None = MAX_SYMBOLS
) -> tuple[tuple[str, ...], list[tuple[int, int]]]:
    """The symbols the text names, in order (the first ``limit``), and the spans that name them."""
    if finder is None:
        return (), []
    found: list[tuple[int, int, str]] = [(m.start, m.end, m.symbol) for m in finder.find_mentions(text)]
    resolve = getattr(finder, "resolve", None)
    for match in vocab.GENERIC_NAMES.finditer(text):
        if resolve is None or any(s <= match.start() < e for s, e, _ in found):
            continue
        if match.lastgroup == "sector" and vocab.mentions_doc_source(text):
            continue  # "what did the Fed say about energy prices" is not about the sector ETF
        group = match.lastgroup or "broad"
        phrase = vocab.GENERIC_ALIASES.get(group) or " ".join(match.group(0).lower().split())
        try:
            found.append((match.start(), match.end(), str(resolve(phrase).symbol)))
        except VerityError:
            continue  # a resolver without that alias: the phrase stays unread
    symbols: list[str] = []
    for _, _, symbol in sorted(found):
        if symbol not in symbols:
            symbols.append(symbol)
    return tuple(symbols[:limit]), [(s, e) for s, e, _ in found]


def unknown_tickers(text: str, spans: list[tuple[int, int]], known: Sequence[str]) -> tuple[str, ...]:
    """Ticker-looking words no mention covers: asked about anyway, so the tool can say it is unknown."""
    found: list[str] = []
    for match in vocab.TICKER_TOKEN.finditer(text):
        token = match.group(1)
        covered = any(start <= match.start(1) < end for start, end in spans)
        explicit = match.group(0).startswith("$")
        if covered or token in known or token in found:
            continue
        if (len(token) >= 2 and token.upper() not in vocab.NOT_TICKERS) or explicit:
            found.append(token)
    return tuple(found)


def unknown_name(text: str, spans: list[tuple[int, int]]) -> str | None:
    """The first capitalised name no mention covers ("How has Carvana done?" -> "Carvana")."""
    for match in vocab.CAPITALISED_RUN.finditer(text):
        if any(start <= match.start() < end for start, end in spans):
            continue
        words = [w.strip(".'?!,") for w in match.group(0).split()]
        while words and words[0].lower().rstrip("'s") in vocab.NOT_NAMES:
            words.pop(0)
        while words and words[-1].lower().rstrip("'s") in vocab.NOT_NAMES:
            words.pop()
        name = " ".join(words).removesuffix("'s").strip()
        if len(name) >= 3 and not name.isupper():
            return name
    return None
