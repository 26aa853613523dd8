"""Find every figure in a text: prices, percentages, multiples, amounts, index levels.

What counts as a figure (``extract_figures``):

- a number with a unit or currency: ``$261.56``, ``USD 1,234.5``, ``5.73%``, ``+1.46%``,
  ``0.25 percentage points``, ``25 bps``, ``19.24x``, ``2.5 times``, ``3.1B``, ``24.97 million shares``,
  ``2,624.22 points``; written multiples ``four-fold``/``5-fold``;
- a number with decimals (``72.35``) or thousands separators (``2,500``) or of 5+ digits;
- both ends of a range with a unit (``3.50–3.75%`` -> 3.50% and 3.75%; ``5–7%`` -> 5% and 7%).

What does not: bare integers (``30 stocks``, ``RSI above 70``, list numbers ``1.``, index names like
``S&P 500``/``Russell 2000``, years ``2025``/``since 1927``), dates (``2026-01-09``, ``January 9, 2026``,
``Q1 2026``, ``FY2018``), periods (``14-day``, ``50-day``, ``12-month``, ``15 years``, ``RSI(14)``),
codes glued to letters (``10-K``, ``1st``, ``H100``), numbers inside citations ``[n]`` and URLs.

Each figure gets the citations that apply to it (``citations``): the nearest citation group that
*follows* it in the same sentence (adjacent groups like ``[2][3]`` count as one); when none follows,
every group of the sentence (``According to [3], ... 2.85%``). A line break ends a sentence. A
Markdown table row without its own [n] takes every [n] of its table and of the first non-blank
line after it (``Sources: [1][2]``). Any other figure in a sentence without citations cites nothing.

The tolerance comes from the displayed precision: half a unit of the last shown digit (``5.73%``
-> 0.005, ``$3.1B`` -> 0.05e9), a whole unit after a hedge word (``approximately``, ``about``,
``roughly``, ``nearly``, ``almost``, ``~``), and 0.5 for written multiples (``four-fold`` is a ratio that
rounds to 4). ``sign`` is the explicit sign; ``direction`` is the sign a word implies (``fell 2.02%``,
``an 18% discount`` -> -1; ``rose``, ``gained``, ``premium`` -> +1).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from copilot.citations import CitationGroup, parse_citations

FigureUnit = str  # "USD", "%", "pp", "bps", "x", "shares", "points" or "" for a plain number

_SCALES = {
    "k": 1e3, "K": 1e3, "thousand": 1e3,
    "M": 1e6, "mn": 1e6, "million": 1e6,
    "B": 1e9, "bn": 1e9, "billion": 1e9,
    "T": 1e12, "tn": 1e12, "trillion": 1e12,
}  # fmt: skip
_WORD_NUMBERS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
}  # fmt: skip

_TOKEN = re.compile(
    r"""
    (?<![\w.,/:$€£%])
    (?<![A-Za-z]-)
    (?P<sign>[+\-−](?=(?:\$|US\$|USD\s?|€|£)?\d))?
    (?P<cur>\$\s?|US\$|USD\s?|€|£|EUR\s|GBP\s)?
    (?P<num>\d{1,2}-\d/\d{1,2}(?=\s?(?:%|percent|per\s?cent|percentage|to\s|and\s))
      |\d/\d{1,2}(?=\s?(?:%|percent|per\s?cent|percentage))
      |\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)
    (?![\d.,]\d)
    (?P<suffix>
        \s?(?:%|percent\b|per\s?cent\b)
      | \s?(?:percentage\s+points?|pp|ppts?)\b
      | \s?(?:bps|bp|basis\s+points?)\b
      | -(?:percentage-points?|basis-points?|points?)\b
      | [x×X](?![A-Za-z\d])
      | \s(?:times)\b
      | -?fold\b
    )?
    (?P<scale>[KMBTk](?![A-Za-z\d])|\s?(?:mn|bn|tn)\b|\s(?:thousand|million|billion|trillion)\b)?
    (?P<tail>\s(?:shares|points|pts|USD|dollars|analysts)\b)?
    """,
    re.VERBOSE,
)
_FOLD_WORD = re.compile(r"\b(" + "|".join(_WORD_NUMBERS) + r")[-\s]?fold\b", re.IGNORECASE)
# Spans blanked before scanning. Each pattern starts with a plain character class so the regex
# engine can skip ahead quickly (a leading \b or lookbehind makes it try every position). Dates with
# month names or slashes, and list numbers (``1.``), need no mask: they are bare integers, which are
# never figures.
_MASKS = [
    re.compile(r"https?://\S+"),
    re.compile(r"\d(?<![\w.]\d)\d{3}[-./]\d{1,2}[-./]\d{1,2}(?:[T ]\d{1,2}:\d{2}(?::\d{2})?)?(?!\d)"),
    # indicator parameters: RSI(14), MACD(12, 26, 9), SMA (50)
    re.compile(
        r"\((?:(?<=[A-Za-z]\()|(?<=\b(?:RSI|SMA|EMA|WMA|ATR|ADX|CCI|MFI|ROC|DMA)\s\())\d+(?:\s*,\s*\d+)*\)"
    ),
]
_PERIOD_AFTER = re.compile(
    r"\s?-?\s?(?:trading\s+)?(?:day|days|week|weeks|month|months|year|years|yr|yrs|quarter|quarters|"
    r"session|sessions|hour|hours|minute|minutes|period|periods|DMA|SMA|EMA)\b",
    re.IGNORECASE,
)
_RANGE_JOIN = re.compile(r"\s?(?:–|—|-|to)\s?")
_HEDGES = {"approximately", "approx", "approx.", "about", "around", "roughly", "nearly", "almost", "some"}
_NEGATIVE = {
    "fell", "fall", "falls", "falling", "dropped", "drop", "drops", "declined", "decline", "declines",
    "declining", "down", "lost", "loses", "losing", "loss", "slid", "slipped", "sank", "tumbled",
    "retreated", "shed", "decreased", "decrease", "discount", "lower",
}  # fmt: skip
_POSITIVE = {
    "rose", "rise", "rises", "rising", "gained", "gain", "gains", "gaining", "up", "advanced", "advance",
    "advancing", "increased", "increase", "climbed", "climbing", "jumped", "added", "premium", "higher",
    "upside", "rallied",
}  # fmt: skip
_AFTER_NEGATIVE = {"discount", "decline", "drop", "loss", "decrease", "lower", "downside"}
_AFTER_POSITIVE = {"premium", "gain", "rise", "increase", "higher", "upside"}
_RELATIVE = {"below": -1, "under": -1, "above": 1, "over": 1}  # only right after a percentage
_WORD = re.compile(r"[A-Za-z]+")


@dataclass(frozen=True)
class Figure:
    """One figure found in a text, with its value in display units (``24.97 million`` -> 24970000)."""

    text: str
    start: int
    end: int
    value: float
    unit: FigureUnit
    decimals: int
    tolerance: float
    sentence: str
    citations: tuple[int, ...]
    sign: int | None = None  # explicit + / -
    direction: int | None = None  # implied by a word: "fell" -1, "gained" +1
    approximate: bool = False


@dataclass(frozen=True)
class _Raw:
    start: int
    end: int
    value: float
    unit: FigureUnit
    decimals: int
    scale: float
    sign: int | None
    integer_only: bool
    fold_word: bool = False


def extract_figures(text: str) -> list[Figure]:
    """Every figure in ``text`` in order, with its sentence and the citations that apply."""
    masked = _mask(text)
    raws = _inherit_range_units(masked, [_raw(m) for m in _TOKEN.finditer(masked)])
    if "fold" in masked.lower():
        raws += [_fold_raw(m) for m in _FOLD_WORD.finditer(masked)]
    raws = sorted((r for r in raws if _is_figure(masked, r)), key=lambda r: r.start)
    sentences = split_sentences(text)
    groups = parse_citations(text)
    by_sentence: dict[int, list[CitationGroup]] = {}
    g_index = 0
    for i, (_, s_end) in enumerate(sentences):
        while g_index < len(groups) and groups[g_index].start < s_end:
            by_sentence.setdefault(i, []).append(groups[g_index])
            g_index += 1
    figures: list[Figure] = []
    s_index = 0
    previous_end = 0
    tables: dict[int, tuple[int, ...]] = {}
    for raw in raws:
        while sentences[s_index][1] <= raw.start:
            s_index += 1
        s_start, s_end = sentences[s_index]
        approximate = _is_hedged(text[max(s_start, raw.start - 40) : raw.start])
        step = 1.0 if approximate else 0.5
        tolerance = 0.5 if raw.fold_word else step * 10.0 ** (-raw.decimals) * raw.scale
        figures.append(
            Figure(
                text=text[raw.start : raw.end].strip(),
                start=raw.start,
                end=raw.end,
                value=raw.value,
                unit=raw.unit,
                decimals=raw.decimals,
                tolerance=tolerance + 1e-9 * max(1.0, abs(raw.value)),
                sentence=text[s_start:s_end].strip(),
                citations=_citations_for(by_sentence.get(s_index, []), text, raw.end)
                or _table_citations(text, groups, raw.start, tables),
                sign=raw.sign,
                direction=_direction(text, raw, max(s_start, previous_end), s_end),
                approximate=approximate,
            )
        )
        previous_end = raw.end
    return figures


def _is_hedged(before: str) -> bool:
    """``approximately 18x``, ``~22x``, ``close to 30%``: the word right before the figure hedges it."""
    before = before.rstrip()
    if before.endswith(("~", "≈", "close to", "Close to")):
        return True
    words = before.rsplit(None, 1)
    return bool(words) and words[-1].lower() in _HEDGES


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans covering the text; a line break always ends one; trailing [n] stay with theirs."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _TERMINATOR.finditer(text):
        end = match.end()
        if match.group() != "\n":
            if _is_abbreviation(text, match.start()):
                continue
            trailing = _TRAILING_CITATIONS.match(text, end)
            if trailing:
                end = trailing.end()
            nxt = text[end : end + 3]
            if nxt and not (nxt[0] == "\n" or (nxt[0].isspace() and _starts_sentence(nxt[1:]))):
                continue
        spans.append((start, end))
        start = end
    spans.append((start, len(text) + 1))
    return spans


def _starts_sentence(s: str) -> bool:
    s = s.lstrip(" \t")
    return not s or s[0].isupper() or s[0].isdigit() or s[0] in "\"“'‘$(*#[-•+"


_TERMINATOR = re.compile(r"[.!?]+(?=[\s\[\"”)]|$)|\n")  # not the point of 5.73
_TRAILING_CITATIONS = re.compile(r"(?:\s*\[[\d\s,;\-–]+\])+")
_WORD_BEFORE = re.compile(r"[\w.]*$")
_ABBREVIATIONS = {"U.S", "e.g", "i.e", "vs", "Inc", "Corp", "Co", "Ltd", "approx", "est", "No", "St", "etc"}


def _is_abbreviation(text: str, dot: int) -> bool:
    if dot + 1 < len(text) and not text[dot + 1].isspace():
        return False  # "5.73" or "U.S." mid-word: not a sentence end candidate anyway
    word = _WORD_BEFORE.search(text, max(0, dot - 8), dot)
    return bool(word) and word.group() in _ABBREVIATIONS  # type: ignore[union-attr]


def _mask(text: str) -> str:
    chars = list(text)
    spans = [(g.start, g.end) for g in parse_citations(text)]
    for pattern in _MASKS:
        spans.extend((m.start(), m.end()) for m in pattern.finditer(text))
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def _raw(m: re.Match[str]) -> _Raw:
    num = m.group("num")
    suffix = (m.group("suffix") or "").strip().lstrip("-").lower()
    scale_word = (m.group("scale") or "").strip()
    tail = (m.group("tail") or "").strip().lower()
    unit: FigureUnit = ""
    currency = (m.group("cur") or "").strip()
    if currency in ("$", "US$", "USD") or tail in ("usd", "dollars"):
        unit = "USD"
    elif currency:
        unit = "currency"
    elif suffix.startswith(("%", "percent", "per")) and "point" not in suffix:
        unit = "%"
    elif suffix.startswith(("percentage", "pp")):
        unit = "pp"
    elif suffix.startswith(("bp", "basis")):
        unit = "bps"
    elif suffix.startswith("point"):
        unit = "points"
    elif suffix:
        unit = "x"
    elif tail == "shares":
        unit = "shares"
    elif tail in ("points", "pts"):
        unit = "points"
    elif tail == "analysts":  # "41 analysts": a count a source states
        unit = "count"
    sign_text = m.group("sign")
    sign = None if not sign_text else (1 if sign_text == "+" else -1)
    scale = _SCALES.get(scale_word, 1.0)
    decimals = len(num.split(".")[1]) if "." in num else (2 if "/" in num else 0)
    value = parse_number(num) * scale * (sign or 1)
    # "3M" (the company), "5K" (a race): a whole number with only a letter suffix is not a figure;
    # volumes show decimals ("24.97M") and amounts a currency ("$3B")
    letter_scale = scale_word in ("K", "k", "M", "B", "T")
    integer_only = not (unit or sign or "." in num or "," in num) and (not scale_word or letter_scale)
    return _Raw(m.start(), m.end(), value, unit, decimals, scale, sign, integer_only)


def parse_number(text: str) -> float:
    """'1,577' -> 1577.0; the Fed's fractions: '3-1/2' -> 3.5, '1/4' -> 0.25."""
    text = text.replace(",", "")
    if "/" not in text:
        return float(text)
    whole, _, fraction = text.rpartition("-")
    numerator, denominator = fraction.split("/")
    return (float(whole) if whole else 0.0) + float(numerator) / float(denominator)


