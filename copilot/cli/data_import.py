"""`verity data import` and `verity data snapshot`: build snapshot directories for offline use.

``register(app)`` adds both commands to the ``verity data`` app. The live provider for
``snapshot`` comes from ``build_live_provider(settings)``: tests swap it for one whose session
replays recorded Yahoo exchanges.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from copilot.cli.common import cli_errors, console, parse_date, print_json
from copilot.config import Settings, get_settings
from copilot.errors import BadInputError

if TYPE_CHECKING:
    from tools.importer import ImportReport
    from tools.providers.base import MarketDataProvider

Dest = Annotated[Path, typer.Option("--dest", help="snapshot directory to create or replace")]
Json = Annotated[bool, typer.Option("--json", help="print the import report as JSON")]


def build_live_provider(settings: Settings) -> MarketDataProvider:
    """The live provider ``verity data snapshot`` records from."""
    from tools.providers.yfinance_provider import build_yfinance_provider

    return build_yfinance_provider(settings)


def import_command(
    sources: Annotated[
        list[Path],
        typer.Argument(help="price/fundamentals/statements/targets/Shiller/SEC-index CSV files or folders"),
    ],
    dest: Dest,
    on_split: Annotated[
        str, typer.Option("--on-split", help="adjust: divide bars before a split; refuse: stop")
    ] = "adjust",
    as_json: Json = False,
) -> None:
    """Build a snapshot from long-format CSVs; later files win where dates overlap."""
    with cli_errors():
        if on_split not in ("adjust", "refuse"):
            raise BadInputError(f"--on-split must be 'adjust' or 'refuse', not {on_split!r}")
        from tools.importer import import_snapshot

        report = import_snapshot(sources, dest, on_split="refuse" if on_split == "refuse" else "adjust")
        _show(report, as_json)


def snapshot_command(
    symbols: Annotated[list[str], typer.Argument(help="symbols to record, e.g. SPY ^RUT AAPL")],
    dest: Dest,
    start: Annotated[str | None, typer.Option(help="first day YYYY-MM-DD (default: all history)")] = None,
    end: Annotated[str | None, typer.Option(help="last day YYYY-MM-DD (default: today)")] = None,
    as_json: Json = False,
) -> None:
    """Record a snapshot of SYMBOLS from the live provider (one batched download)."""
    with cli_errors():
        first = parse_date(start, "start")
        last = parse_date(end, "end") or datetime.now(UTC).date()
        from tools.snapshot_recorder import record_snapshot

        report = record_snapshot(build_live_provider(get_settings()), symbols, dest, first, last)
        _show(report, as_json)


def register(app: typer.Typer) -> None:
    """Add `import` and `snapshot` to the `verity data` app."""
    app.command("import")(import_command)
    app.command("snapshot")(snapshot_command)


def _show(report: ImportReport, as_json: bool) -> None:
    if as_json:
        print_json(report.to_dict())
        return
    table = Table(title=f"Snapshot {report.dest}", show_lines=False)
    columns = ("symbol", "rows", "from", "to", "files (range)", "overridden", "seams (factor)", "splits")
    for column in columns:
        table.add_column(column, justify="right" if column in ("rows", "overridden") else "left")
    for symbol, item in sorted(report.symbols.items()):
        files = "\n".join(f"{_short(s.source)} {s.first_date}..{s.last_date}" for s in item.segments)
        seams = "\n".join(_seam(s.date, s.factor, s.applied) for s in item.seams)
        splits = "\n".join(f"{e.date} {e.ratio}" for e in item.splits)
        cells = (item.first_date, item.last_date, files, str(item.overridden_rows), seams, splits)
        table.add_row(symbol, str(item.rows), *cells)
    console.print(table)
    for event in report.splits:
        where = f"{event.symbol} {event.ratio} on {event.date} in {event.source}"
        console.print(f"[yellow]split[/] {where}: {event.evidence}")
    for item in report.symbols.values():
        for basis in item.basis_breaks:
            console.print(
                f"[yellow]basis break[/] {item.symbol} on {basis.date} in {basis.source}: earlier rows x"
                f"{basis.factor:.6f} ({basis.step_pct:+.2f}% spurious; return of {basis.confirmed_by} kept)"
            )
        for gap in item.gaps:
            console.print(f"[yellow]gap[/] {item.symbol}: no bars between {gap.after} and {gap.before}")
    skipped = [Path(f.path).name for f in report.files if f.kind == "skipped"]
    if skipped:
        console.print(f"skipped (not importable): {', '.join(skipped)}")
    console.print(
        f"[green]{len(report.symbols)} symbols[/], fundamentals for {report.fundamentals}, "
        f"{report.names} names -> {report.dest} in {report.seconds:.2f} s"
    )
    if report.fundamental_tables:  # statements, filings, analyst targets, the Shiller series
        read = ", ".join(
            f"{key.replace('_', ' ')} {rows:,} rows" for key, rows in report.fundamental_tables.items()
        )
        console.print(f"also imported: {read}", highlight=False)


def _short(file_name: str) -> str:
    return file_name.removesuffix(".gz").removesuffix(".csv")


def _seam(day: str, factor: float | None, applied: bool) -> str:
    if factor is None:
        return f"{day} no overlap"
    return f"{day} x{factor:.6f}" + ("" if applied else " (same basis)")
