"""Deterministic prose for market performance and breadth: every figure rendered from a fact.

Sentences are built from ``Evidence`` facts with the [n] of their source, displayed the way the
verifier reads them (``+5.73%``, ``$260.23``, ``36.30M shares``), so they verify by construction;
whatever a step could not fetch is left out and noted.
"""

from __future__ import annotations

from copilot.research.draft import Draft, WriteContext, capital, long_date, possessive
from copilot.research.evidence import CitedFact
from copilot.research.subjects import fund, main_index


def period_return(ctx: WriteContext, step: str, symbol: str, period: str) -> CitedFact | None:
    """The price return of ``symbol`` (a total return when no traded closes cover the period)."""
    return ctx.evidence.fact(step, f"price_return_{period}", symbol) or ctx.evidence.fact(
        step, f"total_return_{period}", symbol
    )


def performance(ctx: WriteContext) -> Draft:
    draft = Draft()
    main = main_index(ctx.plan.subjects)
    others = [s.symbol for s in ctx.plan.subjects if s.role in ("benchmark", "peer", "sector")]
    for step, period, when in (("perf_ytd", "ytd", "year to date"), ("perf_1y", "1y", "over the past year")):
        own = period_return(ctx, step, main.symbol, period)
        if own is None:
            ctx.missing(draft, step)
            continue
        versus = [(s, period_return(ctx, step, s, period)) for s in others]
        against = [f"{r.show(signed=True)} for {ctx.name(s)}" for s, r in versus if r is not None]
        kind = "price return" if own.fact.key.startswith("price") else "total return"
        sentence = f"{capital(ctx.name(main.symbol))} returned {own.show(signed=True)} {when} ({kind})"
        sentence += (", against " + " and ".join(against) if against else "") + f" {own.cite}."
        draft.add(
            sentence, _lead(ctx, step, main.symbol, others) if period == "ytd" else None, highlight=True
        )
    for subject in ctx.plan.subjects:
        if subject.role in ("primary", "etf", "index"):
            draft.add(*quote_sentences(ctx, subject.symbol), highlight=subject.symbol != main.symbol)
    return draft


def _lead(ctx: WriteContext, step: str, symbol: str, others: list[str]) -> str | None:
    """Relative performance as the tool computed it: multiples of gains, spreads in points."""
    parts: list[str] = []
    cite = ""
    for other in others:
        spread = ctx.evidence.fact(step, f"spread_vs_{other}", symbol)
        multiple = ctx.evidence.fact(step, f"relative_to_{other}", symbol)
        if spread is None:
            continue
        cite = spread.cite
        points = f"{abs(spread.fact.value):.{spread.fact.precision}f} percentage points"
        word = "ahead of" if spread.fact.value >= 0 else "behind"
        part = f"{points} {word} {ctx.name(other)}"
        if multiple is not None and spread.fact.value > 0 and multiple.fact.value > 0:
            part += f" ({multiple.show()} its gain)"
        parts.append(part)
    if not parts:
        return None
    return f"That puts {ctx.name(symbol)} " + " and ".join(parts) + f" {cite}."


def quote_sentences(ctx: WriteContext, symbol: str) -> list[str]:
    """Last price, day change, distance from the 52-week high and volume against its average."""
    step = f"quote_{symbol}"
    last = ctx.evidence.fact(step, "last_price", symbol) or ctx.evidence.fact(
        step, "last_price_adjusted", symbol
    )
    if last is None:
        return []
    name = ctx.name(symbol)
    change = ctx.evidence.fact(step, "change_pct", symbol)
    high = ctx.evidence.fact(step, "high_52w", symbol)
    gap = ctx.evidence.fact(step, "pct_from_high_52w", symbol)
    day = last.fact.as_of or ctx.as_of
    tracked = _tracked(ctx, symbol)
    sentence = f"{capital(name)}{tracked} closed at {last.show()} on {long_date(day)}"
    if change is not None:
        sentence += f" ({change.show(signed=True)} on the day)"
    if high is not None and gap is not None:
        if abs(gap.fact.value) < 0.005:
            sentence += f", at its 52-week high of {high.show()}"
        else:
            distance = f"{abs(gap.fact.value):.{gap.fact.precision}f}%"
            sentence += f", {distance} below its 52-week high of {high.show()}"
    sentences = [sentence + f" {last.cite}."]
    volume = ctx.evidence.fact(step, "volume", symbol)
    average = ctx.evidence.fact(step, "avg_volume_3m", symbol)
    if volume is not None and average is not None and volume.fact.value > 0:
        word = "below" if volume.fact.value < average.fact.value else "above"
        sentences.append(
            f"{possessive(capital(name))} volume of {volume.show()} was {word} its 3-month average of "
            f"{average.show()} {volume.cite}."
        )
    source = ctx.evidence.source(step)
    if source is not None:
        sentences += [f"{note.rstrip('.')} {last.cite}." for note in source[1].notes if "52-week" in note]
    return sentences


