"""A market-temperature answer ("is the market overheated?"): a labelled set of gauges, never advice.

Each gauge is a cited figure with the conventional threshold it is read against; the summary only
counts how many gauges read hot, so the reader sees the evidence and the rule, not an opinion.
"""

from __future__ import annotations

from dataclasses import dataclass

from copilot.offline.prose_common import Citer, Context, ToolResult, facts_of, join, show, subject_of
from copilot.understanding.reading import Part

RSI_HOT = 70.0  # overbought above 70 (Wilder)
NEAR_HIGH_PCT = 2.0  # within 2% of the 52-week high
VIX_CALM = 15.0  # a VIX under 15 is complacent, not fearful
BREADTH_BROAD = 8  # 8 or more of 11 sectors up over the month
CAPE_RICH = 30.0  # a CAPE above 30 is rich by its own history


@dataclass(frozen=True)
class Gauge:
    text: str
    hot: bool


def composite(part: Part, results: list[ToolResult], ctx: Context) -> str:
    """The gauges the tools returned, each with its reading, then how many read hot."""
    gauges: list[Gauge] = []
    index = part.subjects[0] if part.subjects else "^GSPC"
    for result in results:
        if result.error is not None or result.artifact is None:
            continue
        cite = Citer(result.artifact)
        for source in result.artifact.sources:
            c = cite(source)
            f = facts_of(source)
            symbol = subject_of(source)
            if source.tool == "technicals" and "rsi_14" in f:
                rsi = f["rsi_14"]
                gauges.append(
                    Gauge(
                        f"{ctx.who(symbol)}'s 14-day RSI is {show(rsi)} {c} (overbought above 70)",
                        rsi.value > RSI_HOT,
                    )
                )
            elif (
                source.tool == "quote"
                and symbol == "^VIX"
                and ("last_price" in f or "last_price_adjusted" in f)
            ):
                vix = f.get("last_price") or f["last_price_adjusted"]
                gauges.append(
                    Gauge(f"the VIX closed at {show(vix)} {c} (complacent under 15)", vix.value < VIX_CALM)
                )
            elif source.tool == "quote" and "pct_from_high_52w" in f:
                gap = f["pct_from_high_52w"]
                shown = show(gap.model_copy(update={"value": abs(gap.value)}))
                gauges.append(
                    Gauge(
                        f"{ctx.who(symbol)} sits {shown} {c} below its 52-week high "
                        "(stretched when within two percent)",
                        abs(gap.value) <= NEAR_HIGH_PCT,
                    )
                )
            elif source.tool == "sectors":
                breadth = str(source.details.get("breadth") or "")
                up = sum(1 for x in source.facts if "return_" in x.key and x.value > 0)
                total = sum(1 for x in source.facts if "return_" in x.key)
                if total:
                    gauges.append(
                        Gauge(
                            f"over the past month {breadth or f'{up} of {total} sectors up'} {c}",
                            up >= BREADTH_BROAD,
                        )
                    )
            elif source.tool == "market_valuation" and "cape" in f:
                cape = f["cape"]
                when = f"{cape.as_of:%B %Y}" if cape.as_of else "its last month"
                gauges.append(
                    Gauge(
                        f"the S&P 500's CAPE was {show(cape)} {c} in {when}, "
                        "the latest month recorded (rich above 30)",
                        cape.value > CAPE_RICH,
                    )
                )
    if not gauges:
        return (
            "I could not get the market gauges (RSI, distance from the 52-week high, VIX, breadth, "
            "valuation) to answer this."
        )
    hot = sum(g.hot for g in gauges)
    lead = (
        f"Market gauges for {ctx.who(index)} — a labelled composite of the data, not advice: "
        + join([g.text for g in gauges])
        + "."
    )
    return lead + f" By these conventional thresholds, {hot} of {len(gauges)} gauges read hot."
