"""Fundamentals prose: valuation at the analysis date (and a provider's dated snapshot), statement
lines, analyst targets and the market's valuation.

A figure from an earlier date is told in the past tense with that date ("On 2025-02-24, Yahoo
reported a trailing P/E of 38.91x"), never as today's: the analysis date is what the question asks.
"""

from __future__ import annotations

import re
from datetime import date

from copilot.offline.prose_common import Citer, Context, cap, facts_of, join, show, subject_of
from copilot.schemas import Fact, Source
from copilot.understanding.reading import Part
from copilot.understanding.when import point_in_time

# valuation fields of a question (copilot.understanding.measures) -> fact keys, in answer order
_VALUATION_KEYS = {
    "pe": ("trailing_pe", "forward_pe"),
    "forward_pe": ("forward_pe",),
    "pb": ("price_to_book",),
    "ps": ("price_to_sales",),
    "ev_ebitda": ("ev_to_ebitda",),
    "dividend_yield": ("dividend_yield",),
    "market_cap": ("market_cap",),
    "fcf_yield": ("fcf_yield",),
}
_DEFAULT_VALUATION = (
    "trailing_pe",
    "forward_pe",
    "price_to_sales",
    "price_to_book",
    "ev_to_ebitda",
    "fcf_yield",
)
_NAMES = {
    "trailing_pe": "trailing P/E",
    "forward_pe": "forward P/E",
    "price_to_book": "price/book",
    "price_to_sales": "price/sales",
    "ev_to_ebitda": "EV/EBITDA",
    "fcf_yield": "free-cash-flow yield",
    "dividend_yield": "dividend yield",
    "market_cap": "market capitalisation",
    "net_margin_ttm": "net margin (TTM)",
}


def valuation(source: Source, cite: Citer, ctx: Context, part: Part) -> str:
    """The multiples asked for (or the main ones): at the analysis date, or a dated provider snapshot."""
    c = cite(source)
    f = facts_of(source)
    who = ctx.who(subject_of(source))
    wanted = [k for field in part.fields for k in _VALUATION_KEYS.get(field, ())] or list(_DEFAULT_VALUATION)
    present = [k for k in wanted if k in f]
    asked = point_in_time(part.when, ctx.as_of) if ctx.as_of else None
    if source.tool == "valuation_at":
        day = source.as_of.isoformat() if source.as_of else "the analysis date"
        if not present:
            if not part.fields:
                return ""
            lacking = join([_NAMES.get(k, k.replace("_", " ")) for k in wanted])
            return (
                f"The valuation computed at {day} {c} from {who}'s close and statements has no {lacking}: "
                "it is not among the figures the statements give."
            )
        shown = [f"a {_NAMES.get(k, k)} of {show(f[k])} {c}" for k in present]
        text = (
            f"At {day}, computed from the close and the statements public by then, {who} had "
            + join(shown)
            + "."
        )
        eps, close = f.get("ttm_diluted_eps"), f.get("close")
        if "trailing_pe" in present and eps is not None and close is not None:
            period = re.search(r"\(([^()]+)\)$", eps.label)
            text += (
                f" The P/E divides the {show(close)} {c} close by trailing-twelve-month diluted EPS "
                f"of {show(eps)} {c}" + (f" ({period.group(1)})" if period else "") + "."
            )
        text += "".join(f" {note}" for note in source.notes if note.startswith("The trailing twelve months"))
        return text
    # a provider's snapshot: its own date, in the past tense
    reported = source.as_of.isoformat() if source.as_of else "an earlier date"
    if not present:
        if not part.fields and not source.details.get("missing"):
            return ""
        lacking = join([_NAMES.get(k, k.replace("_", " ")) for k in wanted])
        return f"The provider's snapshot of {reported} {c} has no {lacking} for {who}."
    shown = [f"a {_NAMES.get(k, k)} of {show(f[k])} {c}" for k in present]
    lead = (
        f"On {reported}, {source.provider if source.provider != 'snapshot' else 'Yahoo'} reported {who} at "
    )
    text = lead + join(shown) + "."
    against = asked or ctx.as_of
    if against is not None and source.as_of is not None and (against - source.as_of).days > 7:
        than = f"the {against.isoformat()} asked about" if asked else "the analysis date"
        text += f" That snapshot is {(against - source.as_of).days} days older than {than}."
    return text


_ITEM_WORDS = {
    "revenue": ("revenue", "Revenue"),
    "net_income": ("net_income", "Net income"),
    "eps": ("diluted_eps", "Diluted EPS"),
    "gross_margin": ("gross_margin", "Gross margin"),
    "operating_income": ("operating_income", "Operating income"),
    "operating_margin": ("operating_margin", "Operating margin"),
    "net_margin": ("net_margin", "Net margin"),
    "free_cash_flow": ("free_cash_flow", "Free cash flow"),
    "debt": ("total_debt", "Total debt"),
    "cash": ("cash", "Cash"),
}
_PERIOD_OF_KEY = re.compile(r"_(q[1-4]_fy\d{4}|fy\d{4})$")


