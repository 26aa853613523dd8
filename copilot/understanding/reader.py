"""Read a question into a ``QuestionReading``: names, clauses, measures, times, document filters.

A combined question is read clause by clause ("How did Apple do this year, and what is its
RSI?"): a clause that asks something without naming anyone asks it of the names before it; a
clause that only names someone joins the clause before it ("..., and Microsoft?") or the one
after it ("Apple and Microsoft: how have they done?"). Follow-ups lean on the previous reading.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from copilot.understanding.documents import read_documents
from copilot.understanding.followups import with_context
from copilot.understanding.measures import Measure, fields_in, measures_in
from copilot.understanding.names import (
    NameMention,
    Resolver,
    find_names,
    normalise_question,
    unknown_name,
    unknown_ticker_word,
)
from copilot.understanding.reading import (
    MAX_SUBJECTS,
    PER_SUBJECT,
    PERIODIC,
    Language,
    Part,
    QuestionReading,
)
from copilot.understanding.rules import Decision, decide
from copilot.understanding.when import SINCE_THEN, When, read_when

MAX_READ_CHARS = 4000
_GREETING = re.compile(
    r"^\s*(?:hi|hello|hey|thanks|thank you|good (?:morning|afternoon|evening)|what can you do|help"
    r"|who are you|what are you|hola|gracias|你好|谢谢)\b[\s!?.,]*$",
    re.IGNORECASE,
)
# Where a question may change subject: "?", ";", ", and", ". ", " and ", "，", "。", "和", " y ".
_CLAUSE_BREAK = re.compile(
    r"[?;？；。]|,\s*(?:and|but|plus|also|y|pero)?\s*|，|\.\s+|\s+(?:and|but|while|plus|y|pero)\s+|和|以及",
    re.IGNORECASE,
)
# Phrases that hold a clause-break word but ask one thing ("high and low", "50 and 200 day").
_JOINED_PHRASES = re.compile(
    r"\bhighs?\s+and\s+lows?\b|\b(?:20|50|100)(?:[- ]day)?\s+and\s+(?:50|100|200)[- ]day\b"
    r"|\bbuy\s+or\s+sell\b"
    r"|\bprofit\s+and\s+loss\b|\bopen\s+and\s+close\b|\bsupport\s+and\s+resistance\b",
    re.IGNORECASE,
)
_COMPARES = re.compile(r"\b(?:vs\.?|versus|compared? (?:to|with)|against)\b|对比|相比", re.IGNORECASE)
_ABOUT = re.compile(
    r"\b(?:tell me about|what about|how about|thoughts on|info on|overview of|look at|update on|news on)\b",
    re.IGNORECASE,
)
_BARE_SINCE = re.compile(r"\bsince\s*[?.!]*\s*$", re.IGNORECASE)
_BROAD_MARKET = re.compile(
    r"\b(?:the\s+)?(?:stock\s+|us\s+|u\.s\.\s+)?(?:market|stocks|equities)\b|\bel mercado\b|股市|大盘", re.I
)
_SPANISH = re.compile(
    r"[¿¡ñ]|\b(?:qué|cómo|cuánto|cuál|rendimiento|precio|del|desde|hasta|año|mes|según|las|los)\b", re.I
)


def read_question(
    question: str,
    resolver: Resolver | None,
    reference: date,
    previous: QuestionReading | None = None,
) -> QuestionReading:
    """What ``question`` asks, with ``previous`` (the last question read) for follow-ups."""
    text = " ".join(question[: MAX_READ_CHARS * 2].split())[:MAX_READ_CHARS]
    if not text:
        return QuestionReading(question=question, refusal="empty")
    if _GREETING.match(text):
        return QuestionReading(question=question, refusal="greeting", language=language_of(text))
    text = normalise_question(text)
    mentions = find_names(text, resolver)
    names = {m.symbol: m.name for m in mentions if m.name and m.known}
    corrections = tuple((m.corrected_from, m.symbol) for m in mentions if m.corrected_from)
    unknown = [m.symbol for m in mentions if not m.known]
    masked = _mask(text, mentions)
    clauses = _clauses(text, masked, mentions)
    question_when = read_when(masked, reference)
    parts = _parts(clauses, question_when, reference)
    if not any(m.known for m in mentions) and not unknown and _asks_of_subjects(parts):
        name = unknown_name(text, mentions) or unknown_ticker_word(text, mentions)
        if name:
            unknown.append(name)
            parts = tuple(
                p.with_subjects((name,)) if p.measure in PER_SUBJECT and not p.subjects else p for p in parts
            )
    if not parts and not mentions and _ABOUT.search(text):
        name = unknown_name(text, mentions) or unknown_ticker_word(text, mentions)
        if name:  # "tell me about palantir": a name nobody knows, for the tool to find or refuse
            unknown.append(name)
            parts = (Part("price", (name,), text=text, rule="a_bare_name_is_a_quote"),)
    parts, beyond = _limit(parts)
    reading = QuestionReading(
        question=question,
        parts=parts,
        language=language_of(text),
        names=_with_resolver_names(names, parts, resolver),
        corrections=corrections,
        unknown=tuple(unknown),
        beyond_limit=beyond,
    )
    reading = with_context(reading, text, masked, previous, reference)
    return _broad_market(reading, masked, resolver)


def language_of(text: str) -> Language:
    """The question's language, roughly: Chinese script, Spanish words, else English."""
    if re.search(r"[\u4e00-\u9fff]", text):
        return "zh"
    if _SPANISH.search(text):
        return "es"
    return "en"


