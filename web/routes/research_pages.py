"""The research pages: order and list reports (``/research``), a report's page (``/research/{id}``:
watch it being written, read it, export, publish), and the public note page (``/notes/{id}``: the
note, its related stocks, charts, per-section verification, and a chat that may cite the note).

Templates on ``base.html`` plus ES modules (``web/static/js/research*.js``) that reuse the chat
page's modules for Markdown, citation chips and source cards, badges, charts and the chat box. The
server renders who is asking and what the page is about; the modules read everything else through
``/api/research``. A report someone may not read is a 404 page, like an unknown one.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from copilot.auth import Caller
from copilot.errors import NotFoundError
from copilot.services import Services
from web.deps import OptionalCaller, ServicesDep
from web.routes.pages import render_page
from web.routes.research import job_out

router = APIRouter(include_in_schema=False)

JobId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$")]


@router.get("/research", response_class=HTMLResponse)
async def research_page(request: Request, caller: OptionalCaller, services: ServicesDep) -> HTMLResponse:
    """Order a report and list one's reports; anonymous visitors are asked to log in."""
    return render_page(request, "research.html", services, caller)


async def _job(services: Services, job_id: str, caller: Caller | None) -> Any:
    if services.research is None:
        return None
    viewer = caller.owner if caller is not None else None
    try:
        return job_out(await services.research.get(job_id, viewer), viewer)
    except NotFoundError:
        return None


@router.get("/research/{job_id}", response_class=HTMLResponse)
async def report_page(
    job_id: JobId, request: Request, caller: OptionalCaller, services: ServicesDep
) -> HTMLResponse:
    """A report: its progress while it is written, then the report with its exports."""
    job = await _job(services, job_id, caller)
    if job is None:
        return render_page(request, "research_missing.html", services, caller, 404, job_id=job_id)
    return render_page(request, "research_report.html", services, caller, job=job.model_dump(mode="json"))


@router.get("/notes/{job_id}", response_class=HTMLResponse, response_model=None)
async def note_page(
    job_id: JobId, request: Request, caller: OptionalCaller, services: ServicesDep
) -> Response:
    """A published research note, for anyone; its owner sees an unpublished one on its report page."""
    job = await _job(services, job_id, caller)
    if job is not None and not job.published and job.mine:
        return RedirectResponse(f"/research/{job_id}", status_code=303)
    if job is None or not job.published or job.status != "done":
        return render_page(request, "research_missing.html", services, caller, 404, job_id=job_id)
    return render_page(request, "note.html", services, caller, job=job.model_dump(mode="json"))
