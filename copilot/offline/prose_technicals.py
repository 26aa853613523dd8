"""Technical-indicator prose: RSI and its state, moving averages, support and resistance, risk."""

from __future__ import annotations

import re

from copilot.offline.prose_common import Citer, Context, cap, facts_of, join, show, subject_of
from copilot.schemas import Fact, Source
from copilot.understanding.reading import Part

# the fields of a technicals question (copilot.understanding.measures) and the topics written here
_TOPICS = {
    "rsi": "rsi",
    "averages": "averages",
    "levels": "levels",
    "macd": "macd",
    "bollinger": "bands",
    "volatility": "risk",
}


def technicals(source: Source, cite: Citer, ctx: Context, part: Part) -> str:
    """RSI and its state, price against its moving averages, support and resistance (or what was asked)."""
    c = cite(source)
    f = _traded_or_adjusted(facts_of(source))
    who = ctx.who(subject_of(source))
    focus = {_TOPICS[field] for field in part.fields if field in _TOPICS}
    if not focus:
        focus = {"rsi", "averages", "levels"}
    parts: list[str] = []
    if "rsi" in focus and "rsi_14" in f:
        parts.append(f"{who}'s 14-day RSI is {show(f['rsi_14'])} {c}, {_rsi_state(source, f['rsi_14'])}.")
    close = f.get("last_close")
    if "averages" in focus and close is not None:
        sides = []
        for key in _averages_asked(part.text):
            if key in f:
                side = "above" if close.value > f[key].value else "below"
                kind = "exponential" if key.startswith("ema") else "simple"
                window = key.split("_")[1]
                sides.append(f"{side} its {window}-day {kind} average of {show(f[key])} {c}")
        if sides:
            subject = "It" if parts else who
            parts.append(f"{subject} closed at {show(close)} {c}, " + join(sides) + ".")
        crossovers = source.details.get("crossovers")
        if isinstance(crossovers, list) and crossovers:
            parts.append(f"The most recent signal: {str(crossovers[0]).rstrip('.')}.")
    if "levels" in focus:
        support = [show(f[k]) + f" {c}" for k in ("support_1", "support_2") if k in f]
        resistance = [show(f[k]) + f" {c}" for k in ("resistance_1", "resistance_2") if k in f]
        if support:
            parts.append(("Support" if parts else f"For {who}, support") + " sits at " + join(support) + ".")
        note = source.details.get("resistance_note")
        if not resistance and note:
            parts.append(f"No resistance level is listed: {str(note).rstrip('.')}.")
        if resistance:
            parts.append(
                ("Resistance" if parts else f"For {who}, resistance") + " sits at " + join(resistance) + "."
            )
    if "macd" in focus and "macd" in f and "macd_signal" in f:
        side = "above" if f["macd"].value > f["macd_signal"].value else "below"
        parts.append(
            f"{_own(parts, who)} MACD is {show(f['macd'])} {c}, {side} its signal line at "
            f"{show(f['macd_signal'])} {c}"
            + (f" (a histogram of {show(f['macd_hist'])} {c})." if "macd_hist" in f else ".")
        )
    if "bands" in focus and "bb_upper" in f and "bb_lower" in f:
        lower, upper = show(f["bb_lower"]), show(f["bb_upper"])
        middle = f" around a middle band of {show(f['bb_middle'])} {c}" if "bb_middle" in f else ""
        parts.append(f"{_own(parts, who)} Bollinger bands run from {lower} {c} to {upper} {c}{middle}.")
    if "risk" in focus:
        risk = []
        if "volatility_20d" in f:
            risk.append(f"annualised 20-day volatility is {show(f['volatility_20d'])} {c}")
        if "atr_14" in f:
            risk.append(f"the 14-day average true range is {show(f['atr_14'])} {c}")
        if "max_drawdown_1y" in f:
            risk.append(f"the largest drawdown over the past year was {show(f['max_drawdown_1y'], True)} {c}")
        if risk:
            parts.append(("For " + who + ", " if not parts else "") + join(risk) + ".")
            parts[-1] = cap(parts[-1])
    return " ".join(parts) or f"The technicals source {c} holds none of the indicators asked about for {who}."


_WINDOW = re.compile(r"\b(20|50|100|200)(?:\s*(?:and|,|/|&)\s*(20|50|100|200))?[- ]?(?:day|d\b|dma)", re.I)


def _averages_asked(text: str) -> list[str]:
    """The moving averages a question names ("20 day ema", "50 and 200 day"), else the 50- and 200-day SMA."""
    exponential = bool(re.search(r"\bema\b|exponential", text, re.I))
    windows = [w for m in _WINDOW.finditer(text) for w in m.groups() if w]
    if not exponential and set(windows) <= {"50", "200"}:
        return ["sma_50", "sma_200"]  # the pair people read together ("above its 200-day?")
    kind = "ema" if exponential else "sma"
    return [f"{kind}_{w}" for w in dict.fromkeys(windows)]


def _traded_or_adjusted(facts: dict[str, Fact]) -> dict[str, Fact]:
    """Indicators on traded prices; where only dividend-adjusted ones exist (``*_adjusted`` keys), those."""
    out = dict(facts)
    for key, fact in facts.items():
        base = key.removesuffix("_adjusted")
        if base != key:
            out.setdefault(base, fact)
    return out


def _own(parts: list[str], who: str) -> str:
    """ "Its" after the first sentence, "NVIDIA Corporation (NVDA)'s" to open the answer."""
    return "Its" if parts else f"{who}'s"


def _rsi_state(source: Source, rsi: Fact) -> str:
    state = str(source.details.get("rsi_state") or "")
    if not state:
        state = "overbought" if rsi.value > 70 else "oversold" if rsi.value < 30 else "neutral"
    if state == "overbought":
        return "in overbought territory"
    if state == "oversold":
        return "in oversold territory"
    return "neither overbought nor oversold"