Clause = tuple[str, tuple[str, ...], list[Measure], When | None]  # masked text, subjects, measures, when


def _mask(text: str, mentions: list[NameMention]) -> str:
    """Names blotted out (same length), so "Russell 2000" is not the year 2000 and "Meta" no verb."""
    chars = list(text)
    for mention in mentions:
        for i in range(mention.start, min(mention.end, len(chars))):
            chars[i] = "¤"  # not a space: a clause break must not swallow a name
    return "".join(chars)


def _clauses(text: str, masked: str, mentions: list[NameMention]) -> list[Clause]:
    """The question cut where it may change subject, never inside a name or a date range."""
    protected = [(m.start, m.end) for m in mentions]
    protected += [(m.start(), m.end()) for m in _JOINED_PHRASES.finditer(masked)]
    whole = read_when(masked, date(2000, 1, 1))
    if whole is not None and whole.kind == "range":
        at = masked.find(whole.text)
        if at >= 0:
            protected.append((at, at + len(whole.text)))
    cuts = [0]
    for match in _CLAUSE_BREAK.finditer(masked):
        if any(start < match.end() and match.start() < end for start, end in protected):
            continue
        cuts.extend((match.start(), match.end()))
    cuts.append(len(masked))
    clauses: list[Clause] = []
    for start, end in zip(cuts[0::2], cuts[1::2], strict=False):
        piece = masked[start:end]
        subjects = tuple(dict.fromkeys(m.symbol for m in mentions if start <= m.start < end))
        if not piece.strip() and not subjects:
            continue
        clauses.append((piece, subjects, measures_in(piece), None))
    return clauses


def _parts(clauses: list[Clause], question_when: When | None, reference: date) -> tuple[Part, ...]:
    """Parts from clauses: measures decided per clause, subjects carried between clauses."""
    parts: list[Part] = []
    pending: list[str] = []
    last: list[int] = []  # indexes of the parts the previous asking clause produced
    last_subjects: tuple[str, ...] = ()
    for piece, own, measures, _ in clauses:
        when = read_when(piece, reference)
        then = SINCE_THEN.search(piece)
        if when is None and then is not None and parts:
            # "the price on 2025-04-08 and its return since then": from the day the question named
            anchor = next((p.when.start for p in parts if p.when and p.when.kind == "day"), None)
            when = When("since", start=anchor, text=then.group(0), event="then") if anchor else None
        if when is None and _BARE_SINCE.search(piece) and any(p.measure == "documents" for p in parts):
            # "what did the Fed do in December and how have small caps done since": since that meeting
            when = When("since", text="since", event="meeting")
        if not measures and own and last and not when and not _COMPARES.search(piece):
            for index in last:  # "..., and Microsoft?": the same question of one more name
                if parts[index].measure in PER_SUBJECT or parts[index].measure == "composite":
                    merged = tuple(dict.fromkeys((*parts[index].subjects, *own)))
                    parts[index] = parts[index].with_subjects(merged)
            last_subjects = tuple(dict.fromkeys((*last_subjects, *own)))
            continue
        if not measures and not when:
            pending.extend(s for s in own if s not in pending)
            continue
        if not measures and when is not None and last and not own and not pending:
            for index in list(
                last
            ):  # "... since the start of the year and since June 1": again, over the new period
                if parts[index].measure in PERIODIC:
                    last.append(_merge(parts, replace(parts[index], when=when, text=piece.strip())))
            continue
        inherit = bool(set(measures) & PER_SUBJECT) and _refers_back(piece, last)
        subjects = tuple(dict.fromkeys((*pending, *own))) or (last_subjects if inherit else ())
        pending = []
        decision = decide(
            Decision(
                measures=list(measures),
                subjects=subjects,
                when=when or question_when,
                text=piece,
                fields={m: fields_in(m, piece) for m in measures},
                applied=[],
            )
        )
        last = []
        for measure in decision.measures:
            part = _part(measure, decision, when, question_when, piece, reference)
            last.append(_merge(parts, part))
        last_subjects = subjects or last_subjects
    if pending:  # names and nothing asked of them: a quote (or a return over the question's period)
        decision = decide(
            Decision([], tuple(pending), question_when, " ".join(c[0] for c in clauses), {}, [])
        )
        for measure in decision.measures:
            _merge(parts, _part(measure, decision, None, question_when, decision.text, reference))
    return tuple(parts)


