"""``verity research "TOPIC"``: write a cited, verified research note, with a progress bar.

The report is written to ``--out`` (default: a file named after the topic and date in the current
directory) in ``--format`` (default: the file's extension, else Markdown). A failed run writes its
partial report beside it (``<name>.partial.json``), when there is one, and exits 2 with one line.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

from copilot.cli.common import cli_errors, console, parse_date
from copilot.config import Settings, get_settings
from copilot.errors import VerityError

if TYPE_CHECKING:  # the pipeline loads the agent and the market layer: imported when the command runs
    from copilot.research import ResearchDeps, ResearchFailedEvent, ResearchReport, ResearchRequest


def _default_deps(settings: Settings) -> ResearchDeps:
    from copilot.research import build_research_deps

    return build_research_deps(settings)


# The seam tests use to run the command over a snapshot, a knowledge base and scripted models.
deps_factory: Callable[[Settings], ResearchDeps] = _default_deps


class ResearchFailed(VerityError):
    """A ``failed`` event, re-raised so the command prints one line and exits 2."""

    def __init__(self, event: ResearchFailedEvent) -> None:
        super().__init__(event.message)
        self.code = event.code


def default_path(topic: str, as_of: date | None, fmt: str) -> Path:
    """``small-cap-rally-is-the-russell-2000-s-2026-01-09.md``: the topic's first words and the date."""
    slug = "-".join(re.findall(r"[a-z0-9]+", topic.lower())[:8]) or "research"
    return Path(f"{slug}-{as_of.isoformat() if as_of else 'latest'}.{fmt}")


async def _run(request: ResearchRequest, deps: ResearchDeps, progress: Progress, out: Path) -> ResearchReport:
    from copilot.research import ResearchDoneEvent, ResearchFailedEvent, ResearchStepEvent, run_research
    from copilot.research.export import write_report

    task = progress.add_task("planning", total=100)
    failed: ResearchFailedEvent | None = None
    async for event in run_research(request, deps):
        if isinstance(event, ResearchStepEvent):
            label = f"{event.name} {event.status}" + (f" ({event.error})" if event.error else "")
            progress.update(task, completed=event.percent, description=label[:70])
            if event.status in ("failed", "retried"):
                progress.console.print(
                    f"[yellow]{event.name} {event.status}:[/] {event.error}", highlight=False
                )
        elif isinstance(event, ResearchDoneEvent):
            progress.update(task, completed=100, description="done")
            return event.report
        elif isinstance(event, ResearchFailedEvent):
            failed = event
    assert failed is not None, "a research run ends with done or failed"
    if failed.report is not None:
        partial = write_report(failed.report, out.with_name(f"{out.stem}.partial.json"), "json")
        progress.console.print(f"The partial report was written to {partial}", highlight=False)
    raise ResearchFailed(failed)


def research(
    topic: Annotated[str, typer.Argument(help="the research topic, in quotes")],
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="analysis date YYYY-MM-DD (default: latest)")
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="the file to write (default: from the topic)")
    ] = None,
    fmt: Annotated[
        str | None, typer.Option("--format", help="md, html, pdf or json (default: from --out)")
    ] = None,
    model: Annotated[
        str, typer.Option("--model", help="verity (the configured LLM) or verity-offline")
    ] = "verity",
) -> None:
    """Write a multi-section research note whose every figure is cited and verified."""
    with cli_errors():
        from copilot.research import ResearchRequest
        from copilot.research.export import check_format, write_report

        day = parse_date(as_of, "as-of")
        chosen = check_format(fmt or (out.suffix.lstrip(".") if out and out.suffix else "md"))
        request = ResearchRequest(topic=topic, as_of=day, model=model)
        deps = deps_factory(get_settings())
        columns = (TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(), TimeElapsedColumn())
        with Progress(*columns, console=console, transient=not console.is_terminal) as progress:
            path = out or default_path(topic, day, chosen)
            report = asyncio.run(_run(request, deps, progress, path))
        write_report(report, path, chosen)
        console.print(f"{report.verification.summary} · {report.mode} · as of {report.as_of.isoformat()}")
        for note in report.notes:
            console.print(f"[dim]note: {note}[/]", highlight=False)
        console.print(f"Report written to {path}", highlight=False, soft_wrap=True)