def _tracked(ctx: WriteContext, symbol: str) -> str:
    subject = next((s for s in ctx.plan.subjects if s.symbol == symbol), None)
    index = next((s for s in ctx.plan.subjects if s.role in ("primary", "index") and s.kind == "index"), None)
    if subject is None or subject.role != "etf" or index is None:
        return ""
    return f", the ETF that tracks {ctx.name(index.symbol)},"


def breadth(ctx: WriteContext) -> Draft:
    draft = Draft()
    for step in ("sectors_1d", "sectors_ytd"):
        found = ctx.evidence.source(step)
        if found is None:
            ctx.missing(draft, step)
            continue
        n, source = found
        when = "Year to date" if step == "sectors_ytd" else f"On {long_date(source.as_of or ctx.as_of)}"
        ranked = [f for f in source.facts if f.key.startswith(("price_return_", "total_return_"))]
        if len(ranked) < 2:
            continue
        best, second, worst = ranked[0], ranked[1], ranked[-1]
        cite = f"[{n}]"
        up = sum(1 for f in ranked if f.value > 0)
        verb = "rose" if step == "sectors_1d" else "are up"
        draft.add(
            f"{when}, {up} of {len(ranked)} sectors {verb} {cite}: {best.label} led with "
            f"{CitedFact(best, n).show(signed=True)} and {second.label} followed with "
            f"{CitedFact(second, n).show(signed=True)}, while {worst.label} trailed at "
            f"{CitedFact(worst, n).show(signed=True)} {cite}.",
            highlight=step == "sectors_ytd",
        )
        if step == "sectors_ytd":
            kind = "support" if up * 3 >= len(ranked) * 2 else "caution"
            draft.signal(kind, f"{up} of {len(ranked)} sectors are up this year")
    draft.add(_size(ctx, draft))
    return draft


def _size(ctx: WriteContext, draft: Draft) -> str | None:
    """Small against large companies: the main index's lead over the S&P 500 this year."""
    main = main_index(ctx.plan.subjects)
    if main.symbol == "^GSPC" or main.kind == "equity":
        return None  # company size says nothing about one stock
    spread = ctx.evidence.fact("perf_ytd", "spread_vs_^GSPC", main.symbol)
    if spread is None:
        return None
    points = f"{abs(spread.fact.value):.{spread.fact.precision}f} percentage points"
    if spread.fact.value > 0:
        draft.signal("support", f"{ctx.name(main.symbol)} leads the S&P 500 this year")
        if main.symbol == "^RUT":
            return (
                f"With {ctx.name(main.symbol)} {points} ahead of the S&P 500 this year {spread.cite}, "
                "participation reaches beyond the largest companies."
            )
        return f"{capital(ctx.name(main.symbol))} is {points} ahead of the S&P 500 this year {spread.cite}."
    draft.signal("caution", f"{ctx.name(main.symbol)} trails the S&P 500 this year")
    return f"{capital(ctx.name(main.symbol))} trails the S&P 500 by {points} this year {spread.cite}."


def results(ctx: WriteContext) -> str | None:
    """The latest quarter's revenue and diluted EPS of a stock, with revenue growth, from its statements."""
    symbol = tradable_symbol(ctx)
    step = f"financials_{symbol}"
    if symbol is None or not any(s.id == step for s in ctx.plan.steps):
        return None
    revenue = next((f for f in ctx.evidence.facts(step, "revenue_") if "growth" not in f.fact.key), None)
    eps = next((f for f in ctx.evidence.facts(step, "diluted_eps_") if "growth" not in f.fact.key), None)
    if revenue is None:
        ctx.missing(Draft(), step)
        return None
    period = revenue.fact.label.split(", ", 1)[-1]
    text = f"In {period}, {ctx.name(symbol)} reported revenue of {revenue.show()}"
    growth = (
        ctx.evidence.facts(step, "revenue_growth_yoy") or ctx.evidence.facts(step, "revenue_growth_qoq")
    )[:1]
    if growth:
        how = "year over year" if "yoy" in growth[0].fact.key else "quarter over quarter"
        text += f" ({growth[0].show(signed=True)} {how})"
    if eps is not None and eps.fact.label.endswith(period):
        text += f" and diluted EPS of {eps.show()}"
    return text + f" {revenue.cite}."


def tradable_symbol(ctx: WriteContext) -> str | None:
    subject = fund(ctx.plan.subjects)
    return subject.symbol if subject is not None else None
