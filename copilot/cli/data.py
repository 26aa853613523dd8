"""`verity data ...`: market-data commands (quote, history, performance, technicals, valuation, sectors,
financials, analyst-targets, market-valuation).

Every command takes names or symbols ("Russell 2000", "^RUT"), ``--as-of DATE`` (default: the
``VERITY_AS_OF`` setting, else the latest data) and ``--json`` (the Source with its facts).
Typed errors print as one line and exit 2. Tests swap ``get_market`` for a MarketData of their own.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import cache
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from copilot.cli.common import cli_errors, console, parse_date, print_json
from copilot.config import get_settings
from copilot.formatting import format_compact
from tools.period_names import FORMS

if TYPE_CHECKING:  # the market layer loads pandas: imported when a command runs, not for --help
    from copilot.schemas import Fact, Source
    from tools.market import MarketData

app = typer.Typer(no_args_is_help=True)

AsOf = Annotated[
    str | None, typer.Option("--as-of", help="analysis date YYYY-MM-DD (no data after it is used)")
]
Json = Annotated[bool, typer.Option("--json", help="print the source and its facts as JSON")]
Period = Annotated[str, typer.Option("--period", "-p", help=FORMS)]


def get_market() -> MarketData:
    """The MarketData the settings select (live yfinance + cache, or a snapshot directory)."""
    from tools.market import build_market_data

    return build_market_data(get_settings())


def _run(
    as_of: str | None, as_json: bool, call: Callable[[MarketData, date | None], Source | list[Source]]
) -> None:
    with cli_errors():
        day = parse_date(as_of, "as-of") or get_settings().as_of
        result = call(get_market(), day)
        sources = result if isinstance(result, list) else [result]
        if as_json:  # one source prints as an object (as before), several as a list
            payload = [s.model_dump(mode="json") for s in sources]
            print_json(payload if isinstance(result, list) else payload[0])
        else:
            for source in sources:
                _render(source)


@app.command()
def quote(symbol: str, as_of: AsOf = None, as_json: Json = False) -> None:
    """Last price, change, day range, volume vs its averages, 52-week range."""
    _run(as_of, as_json, lambda md, day: md.quote(symbol, as_of=day))


@app.command()
def history(
    symbol: str,
    on: Annotated[
        str | None, typer.Option("--date", help="a day YYYY-MM-DD (default: the as-of day)")
    ] = None,
    start: Annotated[str | None, typer.Option(help="range start YYYY-MM-DD")] = None,
    end: Annotated[str | None, typer.Option(help="range end YYYY-MM-DD (default: as-of)")] = None,
    as_of: AsOf = None,
    as_json: Json = False,
) -> None:
    """Close, open/high/low and volume on a day, or first/last close, change, range and volume
    over --start/--end."""

    def call(md: MarketData, day: date | None) -> Source:
        when, first, last = parse_date(on, "date"), parse_date(start, "start"), parse_date(end, "end")
        return md.price_history(symbol, date=when, start=first, end=last, as_of=day)

    _run(as_of, as_json, call)


@app.command()
def performance(
    symbols: Annotated[
        list[str], typer.Argument(help="names or symbols; the first is compared to the others")
    ],
    period: Period = "ytd",
    start: Annotated[str | None, typer.Option(help="custom range start YYYY-MM-DD")] = None,
    end: Annotated[str | None, typer.Option(help="custom range end YYYY-MM-DD (default: as-of)")] = None,
    as_of: AsOf = None,
    as_json: Json = False,
) -> None:
    """Returns over a period (or --start/--end) and relative performance vs the first symbol."""

    def call(md: MarketData, day: date | None) -> Source:
        first, last = parse_date(start, "start"), parse_date(end, "end")
        return md.performance(symbols, None if first else period, start=first, end=last, as_of=day)

    _run(as_of, as_json, call)


@app.command()
def technicals(symbol: str, as_of: AsOf = None, as_json: Json = False) -> None:
    """Moving averages, RSI, MACD, Bollinger, ATR, support/resistance, volatility, drawdown."""
    _run(as_of, as_json, lambda md, day: md.technicals(symbol, as_of=day))


@app.command()
def valuation(symbol: str, as_of: AsOf = None, as_json: Json = False) -> None:
    """Multiples computed at the analysis date from the close and public statements (P/E on TTM
    EPS, P/S, P/B, EV/EBITDA, net margin, FCF yield), then the provider's dated snapshot."""
    _run(as_of, as_json, lambda md, day: md.valuations(symbol, as_of=day))


