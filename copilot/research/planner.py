"""The deterministic planner: a topic's subjects become the seed's sections and the steps behind them.

Sections, in order: summary, market performance, drivers (rates and macro from the stored FOMC
statements), valuation, technicals, breadth and sectors, risks, outlook, conclusion. Each
analysis section lists the gather steps it is written from; a stock adds its statements, analyst
targets and filings. Chart series are gathered beside them: a long window of the main index (its
200-day average needs about 300 sessions before the chart starts) and a year of each comparison.
"""

from __future__ import annotations

from datetime import date, timedelta

from copilot.research.plan import PlannedSection, PlannedStep, ResearchPlan, Subject
from copilot.research.subjects import fund, main_index, read_subjects
from tools.agent_tools import MarketTools
from tools.symbols import SymbolResolver

CHART_DAYS = 366  # the price and relative charts show one year
WARMUP_DAYS = 320  # calendar days before the chart for the 200-day average to be defined
FED_LOOKBACK_DAYS = 200  # about four FOMC meetings of decisions before the analysis date
FED_DECISIONS_QUERY = "Committee decided target range for the federal funds rate"
FED_OUTLOOK_QUERY = "economic activity inflation labor market uncertainty outlook risks"


def step_id(tool: str, *parts: str) -> str:
    """A readable, stable id: ``quote_IWM``, ``perf_ytd``, ``series_^RUT``."""
    return "_".join([tool, *parts])


def deterministic_plan(
    topic: str, as_of: date, market: MarketTools, resolver: SymbolResolver
) -> ResearchPlan:
    """The plan the code makes from the topic alone (the offline research mode, and the fallback)."""
    subjects, notes = read_subjects(topic, market, resolver)
    return plan_for(topic, as_of, subjects, notes)


def plan_for(topic: str, as_of: date, subjects: list[Subject], notes: list[str]) -> ResearchPlan:
    main = main_index(subjects)
    tradable = fund(subjects)
    compared = [main.symbol] + [s.symbol for s in subjects if s.role in ("benchmark", "peer", "sector")]
    names = {s.symbol: s.name for s in subjects}
    steps: list[PlannedStep] = []

    def add(sid: str, tool: str, purpose: str, **arguments: object) -> str:
        steps.append(PlannedStep(id=sid, tool=tool, arguments=dict(arguments), purpose=purpose))
        return sid

    perf_ytd = add("perf_ytd", "performance", "year-to-date returns compared", symbols=compared, period="ytd")
    perf_1y = add("perf_1y", "performance", "one-year returns compared", symbols=compared, period="1y")
    quotes = [
        add(step_id("quote", s.symbol), "quote", f"quote of {s.name}", symbol=s.symbol)
        for s in subjects
        if s.role != "sector"
    ]
    tech = add(step_id("technicals", main.symbol), "technicals", f"trend of {main.name}", symbol=main.symbol)
    sectors_1d = add("sectors_1d", "sectors", "sector moves on the day", period="1d")
    sectors_ytd = add("sectors_ytd", "sectors", "sector moves this year", period="ytd")
    valuation = [add("market_valuation", "market_valuation", "the S&P 500's P/E and CAPE")]
    if tradable is not None:
        valuation.insert(
            0,
            add(
                step_id("valuations", tradable.symbol),
                "valuations",
                "valuation multiples",
                symbol=tradable.symbol,
            ),
        )
    since = (as_of - timedelta(days=FED_LOOKBACK_DAYS)).isoformat()
    fed = add(
        "fed_decisions",
        "search_documents",
        "the FOMC's recent rate decisions",
        query=FED_DECISIONS_QUERY,
        kind="statement",
        since=since,
        k=10,
    )
    macro = add(
        "fed_outlook",
        "search_documents",
        "the Fed's view of the economy and its risks",
        query=FED_OUTLOOK_QUERY,
        kind="statement",
        latest=True,
        k=4,
    )
    company: list[str] = []
    if tradable is not None and tradable.kind == "equity":
        symbol = tradable.symbol
        company = [
            add(step_id("financials", symbol), "financials", "recent results", symbol=symbol),
            add(step_id("targets", symbol), "analyst_targets", "analysts' targets", symbol=symbol),
            add(
                step_id("filings", symbol),
                "search_documents",
                "risk factors the company reports",
                query=f"{names[symbol]} risk factors competition demand",
                ticker=symbol,
                k=4,
            ),
        ]
    start = as_of - timedelta(days=CHART_DAYS)
    add(
        step_id("series", main.symbol),
        "price_series",
        f"price chart of {main.name}",
        symbol=main.symbol,
        start=(start - timedelta(days=WARMUP_DAYS)).isoformat(),
    )
    for symbol in compared[1:]:
        add(
            step_id("series", symbol),
            "price_series",
            f"relative chart: {names.get(symbol, symbol)}",
            symbol=symbol,
            start=(start - timedelta(days=10)).isoformat(),
        )

    who = main.name if main.role == "primary" or tradable is None else subjects[0].name
    others = ", ".join(names[s] for s in compared[1:]) or "the market"
    sections = [
        PlannedSection(key="summary", title="Summary", questions=[topic]),
        PlannedSection(
            key="market_performance",
            title="Market performance",
            questions=[f"How has {who} done this year and over the past year against {others}?"],
            steps=[perf_ytd, perf_1y, *quotes],
        ),
        PlannedSection(
            key="drivers",
            title="Drivers: rates and the economy",
            questions=["What has the Fed decided, and what does it say about the economy?"],
            steps=[fed, macro, *company[:1]],
        ),
        PlannedSection(
            key="valuation",
            title="Valuation",
            questions=[f"What do the available multiples say about {who}?"],
            steps=[*valuation, *company[1:2]],
        ),
        PlannedSection(
            key="technicals",
            title="Technical picture",
            questions=[f"Where does {main.name} stand against its moving averages and momentum gauges?"],
            steps=[tech, *quotes[:2]],
        ),
        PlannedSection(
            key="breadth",
            title="Breadth and sectors",
            questions=["How broad is the advance across sectors and company sizes?"],
            steps=[sectors_1d, sectors_ytd, perf_ytd],
        ),
        PlannedSection(
            key="risks",
            title="Risks",
            questions=["What in the data argues for caution?"],
            steps=[tech, *quotes[:2], macro, *company[2:]],
        ),
        PlannedSection(
            key="outlook",
            title="Outlook",
            questions=["What would confirm or undo the trend from here?"],
            steps=[tech, fed, macro, *company[1:2]],
        ),
        PlannedSection(key="conclusion", title="Conclusion", questions=[topic]),
    ]
    title = " ".join(topic.split())
    return ResearchPlan(
        topic=topic,
        title=title[:1].upper() + title[1:],
        subjects=subjects,
        steps=steps,
        sections=sections,
        planner="deterministic",
        notes=notes,
    )
