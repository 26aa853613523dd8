"""The pure wire mappings: SSE frames, OpenAI pieces, citations by [n], token counts."""

from __future__ import annotations

from datetime import date

from copilot.events import CitedSource, DoneEvent
from copilot.schemas import Source
from tests.web.sse import parse_frames
from web.streaming import _encoding, answer_pieces, citations, count_tokens, sse_frame, usage


def test_an_sse_frame_carries_id_event_and_one_data_line() -> None:
    frame = sse_frame(7, "token", '{"type":"token","text":"a\\nb"}')
    assert frame == b'id: 7\nevent: token\ndata: {"type":"token","text":"a\\nb"}\n\n'
    (parsed,) = parse_frames(frame.decode())
    assert (parsed.id, parsed.event, parsed.data["text"]) == (7, "token", "a\nb")


def test_tokens_are_counted_with_openais_o200k_encoding() -> None:
    # the ids tiktoken's own tests give for o200k_base
    assert _encoding().encode_ordinary("hello world") == [24912, 2375]
    assert count_tokens("hello world") == 2 and count_tokens("") == 0
    assert count_tokens("say <|endoftext|> now") > 3  # a special-token marker is plain text here
    use = usage(["hello world", "hello world"], "hello world")
    assert use == {"prompt_tokens": 12, "completion_tokens": 2, "total_tokens": 14}


def test_answer_pieces_rejoin_to_the_answer() -> None:
    answer = "Small caps returned +5.73% [1]\n\nagainst +1.77% [1]  for large caps."
    pieces = answer_pieces(answer, words=3)
    assert "".join(pieces) == answer and len(pieces) > 2


def test_citations_follow_the_numbers_and_keep_gaps() -> None:
    fed = Source(kind="document", title="FOMC", provider="Fed", url="https://www.federalreserve.gov/x.htm")
    quote = Source(
        kind="market_data", title="Quote", provider="snapshot", tool="quote", arguments={"symbol": "AAPL"}
    )
    done = DoneEvent(
        answer="a [1] b [3]",
        conversation_id="c",
        mode="offline",
        as_of=date(2026, 1, 9),
        verification="2/2 verified",
        sources=[CitedSource(n=3, source=fed), CitedSource(n=1, source=quote)],
    )
    assert citations(done) == ["verity:quote(symbol=AAPL)", "", "https://www.federalreserve.gov/x.htm"]