@app.command()
def financials(
    symbol: str,
    statement: Annotated[
        str, typer.Option("--statement", "-s", help="income | balance | cashflow | all")
    ] = "all",
    freq: Annotated[str, typer.Option("--freq", "-f", help="annual | quarterly")] = "quarterly",
    periods: Annotated[int, typer.Option("--periods", "-n", help="recent periods to show (1-8)")] = 4,
    as_of: AsOf = None,
    as_json: Json = False,
) -> None:
    """Statement lines, margins and growth of the periods public at the analysis date."""
    _run(as_of, as_json, lambda md, day: md.financials(symbol, statement, freq, periods, as_of=day))


@app.command("analyst-targets")
def analyst_targets(symbol: str, as_of: AsOf = None, as_json: Json = False) -> None:
    """Mean/high/low price target, number of analysts, rating and implied upside, dated."""
    _run(as_of, as_json, lambda md, day: md.analyst_targets(symbol, as_of=day))


@app.command("market-valuation")
def market_valuation(as_of: AsOf = None, as_json: Json = False) -> None:
    """The S&P 500's P/E and CAPE (Shiller), with the month of each and how old it is."""
    _run(as_of, as_json, lambda md, day: md.market_valuation(as_of=day))


@app.command()
def sectors(
    period: Period = "1d",
    as_of: AsOf = None,
    as_json: Json = False,
) -> None:
    """The 11 SPDR sector ETFs ranked by return over the period."""
    _run(as_of, as_json, lambda md, day: md.sectors(period, as_of=day))


# -- rendering ----------------------------------------------------------------------------------


def _render(source: Source) -> None:
    symbols = list(dict.fromkeys(f.symbol for f in source.facts if f.symbol))
    table = Table(title=source.title, title_justify="left", show_lines=False)
    if len(symbols) > 1:
        table.add_column("Symbol", style="bold")
    table.add_column("Metric")
    table.add_column("Value", justify="right")
    for fact in source.facts:
        row = [fact.label, _shown(fact)]
        table.add_row(*([fact.symbol or ""] if len(symbols) > 1 else []), *row)
    console.print(table)
    missing = source.details.get("missing")
    for key, value in source.details.items():
        if key == "missing":
            continue
        shown = "\n    ".join(map(str, value)) if isinstance(value, list) else str(value)
        console.print(f"  [dim]{key.replace('_', ' ')}:[/] {shown}", highlight=False)
    if missing:
        names = ", ".join(_missing_label(str(m)) for m in missing)
        console.print(f"  [yellow]Not available from {source.provider}:[/] {names}", highlight=False)
    for note in source.notes:
        console.print(f"  [dim]note:[/] {note}", highlight=False)
    stale = f", STALE ({source.age_seconds or 0:.0f} s old)" if source.stale else ""
    when = source.as_of.isoformat() if source.as_of else "n/a"
    console.print(
        f"  [dim]source: {source.provider}, as of {when}{stale}, id {source.id}[/]", highlight=False
    )


def _shown(fact: Fact) -> str:
    if fact.key.startswith("spread_vs_"):
        return f"{fact.value:+.{fact.precision}f} pts"
    if fact.unit == "%" and fact.key.startswith(_SIGNED):
        return f"{fact.value:+.{fact.precision}f}%"
    if fact.unit == "USD" and abs(fact.value) >= 1e9:  # market caps: $3.69T, not 13 digits
        sign = "-" if fact.value < 0 else ""
        return f"{sign}${format_compact(abs(fact.value), max(fact.precision, 2))}"
    return fact.display()


def _missing_label(key: str) -> str:
    return _labels().get(key, key.replace("_", " "))


_SIGNED = ("price_return_", "total_return_", "change", "pct_from_", "max_drawdown")


@cache
def _labels() -> dict[str, str]:
    from tools.metrics.valuation import FIELDS

    return {key: label for key, _, label, _ in FIELDS}
