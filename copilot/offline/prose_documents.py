"""Document prose: short verbatim quotes of the passages that best answer the question, each cited.

A quote is one whole sentence of the passage, copied exactly, so every figure in it matches a fact
the knowledge base extracted from that passage. Sentences are split the way the verifier splits
them, and a sentence holding a figure the passage facts lack is never quoted.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from copilot.citations import SourceLedger
from copilot.figures import extract_figures, split_sentences
from copilot.knowledge.passages import rendered_passages
from copilot.offline.prose_common import Citer, Context, ToolResult
from copilot.schemas import Fact, Source
from copilot.understanding.documents import TOPIC_SYNONYMS
from copilot.understanding.reading import Part
from copilot.verify import verify_figures

MAX_QUOTE_CHARS = 420
_EPOCH = date(1900, 1, 1)
_STOP_WORDS = (
    "a about after again all an and any are as at be been by can could did do does for from had has "
    "have how i in into is it its latest me most new of on or our recent said say says should statement "
    "statements tell that the their them there this to was we were what when which who why will with "
    "would fed fomc federal reserve committee minutes speech document documents stored last newest "
    "current market markets meeting meetings "
)
_STOP = frozenset(_STOP_WORDS.split())


def keywords(question: str) -> list[str]:
    """The content words of the question, singular, in order."""
    words = re.findall(r"[a-z][a-z\-]+", question.lower())
    out: list[str] = []
    for word in words:
        stem = word[:-1] if word.endswith("s") and len(word) > 3 and not word.endswith("ss") else word
        if stem not in _STOP and word not in _STOP and stem not in out:
            out.append(stem)
    return out


# Sentences that are manners, not findings ("Before I proceed, ...", "Thank you, Dean Logue").
_FILLER = re.compile(
    r"^(?:thank|thanks|before i (?:proceed|begin|turn|start|get)|i (?:would|'d) like to"
    r"|it is a (?:pleasure|privilege)|good (?:morning|afternoon|evening)"
    r"|let me (?:begin|start|turn|close|conclude)|i am (?:pleased|delighted|honored)"
    r"|the views (?:i express|expressed)|my remarks|i will (?:begin|start|focus|discuss)|today,? i"
    r"|implementation note|for release at|for immediate release|last update|for media inquiries"
    r"|the next meeting|it was agreed that the next)",
    re.IGNORECASE,
)


def documents_result(result: ToolResult, ctx: Context, part: Part) -> str:
    """What the passages of one search say about the part's topic, quoted and cited."""
    assert result.artifact is not None
    docs = part.docs
    topic = (docs.topic if docs is not None and docs.topic else part.text) or ctx.reading.question
    latest = bool(docs.latest) if docs is not None else False
    texts = rendered_passages(result.content)
    if docs is not None and docs.each:
        return decisions(result.artifact.sources, Citer(result.artifact), part, texts)
    said = documents(result.artifact.sources, Citer(result.artifact), topic, latest, texts)
    if docs is not None and docs.said_at_meeting:
        return (
            f"Verity's documents hold no transcript of what {docs.said_at_meeting} said at an FOMC "
            f"meeting (its press conferences are not stored); the Committee's statement of the meeting "
            f"is the record it has. {said}"
        )
    return said


def decisions(sources: Sequence[Source], cite: Citer, part: Part, texts: dict[int, str]) -> str:
    """The decision sentence of every statement found for the period, oldest first, each quoted."""
    statements = sorted(
        (s for s in sources if s.kind == "document"), key=lambda s: s.published or s.as_of or _EPOCH
    )
    lines: list[str] = []
    for source in statements:
        text = _passage_text(source, cite, texts)
        picked = best_sentences([(source, text)], ["decide", "target range"], limit=1)
        if not picked or "decided" not in picked[0][0].lower():
            continue
        sentence, _ = picked[0]
        c = cite(source)
        day = source.published or source.as_of
        shown = sentence if sentence[:1].isupper() else "…" + sentence  # a chunk cut mid-sentence
        said = f"“{shown}” {c}{in_figures(sentence, source, c)}"
        lines.append(f"- {day.isoformat() if day else 'Undated'}: {said}.")
    when = part.when.describe() if part.when else "in the period asked"
    if not lines:
        return f"The statements found {when} hold no sentence stating a decision."
    return f"The FOMC statements published {when} that the store holds record these decisions:\n" + "\n".join(
        lines
    )


def documents(
    sources: Sequence[Source], cite: Citer, question: str, latest: bool, texts: dict[int, str] | None = None
) -> str:
    """One or two passages, the most recent first when the question asks for the latest.

    ``texts`` are the full passage texts by label (the tool content); a source's snippet otherwise.
    """
    texts = texts or {}
    passages = [s for s in sources if s.kind == "document"]
    if not passages:
        return "The document search found no passage that answers this."
    kinds = [w for w in ("statement", "minutes", "speech", "projections") if w in question.lower()]
    if latest:  # newest first; on a tie, the kind of document the question names
        passages = sorted(
            passages,
            key=lambda s: (s.published or s.as_of or _EPOCH, any(k in s.title.lower() for k in kinds)),
            reverse=True,
        )
    by_document: dict[str, list[Source]] = {}
    for source in passages:  # every passage of a document competes for its best sentences
        by_document.setdefault(source.document_id or source.id, []).append(source)
    words = keywords(question)
    parts: list[str] = []
    for group in by_document.values():
        candidates = [(s, _passage_text(s, cite, texts)) for s in group]
        picked = best_sentences(candidates, words, limit=2)
        if not picked:
            continue
        (first, source), rest = picked[0], picked[1:]
        c = cite(source)
        when = source.published or source.as_of
        title = source.title.strip() or "the document"
        dated = f", published {when.isoformat()}" if when else ""
        shown = first if first[:1].isupper() else "…" + first  # a chunk cut mid-sentence
        parts.append(f"{_cap(title)}{dated} {c}, says: “{shown}” {c}{in_figures(first, source, c)}.")
        for sentence, other in rest:
            n = cite(other)
            parts.append(f"It adds: “{sentence}” {n}{in_figures(sentence, other, n)}.")
        if len(parts) >= 3 or latest:
            break  # "the latest statement" is one document
    if not parts:
        return "The passages found do not contain a sentence that answers this directly."
    return " ".join(parts)


