"""Deterministic prose for risks and outlook, and the summary and conclusion written from the sections.

Risks and outlook read the same facts as the other sections (stretched momentum, volume against its
average, the past year's drawdown, the Fed's own cautions, support levels). The summary repeats the
highlight sentences the analysis sections kept after verification; the conclusion weighs the
signals the sections recorded. Neither adds a figure of its own.
"""

from __future__ import annotations

from copilot.research.draft import Draft, WriteContext, join_words, possessive
from copilot.research.prose_fed import decisions, quote
from copilot.research.prose_market import tradable_symbol
from copilot.research.prose_technicals import indicator
from copilot.research.subjects import main_index

NEAR_OVERBOUGHT = 60.0  # an RSI this high is worth naming as a risk even below 70


def risks(ctx: WriteContext) -> Draft:
    draft = Draft()
    main = main_index(ctx.plan.subjects)
    name = ctx.name(main.symbol)
    step = f"technicals_{main.symbol}"
    rsi = indicator(ctx, step, "rsi_14", main.symbol)
    if rsi is not None and rsi.fact.value >= NEAR_OVERBOUGHT:
        zone = (
            "above the overbought line of 70" if rsi.fact.value > 70 else "close to the overbought line of 70"
        )
        draft.add(
            f"Momentum is stretched: {possessive(name)} RSI of {rsi.show()} is {zone} {rsi.cite}, "
            "which often comes before a pause or a pullback."
        )
    symbol = tradable_symbol(ctx)
    if symbol is not None:
        volume = ctx.evidence.fact(f"quote_{symbol}", "volume", symbol)
        average = ctx.evidence.fact(f"quote_{symbol}", "avg_volume_3m", symbol)
        if volume and average and 0 < volume.fact.value < average.fact.value:
            draft.add(
                f"Participation is light: {possessive(ctx.name(symbol))} volume of {volume.show()} was "
                f"below its 3-month average of {average.show()} {volume.cite}, so the advance lacks "
                "confirmation from heavier trading."
            )
            draft.signal("caution", f"{possessive(ctx.name(symbol))} volume is below its 3-month average")
    drawdown = indicator(ctx, step, "max_drawdown_1y", main.symbol)
    if drawdown is not None:
        found = ctx.evidence.source(step)
        span = found[1].details.get("max_drawdown_1y", "") if found else ""
        when = f" ({span})" if span else ""
        draft.add(
            f"Reversals can be deep: within the past year {name} fell {drawdown.show(signed=True)} from peak "
            f"to trough{when} {drawdown.cite}."
        )
    uncertainty = quote(ctx, "fed_outlook", "Uncertainty", "uncertainty")
    if uncertainty:
        draft.add(f"The Fed itself flags the risks to its outlook: {uncertainty}.")
    if main.symbol in ("^RUT", "IWM"):
        draft.add(
            "Small companies are also more exposed than large ones to a slowing economy and to tighter "
            "credit, and their earnings vary more from one company to the next."
        )
    filing = quote(ctx, f"filings_{symbol}", "could adversely affect", "risk") if symbol else None
    if filing:
        draft.add(f"The company's own filing warns: {filing}.")
    ctx.missing(draft, step, *(f"quote_{s}" for s in [symbol] if s))
    return draft


def outlook(ctx: WriteContext) -> Draft:
    draft = Draft()
    guidance = quote(ctx, "fed_decisions", "In considering") or quote(ctx, "fed_outlook", "In considering")
    found = decisions(ctx, "fed_decisions")
    if guidance:
        draft.add(f"On rates, the Committee's guidance leaves the next move open: {guidance}.")
    if found and found[0].cut:
        draft.add(
            "Further cuts would extend the support rates have given smaller, more indebted companies; "
            "a pause would test how much of the rally rests on them."
        )
    main = main_index(ctx.plan.subjects)
    step = f"technicals_{main.symbol}"
    support = indicator(ctx, step, "support_1", main.symbol)
    sma50 = indicator(ctx, step, "sma_50", main.symbol)
    sma200 = indicator(ctx, step, "sma_200", main.symbol)
    if support and sma50:
        draft.add(
            f"Levels to watch: a close below the nearest support at {support.show()} and the 50-day average "
            f"at {sma50.show()} {support.cite} would mark the trend as broken in the near term"
            + (
                f", while the 200-day average at {sma200.show()} {sma200.cite} frames the longer trend."
                if sma200
                else "."
            )
        )
    symbol = tradable_symbol(ctx)
    upside = ctx.evidence.fact(f"targets_{symbol}", "implied_upside", symbol) if symbol else None
    if upside is not None:
        draft.add(
            f"Analysts' mean target implied {abs(upside.fact.value):.2f}% "
            f"{'upside' if upside.fact.value >= 0 else 'downside'} when it was recorded {upside.cite}."
        )
    ctx.missing(draft, "fed_decisions", step)
    return draft


def summary(ctx: WriteContext, written: dict[str, tuple[str, Draft]]) -> Draft:
    """The highlight sentences that survived verification, in section order."""
    draft = Draft()
    picked: list[str] = []
    for key in ("market_performance", "drivers", "technicals", "breadth", "valuation"):
        body, section = written.get(key, ("", Draft()))
        picked += [s for s in section.highlights if s in body][: 2 if key == "market_performance" else 1]
    if picked:
        draft.add(*picked[:3])
        draft.add(*picked[3:])
    else:
        draft.add("The data needed to summarise this topic could not be gathered; see the notes below.")
    return draft


def conclusion(ctx: WriteContext, written: dict[str, tuple[str, Draft]]) -> Draft:
    """The signals the sections recorded, weighed; no new figures."""
    draft = Draft()
    support = [r for _, d in written.values() for r in d.signals.get("support", [])]
    caution = [r for _, d in written.values() for r in d.signals.get("caution", [])]
    if support or caution:
        lean = "mostly supportive" if len(support) > 2 * len(caution) else "mixed" if support else "cautious"
        draft.add(
            f"On the evidence gathered here the picture is {lean}.",
            f"In favour of the move lasting: {join_words(support)}." if support else None,
            f"Against it, or at least for caution: {join_words(caution)}." if caution else None,
        )
    name = ctx.name(main_index(ctx.plan.subjects).symbol)
    draft.add(
        f"Whether {possessive(name)} run continues depends on what these figures cannot show: earnings still "
        "to be reported, the Fed's next decisions and investors' appetite for risk. The figures above are "
        "as of the report's date and will change with the next session."
    )
    return draft
