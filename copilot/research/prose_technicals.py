"""Deterministic prose for the technical picture and valuation, rendered from the tools' facts.

States (above/below an average, RSI zone, MACD, Bollinger position) are the ones the technicals
tool computed (``Source.details``); figures are its facts. Figures on dividend-adjusted prices
keep their ``_adjusted`` key and the prose says which prices they use.
"""

from __future__ import annotations

from copilot.research.draft import Draft, WriteContext, capital, join_words, long_date
from copilot.research.evidence import CitedFact
from copilot.research.subjects import fund, main_index

OVERBOUGHT, OVERSOLD = 70, 30


def indicator(ctx: WriteContext, step: str, key: str, symbol: str) -> CitedFact | None:
    """A technical fact on traded prices, or its dividend-adjusted twin when only that exists."""
    return ctx.evidence.fact(step, key, symbol) or ctx.evidence.fact(step, f"{key}_adjusted", symbol)


def technicals(ctx: WriteContext) -> Draft:
    draft = Draft()
    main = main_index(ctx.plan.subjects)
    step = f"technicals_{main.symbol}"
    found = ctx.evidence.source(step)
    if found is None:
        ctx.missing(draft, step)
        return draft
    details = found[1].details
    get = lambda key: indicator(ctx, step, key, main.symbol)  # noqa: E731
    name = ctx.name(main.symbol)
    last, sma50, sma200 = get("last_close"), get("sma_50"), get("sma_200")
    if last and sma50 and sma200:
        side50, side200 = details.get("price_vs_sma_50", "near"), details.get("price_vs_sma_200", "near")
        day = long_date(last.fact.as_of or ctx.as_of)
        draft.add(
            f"{capital(name)} closed at {last.show()} on {day}, {side50} its 50-day simple moving average "
            f"of {sma50.show()} and {side200} its 200-day average of {sma200.show()} {last.cite}.",
            highlight=True,
        )
        if side50 == "above" and side200 == "above":
            draft.signal("support", "the index trades above its 50- and 200-day averages")
        elif side200 == "below":
            draft.signal("caution", "the index trades below its 200-day average")
    rsi = get("rsi_14")
    if rsi is not None:
        state = str(details.get("rsi_state", ""))
        zone = {
            "overbought": f"above the overbought line of {OVERBOUGHT}",
            "oversold": f"below the oversold line of {OVERSOLD}",
        }.get(state, f"between the oversold ({OVERSOLD}) and overbought ({OVERBOUGHT}) lines")
        macd = details.get("macd_state")
        tail = f"; the MACD reads {macd}" if macd else ""
        draft.add(f"Its 14-day RSI (Wilder) is {rsi.show()}, {zone}{tail} {rsi.cite}.")
        if state == "overbought":
            draft.signal("caution", "RSI is in overbought territory")
    band = details.get("bollinger_position")
    upper, lower = get("bb_upper"), get("bb_lower")
    if band and upper and lower:
        if "above" in str(band):
            text = f"The close is above the upper Bollinger band at {upper.show()} {upper.cite}, "
            text += "a stretched move."
            draft.signal("caution", "the close is above its upper Bollinger band")
        elif "below" in str(band):
            text = f"The close is below the lower Bollinger band at {lower.show()} {lower.cite}."
        else:
            text = (
                f"The close sits inside its Bollinger bands ({lower.show()} to {upper.show()}) {upper.cite}."
            )
        draft.add(text)
    supports = [get("support_1"), get("support_2")]
    levels = [s for s in supports if s is not None]
    if levels:
        shown = join_words([f"{s.show()} ({_level_label(s)})" for s in levels])
        draft.add(f"The nearest support levels are {shown} {levels[0].cite}.")
    volatility = get("volatility_20d")
    if volatility is not None:
        draft.add(f"Its 20-day volatility, annualised, is {volatility.show()} {volatility.cite}.")
    if any(f.fact.key.endswith("_adjusted") for f in (last, sma50, rsi) if f is not None):
        draft.add("These indicators use dividend-adjusted prices: the record holds too few traded ones.")
    return draft


def _level_label(level: CitedFact) -> str:
    """``swing low of 2025-12-17`` from the label ``Support 1 (swing low of 2025-12-17)``."""
    label = level.fact.label
    inner = label[label.find("(") + 1 : label.find(")")] if "(" in label and ")" in label else label
    return inner.replace(" (dividend-adjusted prices", "")


def valuation(ctx: WriteContext) -> Draft:
    draft = Draft()
    symbol = (fund(ctx.plan.subjects) or main_index(ctx.plan.subjects)).symbol
    step = f"valuations_{symbol}"
    computed = ctx.evidence.fact(step, "trailing_pe", symbol)
    if computed is not None:
        extras = [
            f"{label} of {fact.show()}"
            for key, label in (("price_to_sales", "price/sales"), ("ev_to_ebitda", "EV/EBITDA"))
            if (fact := ctx.evidence.fact(step, key, symbol)) is not None
        ]
        label = computed.fact.label
        draft.add(
            f"{capital(ctx.name(symbol))} trades at a trailing P/E of {computed.show()} "
            f"({label[label.find('(') + 1 : label.rfind(')')] if '(' in label else label})"
            + (", with " + join_words(extras) if extras else "")
            + f" {computed.cite}.",
            highlight=True,
        )
    forward = ctx.evidence.fact(step, "forward_pe", symbol)
    if forward is not None:
        draft.add(f"The forward P/E was {forward.show()} as of {forward.fact.as_of} {forward.cite}.")
    if ctx.evidence.failure(step):
        ctx.missing(draft, step)
        draft.add(f"No valuation multiples for {ctx.name(symbol)} are in the data available to this report.")
    _targets(ctx, draft, symbol)
    _market(ctx, draft)
    return draft


def _targets(ctx: WriteContext, draft: Draft, symbol: str) -> None:
    step = f"targets_{symbol}"
    mean = ctx.evidence.fact(step, "target_mean", symbol)
    upside = ctx.evidence.fact(step, "implied_upside", symbol)
    if mean is None:
        if any(s.id == step for s in ctx.plan.steps):
            ctx.missing(draft, step)
        return
    text = f"Analysts' mean price target, recorded {mean.fact.as_of}, is {mean.show()}"
    if upside is not None:
        text += (
            f", {abs(upside.fact.value):.2f}% {'above' if upside.fact.value >= 0 else 'below'} the price then"
        )
    draft.add(text + f" {mean.cite}.")


def _market(ctx: WriteContext, draft: Draft) -> None:
    found = ctx.evidence.source("market_valuation")
    pe = ctx.evidence.fact("market_valuation", "pe")
    cape = ctx.evidence.fact("market_valuation", "cape")
    if found is None or pe is None:
        ctx.missing(draft, "market_valuation")
        return
    details = found[1].details
    text = "For the broad market, Shiller's series gives the S&P 500 a P/E of "
    text += f"{pe.show()} for {details.get('pe_month')}"
    if cape is not None:
        text += f" and a CAPE of {cape.show()} for {details.get('cape_month')}"
    draft.add(text + f" {pe.cite}.")
    stale = (ctx.as_of - pe.fact.as_of).days > 120 if pe.fact.as_of else False
    if stale:
        draft.add(
            f"Those months are long before {long_date(ctx.as_of)}: they describe valuations then, not now."
        )
