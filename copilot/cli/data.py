"""`verity data ...`: market-data commands (quote, performance, technicals, valuation, sectors)."""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True)