def _passage_text(source: Source, cite: Citer, texts: dict[int, str]) -> str:
    label = cite.labels.get(source.id)
    return (texts.get(label, "") if label is not None else "") or source.snippet or ""


def best_sentences(
    candidates: Sequence[tuple[Source, str]], words: Sequence[str], limit: int = 2
) -> list[tuple[str, Source]]:
    """The sentences (with their passage) that mention most of ``words``, best first, safe to quote."""
    decision_words = ("rate", "cut", "hike", "decide", "decision", "policy", "outcome", "happened", "hold")
    statement = any("statement" in (s.title or "").lower() for s, _ in candidates)
    policy = not words or statement or any(w in decision_words for w in words)
    scored: list[tuple[float, int, str, Source]] = []
    for source, text in candidates:
        for line in (" ".join(raw.split()) for raw in text.splitlines()):  # a line break ends a sentence
            for start, end in split_sentences(line):
                sentence = line[start:end].strip().rstrip(".").strip()
                if len(sentence) < 25 or len(sentence) > MAX_QUOTE_CHARS or not _quotable(sentence, source):
                    continue
                if _FILLER.match(sentence):
                    continue  # courtesy and preamble are not findings
                lowered = sentence.lower()
                score = 0.0
                for word in words:
                    phrases = TOPIC_SYNONYMS.get(word, (word,))
                    if any(re.search(rf"\b{re.escape(p)}", lowered) for p in phrases):
                        score += 1.0
                if policy:  # the decision is what "what did the Fed say about rates" asks for
                    score += 0.5 * ("decided" in lowered) + 0.2 * ("target range" in lowered)
                if sentence[:1].isupper():
                    score += 0.1  # a whole sentence beats the same words cut at a chunk boundary
                opening = " ".join(lowered.split()[:3])
                if any(re.search(rf"\b{re.escape(w)}", opening) for w in words):
                    score += (
                        0.2  # a sentence about the topic ("Inflation remains ...") beats a passing mention
                    )
                if any(sentence == kept for _, _, kept, _ in scored):
                    continue  # overlapping chunks repeat sentences
                scored.append((score, len(scored), sentence, source))
    chosen: list[tuple[float, str, Source]] = []
    for score, _, sentence, source in sorted(scored, key=lambda item: (-item[0], item[1])):
        if any(sentence in kept or kept in sentence for _, kept, _ in chosen):
            continue  # overlapping chunks cut the same sentence in different places
        # the best sentence first; another one only when it says something about the question
        if chosen and score < 1.0:
            break
        chosen.append((score, sentence, source))
        if len(chosen) == limit:
            break
    return [(sentence, source) for _, sentence, source in chosen]


def in_figures(sentence: str, source: Source, c: str) -> str:
    """Fractions the Fed writes out ("3-1/2 to 3-3/4 percent") as the passage facts display them.

    The words of a quote are kept verbatim; this adds the same figures in decimal form, rendered
    from the facts the knowledge base extracted, so they can be read and verified.
    """
    percents = [f for f in source.facts if f.unit == "%"]
    facts: list[Fact] = []
    for index, fact in enumerate(percents):
        if not _whole_in(fact.label, sentence):
            continue
        # the upper end of a fractional range ("3-3/4 to 4 percent") belongs with its lower end
        upper = (
            index > 0
            and facts[-1:] == [percents[index - 1]]
            and f"{percents[index - 1].label} to {fact.label}" in sentence
        )
        if "/" in fact.label or upper:
            facts.append(fact)
    if not facts:
        return ""
    shown: list[str] = []
    for position, fact in enumerate(facts):
        text = f"{fact.display()}"
        if "percentage point" in fact.label:
            text = f"{fact.value:.{fact.precision}f} percentage points"
        previous = facts[position - 1] if position else None
        joined = previous is not None and "percentage point" not in previous.label
        if shown and joined and f"{previous.label} to {fact.label}" in sentence:  # type: ignore[union-attr]
            shown[-1] = shown[-1] + " to " + text  # "3-1/2 to 3-3/4 percent": one range
        else:
            shown.append(text)
    return " — in figures, " + ", ".join(shown) + f" {c}"


def _whole_in(label: str, sentence: str) -> bool:
    """The label occurs as a whole number in the sentence ("3/4" of a garbled "3—3/4" does not)."""
    at = sentence.find(label)
    return at == 0 or (at > 0 and not (sentence[at - 1].isdigit() or sentence[at - 1] in "-—–\u0091"))


def _quotable(sentence: str, source: Source) -> bool:
    """Every figure the verifier would find in the sentence verifies against the passage's facts."""
    if not sentence or not extract_figures(sentence + "."):
        return True
    report = verify_figures(f"{sentence} [1].", SourceLedger.from_items([(1, source)]))
    return not report.unverified


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]
