"""Technical-indicator prose: RSI and its state, moving averages, support and resistance, risk."""

from __future__ import annotations

from copilot.offline.prose_common import Citer, cap, facts_of, join, name_of, show
from copilot.schemas import Fact, Source

_FOCUS = {
    "rsi": ("rsi", "relative strength", "overbought", "oversold", "momentum"),
    "averages": ("moving average", "sma", "ema", "-day", " day", "trend", "average"),
    "levels": ("support", "resistance", "breakout", "level"),
    "macd": ("macd",),
    "bands": ("bollinger", "band"),
    "risk": ("volatil", "atr", "drawdown", "risk"),
}


def technicals(source: Source, cite: Citer, names: dict[str, str], question: str) -> str:
    """RSI and its state, price against its moving averages, support and resistance (or what was asked)."""
    c = cite(source)
    f = facts_of(source)
    symbol = next((x.symbol for x in source.facts if x.symbol), None) or str(
        source.arguments.get("symbol", "")
    )
    who = name_of(symbol, names)
    lowered = question.lower()
    focus = {topic for topic, words in _FOCUS.items() if any(w in lowered for w in words)}
    if not focus or (focus <= {"averages"} and "trend" in lowered):
        focus |= {"rsi", "averages", "levels"}
    parts: list[str] = []
    if "rsi" in focus and "rsi_14" in f:
        parts.append(f"{who}'s 14-day RSI is {show(f['rsi_14'])} {c}, {_rsi_state(source, f['rsi_14'])}.")
    close = f.get("last_close")
    if "averages" in focus and close is not None:
        sides = []
        for key, words in (("sma_50", "50-day"), ("sma_200", "200-day")):
            if key in f:
                side = "above" if close.value > f[key].value else "below"
                sides.append(f"{side} its {words} average of {show(f[key])} {c}")
        if sides:
            parts.append(f"It closed at {show(close)} {c}, " + join(sides) + ".")
    if "levels" in focus:
        support = [show(f[k]) + f" {c}" for k in ("support_1", "support_2") if k in f]
        resistance = [show(f[k]) + f" {c}" for k in ("resistance_1", "resistance_2") if k in f]
        if support:
            parts.append("Support sits at " + join(support) + ".")
        if resistance:
            parts.append("Resistance sits at " + join(resistance) + ".")
    if "macd" in focus and "macd" in f and "macd_signal" in f:
        side = "above" if f["macd"].value > f["macd_signal"].value else "below"
        parts.append(
            f"MACD is {show(f['macd'])} {c}, {side} its signal line at {show(f['macd_signal'])} {c}."
        )
    if "bands" in focus and "bb_upper" in f and "bb_lower" in f:
        parts.append(f"The Bollinger bands run from {show(f['bb_lower'])} {c} to {show(f['bb_upper'])} {c}.")
    if "risk" in focus:
        risk = []
        if "volatility_20d" in f:
            risk.append(f"annualised 20-day volatility is {show(f['volatility_20d'])} {c}")
        if "atr_14" in f:
            risk.append(f"the 14-day average true range is {show(f['atr_14'])} {c}")
        if "max_drawdown_1y" in f:
            risk.append(f"the largest drawdown over the past year was {show(f['max_drawdown_1y'], True)} {c}")
        if risk:
            parts.append(cap(join(risk)) + ".")
    return " ".join(parts) or f"The technicals source {c} holds none of the indicators asked about for {who}."


def _rsi_state(source: Source, rsi: Fact) -> str:
    state = str(source.details.get("rsi_state") or "")
    if not state:
        state = "overbought" if rsi.value > 70 else "oversold" if rsi.value < 30 else "neutral"
    if state == "overbought":
        return "in overbought territory"
    if state == "oversold":
        return "in oversold territory"
    return "neither overbought nor oversold"