def _fold_raw(m: re.Match[str]) -> _Raw:
    value = float(_WORD_NUMBERS[m.group(1).lower()])
    return _Raw(m.start(), m.end(), value, "x", 0, 1.0, None, False, fold_word=True)


def _inherit_range_units(masked: str, raws: list[_Raw]) -> list[_Raw]:
    """``3.50–3.75%``, ``5–7%``: the first end takes the unit and scale of the second."""
    out = list(raws)
    for i in range(len(raws) - 1):
        first, second = raws[i], raws[i + 1]
        if first.unit or not second.unit or not _RANGE_JOIN.fullmatch(masked[first.end : second.start]):
            continue
        scale = first.scale if first.scale != 1.0 else second.scale
        value = first.value * (scale / first.scale)
        out[i] = _Raw(first.start, first.end, value, second.unit, first.decimals, scale, first.sign, False)
    return out


def _is_figure(masked: str, raw: _Raw) -> bool:
    if raw.fold_word:
        return True
    after = masked[raw.end : raw.end + 24]
    if raw.unit in ("", "points", "shares") and (
        _PERIOD_AFTER.match(after) or re.match(r"-[A-Za-z]", after) or re.match(r"[A-Za-z]", after)
    ):
        return False  # 50-day, 10-K, 15 years, 1st
    if raw.integer_only:
        return raw.scale == 1.0 and abs(raw.value) >= 10_000 and not (1800 <= abs(raw.value) <= 2100)
    return True


