"""The ``verity-research`` model of ``/v1/chat/completions``: the last user message is a research topic,
and the answer is the finished report (Markdown, with its [n] citations).

The report is ordered as a research job of the caller (their quota applies) and written by the job
runner like any other; the request waits for it (a stream sends SSE comments meanwhile, which OpenAI
clients skip). Beside the text, as for the chat models: ``citations`` (one URL or source identifier
per [n]) and a ``verity`` object (report id and page, analysis date, sources, verification). A report
that fails or is cancelled is an OpenAI error object with its code.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

from fastapi.responses import JSONResponse, StreamingResponse

from copilot.research.export.markdown import to_markdown
from copilot.research.jobs import ResearchJobs
from copilot.research.report import ResearchReport
from copilot.storage.research import JobInfo
from web.errors import OPENAI_TYPES, status_of
from web.streaming import answer_pieces, chunk, citation_of, data_line, usage

RESEARCH_MODEL = "verity-research"
DESCRIPTION = "a deep-research report on the topic: every figure cited and verified (takes a while)"
KEEPALIVE_SECONDS = 10.0


def citations(report: ResearchReport) -> list[str]:
    by_n = {c.n: citation_of(c.source.model_dump(mode="json")) for c in report.sources}
    return [by_n.get(n, "") for n in range(1, max(by_n, default=0) + 1)]


def verity_object(report: ResearchReport) -> dict[str, Any]:
    return {
        "report_id": report.id,
        "url": f"/research/{report.id}",
        "title": report.title,
        "as_of": report.as_of.isoformat(),
        "mode": report.mode,
        "sources": [c.model_dump(mode="json") for c in report.sources],
        "verification": report.verification.model_dump(mode="json"),
    }


def _error(job: JobInfo) -> dict[str, Any]:
    code = job.error_code or "internal"
    kind = OPENAI_TYPES.get(status_of(code), "server_error")
    message = job.error_message or f"the report ended {job.status}"
    return {"error": {"message": message, "type": kind, "param": None, "code": code}}


async def _finished(
    research: ResearchJobs, job: JobInfo, owner: str
) -> tuple[JobInfo, ResearchReport | None]:
    final = await research.wait(job.id, owner)
    if final.status != "done":
        return final, None
    report, _ = await research.report(job.id, owner)
    return final, report


async def research_completion(
    research: ResearchJobs,
    owner: str,
    topic: str,
    as_of: date | None,
    stream: bool,
    prompt_texts: list[str],
) -> JSONResponse | StreamingResponse:
    """Order the report, wait for it and answer in OpenAI's shape (whole or streamed)."""
    job, _ = await research.order(owner, topic, as_of)
    completion_id = f"chatcmpl-{uuid.uuid4().hex}"
    if stream:
        return StreamingResponse(
            _stream(research, job, owner, completion_id, prompt_texts),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache"},
        )
    final, report = await _finished(research, job, owner)
    if report is None:
        return JSONResponse(status_code=status_of(final.error_code or "internal"), content=_error(final))
    text = to_markdown(report)
    use = await asyncio.to_thread(usage, prompt_texts, text)
    return JSONResponse(
        {
            "id": completion_id,
            "object": "chat.completion",
            "created": int(job.created_at.timestamp()),
            "model": RESEARCH_MODEL,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text},
                    "finish_reason": "stop",
                    "logprobs": None,
                }
            ],
            "usage": use,
            "citations": citations(report),
            "verity": verity_object(report),
        }
    )


async def _stream(
    research: ResearchJobs, job: JobInfo, owner: str, completion_id: str, prompt_texts: list[str]
) -> AsyncIterator[bytes]:
    yield data_line(chunk(completion_id, RESEARCH_MODEL, {"role": "assistant", "content": ""}))
    waiting = asyncio.ensure_future(_finished(research, job, owner))
    try:
        while not waiting.done():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(waiting), KEEPALIVE_SECONDS)
            if not waiting.done():
                yield b": writing the report\n\n"
        final, report = waiting.result()
    finally:
        waiting.cancel()
    if report is None:
        yield data_line(_error(final))
    else:
        text = to_markdown(report)
        for piece in answer_pieces(text, words=40):
            yield data_line(chunk(completion_id, RESEARCH_MODEL, {"content": piece}))
        last = chunk(completion_id, RESEARCH_MODEL, {}, finish="stop")
        use = await asyncio.to_thread(usage, prompt_texts, text)
        last.update(usage=use, citations=citations(report), verity=verity_object(report))
        yield data_line(last)
    yield data_line("[DONE]")