def financials(source: Source, cite: Citer, ctx: Context, part: Part) -> str:
    """The statement lines asked for, for the period asked (the latest public one by default), with growth."""
    c = cite(source)
    who = ctx.who(subject_of(source))
    fields = part.fields or ("revenue", "net_income", "eps")
    period = _period_key(source, part)
    if period is None:
        asked = part.when.describe() if part.when else "the question"
        return f"The statements {c} hold no period matching {asked} for {who}."
    by_key = {f.key: f for f in source.facts}
    sentences = []
    label = _period_label(source, period)
    for field in fields:
        item, words = _ITEM_WORDS.get(field, (field, field.replace("_", " ")))
        fact = by_key.get(f"{item}_{period}")
        if fact is None:
            continue
        text = f"{words} was {show(fact)} {c}"
        growth = [by_key.get(f"{item}_growth_yoy_{period}"), by_key.get(f"{item}_growth_qoq_{period}")]
        said = []
        if growth[0] is not None:
            said.append(f"{show(growth[0], True)} {c} year over year")
        if growth[1] is not None:
            said.append(f"{show(growth[1], True)} {c} quarter over quarter")
        if said:
            text += " (" + join(said) + ")"
        sentences.append(text)
    if not sentences:
        asked = ", ".join(_ITEM_WORDS.get(f, (f, f))[1].lower() for f in fields)
        return f"The statements {c} report no {asked} for {who} for {label}."
    lead = f"For {who}'s {label}: "
    return lead + "; ".join(sentences) + "."


def _period_key(source: Source, part: Part) -> str | None:
    """The fiscal period the question asks for, as the fact keys spell it (``q3_fy2026``, ``fy2025``)."""
    periods: list[tuple[date, str]] = []
    for fact in source.facts:
        match = _PERIOD_OF_KEY.search(fact.key)
        if (
            match
            and fact.as_of is not None
            and (match.group(1), fact.as_of) not in [(p, d) for d, p in periods]
        ):
            periods.append((fact.as_of, match.group(1)))
    if not periods:
        return None
    periods.sort(reverse=True)
    when = part.when
    if when is not None and when.relative == "last" and when.fiscal and not when.label:
        prefix = "fy" if when.kind == "year" else "q"
        latest = [p for _, p in periods if p.startswith(prefix)]
        return latest[0] if latest else None
    if when is not None and when.kind == "quarter" and when.fiscal:
        year, quarter = when.label.split("Q")
        wanted = f"q{quarter}_fy{year}"
        return wanted if any(p == wanted for _, p in periods) else None
    if when is not None and when.kind == "year" and when.fiscal:
        wanted = f"fy{when.label}"
        return wanted if any(p == wanted for _, p in periods) else None
    if (
        when is not None
        and when.kind in ("quarter", "year")
        and when.relative != "last"
        and when.start
        and when.end
    ):
        inside = [p for d, p in periods if when.start <= d <= when.end]
        return inside[0] if inside else None
    return periods[0][1]  # "last quarter", "latest": the newest period public at the analysis date


def _period_label(source: Source, period: str) -> str:
    fact = next((f for f in source.facts if f.key.endswith("_" + period)), None)
    name = period.replace("_", " ").upper().replace("FY", "FY")
    ended = f" (period ended {fact.as_of.isoformat()})" if fact is not None and fact.as_of else ""
    return f"{name}{ended}"


def targets(source: Source, cite: Citer, ctx: Context, part: Part) -> str:
    """Mean, high and low price targets, how many analysts, the implied upside, and their date."""
    c = cite(source)
    f = facts_of(source)
    who = ctx.who(subject_of(source))
    mean = f.get("target_mean")
    if mean is None:
        return f"The analyst source {c} holds no price target for {who}."
    recorded = source.as_of.isoformat() if source.as_of else "its date"
    text = f"As recorded on {recorded}, analysts' mean price target for {who} was {show(mean)} {c}"
    if "target_low" in f and "target_high" in f:
        text += f", in a range of {show(f['target_low'])} {c} to {show(f['target_high'])} {c}"
    if "analysts" in f:
        text += f", from {int(f['analysts'].value)} analysts {c}"
    text += "."
    upside, price = f.get("implied_upside"), f.get("price_at_targets")
    if upside is not None and price is not None:
        direction = "upside" if upside.value >= 0 else "downside"
        gap = upside.model_copy(update={"value": abs(upside.value)})
        text += f" That is {show(gap)} {c} {direction} from the {show(price)} {c} price recorded with them."
    rating = source.details.get("rating")
    if rating:
        text += f" The consensus rating was {rating}."
    return text


def market_valuation(source: Source, cite: Citer, ctx: Context, part: Part) -> str:
    """The S&P 500's P/E and CAPE from Shiller's series, with the months they are for (often old)."""
    c = cite(source)
    f = facts_of(source)
    pe, cape = f.get("pe"), f.get("cape")
    if pe is None and cape is None:
        return f"The market valuation source {c} holds no P/E or CAPE."
    pieces: list[Fact] = [x for x in (pe, cape) if x is not None]
    months = sorted({x.as_of for x in pieces if x.as_of})
    latest = months[-1] if months else None
    stale = ctx.as_of is not None and latest is not None and (ctx.as_of - latest).days > 62
    shown = []
    if pe is not None:
        shown.append(f"a P/E of {show(pe)} {c} (trailing 12-month earnings, {pe.as_of:%B %Y})")
    if cape is not None:
        shown.append(f"a CAPE (Shiller PE10) of {show(cape)} {c} ({cape.as_of:%B %Y})")
    if stale:
        lead = (
            "Shiller's series has no S&P 500 earnings after "
            f"{latest:%B %Y}, so this is the latest valuation it records, not today's: "
        )
    else:
        lead = "By Shiller's monthly series, "
    return cap(lead + "the S&P 500 had " + join(shown) + ".")
