"""Pure mappings from chat events to the wire: SSE frames, and OpenAI-shaped responses and chunks.

SSE: ``id:`` is the event's sequence number in its run (what ``Last-Event-ID`` sends back),
``event:`` its type, ``data:`` its JSON. OpenAI: the answer's text is the verified ``done.answer``
(streamed tokens are a preview that a repair round or citation cleaning may change, so the
OpenAI stream releases text only once it is verified); beside it, as Perplexity does, a top-level
``citations`` list (one URL or source identifier per [n]) and a ``verity`` object with the cited
sources, the verification, the conversation id and the analysis date.
"""

from __future__ import annotations

import json
import re
import time
from functools import cache
from typing import Any

from copilot.events import DoneEvent, VerificationEvent

# usage is counted with OpenAI's o200k_base encoding (the GPT-4o family's), whose vocabulary ships
# inside the bpe-openai package: exact counts with nothing to download (tiktoken fetches its files)
ENCODING = "o200k_base"
_CHUNK_WORDS = re.compile(r"\S+\s*|\s+")
MESSAGE_OVERHEAD = 4  # role and separators per chat message, as OpenAI counts them


def sse_frame(seq: int, kind: str, data: str) -> bytes:
    """One server-sent event: ``id``, ``event`` and one ``data`` line (JSON has no raw newlines)."""
    return f"id: {seq}\nevent: {kind}\ndata: {data}\n\n".encode()


@cache
def _encoding() -> Any:
    import bpe_openai

    return bpe_openai.get_encoding(ENCODING)


def count_tokens(text: str) -> int:
    """The tokens of ``text`` in ``ENCODING`` (special-token markers in it count as plain text)."""
    return len(_encoding().encode_ordinary(text)) if text else 0


def usage(prompt_texts: list[str], answer: str) -> dict[str, int]:
    """OpenAI's ``usage``: the request's messages (plus each message's framing) and the answer."""
    prompt = sum(count_tokens(t) + MESSAGE_OVERHEAD for t in prompt_texts)
    completion = count_tokens(answer)
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def citation_of(source: dict[str, Any]) -> str:
    """What a citation list shows for one source: its URL, else ``tool:arguments`` or its id."""
    if source.get("url"):
        return str(source["url"])
    if source.get("tool"):
        args = source.get("arguments") or {}
        shown = ",".join(f"{k}={v}" for k, v in args.items())
        return f"verity:{source['tool']}({shown})"
    return f"verity:source/{source.get('id', '')}"


def verity_object(done: DoneEvent, verification: VerificationEvent | None) -> dict[str, Any]:
    """The ``verity`` extension: cited sources, verification, coverage, conversation id, as_of, mode."""
    return {
        "conversation_id": done.conversation_id,
        "turn_id": done.turn_id,
        "as_of": done.as_of.isoformat() if done.as_of else None,
        "mode": done.mode,
        "sources": [c.model_dump(mode="json") for c in done.sources],
        "verification": verification.model_dump(mode="json", exclude={"type", "coverage"})
        if verification
        else {"summary": done.verification},
        "coverage": done.coverage.model_dump(mode="json") if done.coverage else None,
    }


def citations(done: DoneEvent) -> list[str]:
    """One entry per [n], in order of n (a gap in the numbering keeps its place empty)."""
    by_n = {c.n: citation_of(c.source.model_dump(mode="json")) for c in done.sources}
    return [by_n.get(n, "") for n in range(1, max(by_n, default=0) + 1)]


def completion(
    completion_id: str,
    model: str,
    done: DoneEvent,
    verification: VerificationEvent | None,
    use: dict[str, int],
) -> dict[str, Any]:
    """A whole ``chat.completion`` object."""
    return {
        "id": completion_id,
        "object": "chat.completion",
        "created": int(time.time()),
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": done.answer},
                "finish_reason": "stop",
                "logprobs": None,
            }
        ],
        "usage": use,
        "citations": citations(done),
        "verity": verity_object(done, verification),
    }


def chunk(completion_id: str, model: str, delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    """One ``chat.completion.chunk``."""
    return {
        "id": completion_id,
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}],
    }


def answer_pieces(answer: str, words: int = 8) -> list[str]:
    """The answer cut into pieces of a few words, for the content deltas of a stream."""
    parts = _CHUNK_WORDS.findall(answer)
    return ["".join(parts[i : i + words]) for i in range(0, len(parts), words)]


def final_chunk(
    completion_id: str,
    model: str,
    done: DoneEvent,
    verification: VerificationEvent | None,
    use: dict[str, int],
) -> dict[str, Any]:
    """The last chunk before ``[DONE]``: finish reason, usage, citations and the verity object."""
    last = chunk(completion_id, model, {}, finish="stop")
    last.update(usage=use, citations=citations(done), verity=verity_object(done, verification))
    return last


def data_line(payload: dict[str, Any] | str) -> bytes:
    text = payload if isinstance(payload, str) else json.dumps(payload, separators=(",", ":"))
    return f"data: {text}\n\n".encode()
