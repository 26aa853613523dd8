"""The answer from the turn's tool results: one paragraph per part of the question, in order, then
the date the data is as of. Each part is written by its registry entry from the results of the
calls planned for it; a part no tool could answer says so plainly.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from copilot.offline.prose_common import Context, ToolResult, join
from copilot.offline.prose_declines import CAPABILITIES
from copilot.offline.registry import INTENTS
from copilot.understanding.reading import MAX_SUBJECTS, PER_SUBJECT, QuestionReading, describe_part

_MARKET_TOOLS = (
    "compare_performance",
    "get_quote",
    "get_technicals",
    "sector_performance",
    "get_price_history",
)


def write_answer(
    reading: QuestionReading,
    planned: Sequence[tuple[int, str]],
    results: dict[str, ToolResult],
    as_of: date | None,
    tool_names: Sequence[str],
) -> str:
    """Analyst prose over every part of the question, with [n] on each figure.

    ``planned`` pairs each planned call's key with the index of the part it answers; ``results``
    maps call keys to their results.
    """
    ctx = Context(reading=reading, as_of=as_of, names=dict(reading.names))
    paragraphs: list[str] = []
    if reading.corrections:
        read_as = [f"'{typed}' as {ctx.who(symbol)}" for typed, symbol in reading.corrections]
        paragraphs.append(f"I read {join(read_as)}.")
    for index, part in enumerate(reading.parts):
        keys = [key for i, key in planned if i == index]
        part_results = [results[k] for k in keys if k in results]
        if part.measure in PER_SUBJECT and not part.subjects:
            paragraphs.append(
                "I couldn't tell which stock, ETF or index the question means for "
                f"{describe_part(part, reading)}; "
                "name it or give its ticker."
            )
            continue
        if not keys and part.measure not in ("unsupported",):
            paragraphs.append(_unavailable(part.measure, describe_part(part, reading), tool_names))
            continue
        text = INTENTS[part.measure].write(part, part_results, ctx)
        if text:
            paragraphs.append(text)
    if reading.beyond_limit:
        paragraphs.append(
            f"I answer about at most {MAX_SUBJECTS} names at a time, so I left out "
            f"{join([ctx.who(s) for s in reading.beyond_limit])}: ask about them separately."
        )
    if not paragraphs:
        return "None of the tools returned anything for this question. " + CAPABILITIES
    dates = _market_dates(list(results.values()))
    if dates:
        paragraphs.append(_as_of_sentence(dates))
    return "\n\n".join(p for p in paragraphs if p)


def _unavailable(measure: str, label: str, tool_names: Sequence[str]) -> str:
    if measure == "documents" and "search_documents" not in tool_names:
        return (
            f"Document search is not available in this session (no knowledge base is configured), so I "
            f"can't answer {label}."
        )
    return f"I could not answer {label}: the tool it needs is not available in this session."


def _market_dates(results: list[ToolResult]) -> list[date]:
    return sorted(
        {
            source.as_of
            for result in results
            if result.tool in _MARKET_TOOLS
            for source in result.sources
            if source.as_of and source.kind == "market_data"
        }
    )


def _as_of_sentence(dates: Sequence[date]) -> str:
    distinct = sorted(set(dates))
    if len(distinct) == 1:
        return f"Market data as of the close of {distinct[0].isoformat()}."
    last = distinct[-1].isoformat()
    return f"Market data through the close of {last} (each source states its date)."
