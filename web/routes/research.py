"""``/api/research``: order deep-research reports, follow them live, read, export, publish and delete.

Only logged-in users and API keys order reports (``Idempotency-Key`` makes a retried order safe;
a per-user quota bounds the reports in progress). A report is private to its owner until published;
a published one is readable by anyone (its status, events, report and exports). Someone else's
unpublished report is a 404, like an unknown one. ``GET /api/research/{id}/events`` streams the job's
events as SSE; ``Last-Event-ID`` (or ``?after=``) replays what a client missed, each event once.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Body, Header, Query, Response
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from copilot.storage.research import JobInfo
from copilot.storage.runs import StoredEvent
from web.deps import LimiterDep, OptionalCaller, ResearchDep, SettingsDep, UserCaller
from web.routes.chat import SSE_HEADERS, _cursor
from web.streaming import sse_frame

router = APIRouter(prefix="/api", tags=["research"])

KEEPALIVE_SECONDS = 15.0  # an SSE comment while a report is quiet, so proxies keep the stream open


class OrderRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    topic: str = Field(max_length=10_000, description="what the report is about")
    as_of: date | None = Field(default=None, description="analysis date YYYY-MM-DD (default: latest)")
    model: str | None = Field(default=None, max_length=100, description="verity (default) or verity-offline")


class PublishRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    published: bool = Field(default=True, description="false makes a published report private again")


class ErrorOut(BaseModel):
    code: str
    message: str


class ClaimsOut(BaseModel):
    total: int
    verified: int
    summary: str


class JobOut(BaseModel):
    """A research job as clients see it; ``links`` say where its events, exports and note are."""

    id: str
    topic: str
    title: str
    status: Literal["queued", "running", "done", "failed", "cancelled"]
    percent: int
    stage: str
    model: str
    as_of: date | None
    report_as_of: date | None
    attempts: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    published: bool
    published_at: datetime | None
    mine: bool
    error: ErrorOut | None
    claims: ClaimsOut | None
    links: dict[str, str]


def job_out(job: JobInfo, viewer: str | None) -> JobOut:
    base = f"/api/research/{job.id}"
    links = {"self": base, "events": f"{base}/events", "page": f"/research/{job.id}"}
    if job.status in ("done", "failed", "cancelled"):
        links.update({fmt: f"{base}/report.{fmt}" for fmt in ("md", "html", "pdf", "json")})
    if job.published:
        links["note"] = f"/notes/{job.id}"
    claims = None
    if job.claims_total is not None:
        verified = job.claims_verified or 0
        summary = f"claims verified {verified}/{job.claims_total}"
        claims = ClaimsOut(total=job.claims_total, verified=verified, summary=summary)
    return JobOut(
        id=job.id,
        topic=job.topic,
        title=job.title,
        status=job.status,
        percent=job.percent,
        stage=job.stage,
        model=job.model,
        as_of=job.as_of,
        report_as_of=job.report_as_of,
        attempts=job.attempts,
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
        published=job.published,
        published_at=job.published_at,
        mine=job.owner == viewer,
        error=ErrorOut(code=job.error_code, message=job.error_message or "") if job.error_code else None,
        claims=claims,
        links=links,
    )


def _viewer(caller: OptionalCaller) -> str | None:
    return caller.owner if caller is not None else None


@router.post("/research", status_code=202, responses={200: {"description": "an earlier order (same key)"}})
async def order_report(
    body: OrderRequest,
    caller: UserCaller,
    research: ResearchDep,
    limiter: LimiterDep,
    settings: SettingsDep,
    idempotency_key: Annotated[
        str | None, Header(alias="Idempotency-Key", description="retrying with the same key orders once")
    ] = None,
) -> JSONResponse:
    """Order a report; it is written in the background (follow ``links.events``)."""
    await limiter.hit(settings.rate_limit_user, "research", caller.owner)
    job, created = await research.order(caller.owner, body.topic, body.as_of, body.model, idempotency_key)
    out = job_out(job, caller.owner).model_dump(mode="json")
    headers = {"Location": out["links"]["self"]}
    if not created:
        headers["Idempotent-Replayed"] = "true"
    return JSONResponse(out, status_code=202 if created else 200, headers=headers)


@router.get("/research")
async def list_reports(
    caller: UserCaller,
    research: ResearchDep,
    status: Annotated[
        Literal["queued", "running", "done", "failed", "cancelled"] | None, Query(description="only these")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> list[JobOut]:
    """The caller's reports, newest first."""
    jobs = await research.list_jobs(caller.owner, limit, offset, status)
    return [job_out(job, caller.owner) for job in jobs]