def _citations_for(in_sentence: list[CitationGroup], text: str, end: int) -> tuple[int, ...]:
    following = [g for g in in_sentence if g.start >= end]
    if following:
        chosen = [following[0]]
        for group in following[1:]:
            if text[chosen[-1].end : group.start].strip():
                break
            chosen.append(group)  # [2][3] is one citation of two sources
    else:
        chosen = in_sentence
    return tuple(dict.fromkeys(n for g in chosen for n in g.numbers))


def _table_citations(
    text: str, groups: list[CitationGroup], pos: int, cache: dict[int, tuple[int, ...]]
) -> tuple[int, ...]:
    """A Markdown table row without its own [n] takes the table's: those in any row or the line after."""
    start = text.rfind("\n", 0, pos) + 1
    if not text[start:pos].lstrip().startswith("|"):
        return ()
    while start > 0:
        above = text.rfind("\n", 0, start - 1) + 1
        if not text[above:start].lstrip().startswith("|"):
            break
        start = above
    if start not in cache:
        end = start
        while end < len(text) and text[end:].lstrip(" \t").startswith("|"):
            end = text.find("\n", end) + 1 or len(text)
        while end < len(text) and text[end] in " \t\n":
            end += 1  # blank lines between the table and its "Sources: [1][2]" line
        after = text.find("\n", end)
        end = len(text) if after == -1 else after
        cache[start] = tuple(dict.fromkeys(n for g in groups if start <= g.start < end for n in g.numbers))
    return cache[start]


def _direction(text: str, raw: _Raw, floor: int, s_end: int) -> int | None:
    """The sign implied by a word right after (``18% discount``) or before (``fell 2.02%``) it.

    ``floor`` is where the words before may start: the sentence start or the previous figure's end,
    so ``fell $3.20 to $258`` gives $258 no direction.
    """
    if raw.unit not in ("%", "pp", "bps", "USD") or raw.sign is not None:
        return None
    after = _WORD.findall(text[raw.end : min(s_end, raw.end + 20)])[:1]
    if after and after[0].lower() in _AFTER_NEGATIVE:
        return -1
    if after and after[0].lower() in _AFTER_POSITIVE:
        return 1
    if after and raw.unit in ("%", "pp") and after[0].lower() in _RELATIVE:
        return _RELATIVE[after[0].lower()]  # "0.51% below its 52-week high" is -0.51%
    before = _WORD.findall(text[max(floor, raw.start - 30) : raw.start])[-3:]
    if before and before[-1].lower() in ("to", "at"):
        return None  # "fell to 2.5%", "rose to $5.2 billion": the level reached, not the move
    for word in reversed(before):
        lowered = word.lower()
        if lowered in _NEGATIVE:
            return -1
        if lowered in _POSITIVE:
            return 1
    return None