def _refers_back(piece: str, last: list[int]) -> bool:
    """A clause that asks without naming anyone asks of the names before it."""
    return bool(last) or bool(
        re.search(r"\b(?:its?|their|they|them|both|each|it's|esta|sus?)\b", piece, re.I)
    )


def _part(
    measure: Measure,
    decision: Decision,
    own_when: When | None,
    question_when: When | None,
    piece: str,
    reference: date,
) -> Part:
    when = own_when
    if when is None and measure in PERIODIC:
        when = question_when
    if measure == "financials" and when is None and re.search(r"\b(?:10-?k|annual report)\b", piece, re.I):
        when = When("year", text="the 10-K", relative="last", fiscal=True)  # a 10-K reports the fiscal year
    if (
        measure == "price"
        and when is not None
        and when.kind in ("trailing", "to_date")
        and when.label != "1d"
    ):
        when = when  # "Apple's price this year": the range of closes over the period
    subjects = decision.subjects if measure in PER_SUBJECT or measure in ("composite", "unsupported") else ()
    if measure == "unsupported" and fields_in("unsupported", decision.text) == ("crypto",):
        subjects = ()  # the coins are what Verity lacks; the named securities are answered beside them
    if measure == "market_valuation":
        subjects = ("^GSPC",)
    if measure == "composite" and not subjects:
        subjects = ("^GSPC",)
    fields = fields_in(measure, piece) if measure != "unsupported" else fields_in(measure, decision.text)
    docs = (
        read_documents(piece, when or question_when, decision.subjects, reference)
        if measure == "documents"
        else None
    )
    if measure == "documents" and when is None:
        when = question_when
    rule = ",".join(decision.applied)
    return Part(measure, subjects, fields, when, docs, piece.strip(), rule)


def _merge(parts: list[Part], part: Part) -> int:
    """Add ``part``, or fold its subjects into an equal one already asked; its index either way."""
    for index, other in enumerate(parts):
        same = (other.measure, other.when, other.fields, other.docs) == (
            part.measure,
            part.when,
            part.fields,
            part.docs,
        )
        if same:
            parts[index] = other.with_subjects(tuple(dict.fromkeys((*other.subjects, *part.subjects))))
            return index
        if (other.measure, other.when, other.subjects) == (part.measure, part.when, part.subjects) and (
            part.measure in ("technicals", "valuation", "financials")
        ):  # "rsi and 50-day average": one part with both fields
            fields = tuple(dict.fromkeys((*other.fields, *part.fields)))
            parts[index] = replace(other, fields=fields, text=f"{other.text} {part.text}")
            return index
    parts.append(part)
    return len(parts) - 1


def _asks_of_subjects(parts: tuple[Part, ...]) -> bool:
    return any(p.measure in PER_SUBJECT and not p.subjects for p in parts)


def _limit(parts: tuple[Part, ...]) -> tuple[tuple[Part, ...], tuple[str, ...]]:
    """At most MAX_SUBJECTS names in all; the rest are named in the answer, never dropped silently."""
    everyone = list(dict.fromkeys(s for p in parts for s in p.subjects))
    if len(everyone) <= MAX_SUBJECTS:
        return parts, ()
    keep = set(everyone[:MAX_SUBJECTS])
    trimmed = tuple(p.with_subjects(tuple(s for s in p.subjects if s in keep)) for p in parts)
    return trimmed, tuple(everyone[MAX_SUBJECTS:])


def _with_resolver_names(
    names: dict[str, str], parts: tuple[Part, ...], resolver: Resolver | None
) -> dict[str, str]:
    out = dict(names)
    if resolver is None:
        return out
    for part in parts:
        for symbol in part.subjects:
            if symbol not in out:
                known = resolver.name_of(symbol)
                if known:
                    out[symbol] = known
    return out


def _broad_market(reading: QuestionReading, masked: str, resolver: Resolver | None) -> QuestionReading:
    """ "How's the market doing today?" is about the S&P 500 when nothing else is named."""
    if reading.subjects or reading.unknown or not _BROAD_MARKET.search(masked):
        return reading
    wanted = {"price", "return", "technicals"}
    if not any(p.measure in wanted and not p.subjects for p in reading.parts):
        return reading
    parts = tuple(
        p.with_subjects(("^GSPC",)) if p.measure in wanted and not p.subjects else p for p in reading.parts
    )
    names = {**reading.names, "^GSPC": (resolver.name_of("^GSPC") if resolver else None) or "S&P 500"}
    return replace(reading, parts=parts, names=names)


def read_conversation(
    questions: Sequence[str], resolver: Resolver | None, reference: date
) -> QuestionReading:
    """The last question read in the context of the ones before it (each follow-up leans on the last)."""
    reading: QuestionReading | None = None
    for text in questions:
        reading = read_question(text, resolver, reference, reading)
    return reading if reading is not None else QuestionReading(question="", refusal="empty")
