"""``verity eval FILE``: run questions with expected figures and report accuracy, citations, verification."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from copilot.cli.common import cli_errors, console, err_console, parse_date, print_json
from copilot.config import Settings, get_settings

if TYPE_CHECKING:
    from copilot.evaluation import EvalReport, Runner


def eval_command(
    file: Annotated[Path, typer.Argument(help="JSONL cases: id, question, as_of, expected, conversation")],
    as_of: Annotated[str | None, typer.Option("--as-of", help="analysis date for every case")] = None,
    json_output: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
    min_accuracy: Annotated[float, typer.Option(help="fail (exit 1) below this figure accuracy (0-1)")] = 0.0,
    min_verification: Annotated[float, typer.Option(help="fail below this verification rate (0-1)")] = 0.0,
    min_citations: Annotated[float, typer.Option(help="fail below this share of valid citations")] = 0.0,
) -> None:
    """Run an evaluation file through the chat service and score every answer."""
    with cli_errors():
        day = parse_date(as_of, "as-of")
        from copilot.evaluation import load_cases, run_eval

        cases = load_cases(file)
        runner = build_runner(get_settings())
        report = asyncio.run(run_eval(cases, runner, day))
    code = report_and_exit_code(report, json_output, min_accuracy, min_verification, min_citations)
    if code:
        raise typer.Exit(code=code)


def build_runner(settings: Settings) -> Runner:
    """``ChatService.run_turn`` of the service the settings describe (the one ``verity ask`` uses)."""
    from copilot.services import build_chat_service

    return build_chat_service(settings).run_turn


def report_and_exit_code(
    report: EvalReport,
    json_output: bool = False,
    min_accuracy: float = 0.0,
    min_verification: float = 0.0,
    min_citations: float = 0.0,
) -> int:
    """Print the report (a rich table or JSON); 1 when a threshold fails, else 0."""
    failures = report.failures(min_accuracy, min_verification, min_citations)
    if json_output:
        print_json({**report.model_dump(mode="json"), "threshold_failures": failures})
    else:
        console.print(_table(report))
        console.print(
            f"figure accuracy {report.figure_accuracy:.1%} · "
            f"citation validity {report.citation_validity:.1%} · "
            f"verification {report.verification_rate:.1%} · "
            f"latency p50 {report.latency_p50_s * 1000:.0f} ms p95 {report.latency_p95_s * 1000:.0f} ms · "
            f"{report.passed}/{len(report.cases)} passed",
            highlight=False,
        )
    for line in failures:
        err_console.print(f"[bold red]Below threshold:[/] {line}", highlight=False)
    return 1 if failures else 0


def _table(report: EvalReport) -> Table:
    table = Table(title="Verity evaluation", show_lines=False)
    for column in ("case", "figures", "citations", "verified", "latency", "result"):
        table.add_column(column, justify="right" if column in ("figures", "verified", "latency") else "left")
    for case in report.cases:
        if case.error:
            note = f"[red]error[/] {escape(case.error)}"
        elif case.passed:
            note = "[green]pass[/]"
        else:
            missing = escape(", ".join(_describe(e) for e in case.missing))
            note = "[red]fail[/]" + (f" missing {missing}" if missing else "")
        citations = (
            "ok" if case.citations_valid else "invalid " + "".join(f"[{n}]" for n in case.invalid_citations)
        )
        table.add_row(
            case.id,
            f"{case.found}/{case.expected}",
            escape(citations),
            f"{case.figures_verified}/{case.figures_total}",
            f"{case.latency_s * 1000:.0f} ms",
            note,
        )
    return table


def _describe(expected: Any) -> str:
    label = ":".join(p for p in (expected.symbol, expected.key) if p)
    return f"{label}={expected.value:g}" if label else f"{expected.value:g}"