@router.get("/research/{job_id}")
async def read_report_status(job_id: str, caller: OptionalCaller, research: ResearchDep) -> JobOut:
    """Where a report stands (the owner's, or a published one)."""
    viewer = _viewer(caller)
    return job_out(await research.get(job_id, viewer), viewer)


async def _frames(batches: AsyncIterator[list[StoredEvent]]) -> AsyncIterator[bytes]:
    """SSE frames of the batches, with a keep-alive comment when nothing came for a while."""
    iterator = aiter(batches)
    pending: asyncio.Task[list[StoredEvent]] | None = None
    try:
        while True:
            pending = pending or asyncio.ensure_future(anext(iterator))
            done, _ = await asyncio.wait({pending}, timeout=KEEPALIVE_SECONDS)
            if not done:
                yield b": keep-alive\n\n"
                continue
            task, pending = pending, None
            try:
                batch = task.result()
            except StopAsyncIteration:
                return
            yield b"".join(sse_frame(e.seq, e.type, e.data) for e in batch)
    finally:
        if pending is not None:
            pending.cancel()
            await asyncio.gather(pending, return_exceptions=True)
        with contextlib.suppress(RuntimeError):
            await batches.aclose()  # type: ignore[attr-defined]


@router.get(
    "/research/{job_id}/events",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "replayed, then live events"}},
)
async def report_events(
    job_id: str,
    caller: OptionalCaller,
    research: ResearchDep,
    last_event_id: Annotated[str | None, Header(alias="Last-Event-ID")] = None,
    after: Annotated[int | None, Query(ge=0, description="replay events numbered above this")] = None,
) -> StreamingResponse:
    """The report's events after the cursor (``id:`` numbers them), then live until it ends."""
    cursor = _cursor(last_event_id, after)
    viewer = _viewer(caller)
    await research.get(job_id, viewer)  # 404 before the stream starts
    return StreamingResponse(
        _frames(research.batches(job_id, viewer, after=cursor)),
        media_type="text/event-stream",
        headers=SSE_HEADERS,
    )


@router.get("/research/{job_id}/report.{fmt}", response_class=Response)
async def export_report(
    job_id: str, fmt: Literal["md", "html", "pdf", "json"], caller: OptionalCaller, research: ResearchDep
) -> Response:
    """The report as Markdown, self-contained HTML, PDF or JSON (a failed job's partial report)."""
    body, media_type, status = await research.export(job_id, _viewer(caller), fmt)
    name = f"verity-research-{job_id}.{fmt}"
    disposition = "inline" if fmt in ("html", "json") else "attachment"
    headers = {"Content-Disposition": f'{disposition}; filename="{name}"', "X-Report-Status": status}
    if fmt == "html":  # the page is self-contained: it may load nothing and run nothing
        headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
    return Response(body, media_type=media_type, headers=headers)


@router.post("/research/{job_id}/cancel")
async def cancel_report(job_id: str, caller: UserCaller, research: ResearchDep) -> JobOut:
    """Stop a queued or running report (a running one keeps what it finished as a partial report)."""
    return job_out(await research.cancel(job_id, caller.owner), caller.owner)


@router.post("/research/{job_id}/publish")
async def publish_report(
    job_id: str,
    caller: UserCaller,
    research: ResearchDep,
    body: Annotated[PublishRequest | None, Body()] = None,
) -> JobOut:
    """Publish a finished report as a public note (``{"published": false}`` makes it private again)."""
    published = body.published if body is not None else True
    return job_out(await research.publish(job_id, caller.owner, published), caller.owner)


@router.delete("/research/{job_id}", status_code=204)
async def delete_report(job_id: str, caller: UserCaller, research: ResearchDep) -> Response:
    """Delete a report with its events and exports (a running one is stopped)."""
    await research.delete(job_id, caller.owner)
    return Response(status_code=204)
