"""What every CLI command shares: the rich consoles and typed-error handling."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import typer
from rich.console import Console

from copilot.errors import VerityError

console = Console()
err_console = Console(stderr=True)


@contextmanager
def cli_errors(json_output: bool = False) -> Iterator[None]:
    """Print a typed error as one clear line (no traceback) and exit non-zero; with ``--json``, as
    a JSON object on stdout (``{"error": code, "message": ...}``) so a program reads it like the rest."""
    try:
        yield
    except VerityError as exc:
        if json_output:
            print_json(exc.to_dict())
        else:
            err_console.print(f"[bold red]Error:[/] {exc.message}", highlight=False)
        raise typer.Exit(code=2) from None


def parse_date(value: str | None, name: str = "date") -> date | None:
    """Parse YYYY-MM-DD or raise BadInputError with the option's name."""
    from copilot.errors import BadInputError

    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadInputError(f"--{name} must be a date as YYYY-MM-DD, not {value!r}") from None


def print_json(payload: Any, default: Callable[[Any], Any] = str) -> None:
    """Machine-readable output: plain JSON on stdout, nothing else."""
    typer.echo(json.dumps(payload, indent=2, default=default))
