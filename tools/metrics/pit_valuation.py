"""Valuation at an analysis date, computed from the traded close on that day and the statements
public by then (``StatementsAsOf``): nothing here is a provider's reported multiple.

    market cap      = close * shares outstanding (latest public balance sheet)
    trailing P/E    = close / TTM diluted EPS                    (none when TTM EPS <= 0)
    P/S             = market cap / TTM revenue
    P/B             = market cap / shareholders' equity (latest balance sheet; none when <= 0)
    EV              = market cap + total debt - cash, equivalents and short-term investments
    EV/EBITDA       = EV / TTM EBITDA                            (none when EBITDA <= 0)
    net margin      = TTM net income / TTM revenue * 100
    FCF yield       = TTM free cash flow / market cap * 100

TTM as ``StatementsAsOf.ttm`` defines it. Shares: the balance sheet's count, unless it is on
another share-class basis than the EPS (more than 2x from the diluted average shares, e.g.
Berkshire's count in class-A equivalents), then the diluted average shares, with a note. A
foreign private issuer's per-share figures may be per ordinary share and in another currency, so
only its net margin is computed. Each fact has its formula and inputs; ``details`` names every
statement period used and the day it became public.
"""

from __future__ import annotations

from datetime import date, timedelta

from copilot.errors import NoDataError
from tools.fundamentals.availability import QUARTER_DEADLINE_DAYS, Period
from tools.fundamentals.point_in_time import StatementsAsOf, Trailing
from tools.metrics import FactList, MetricResult
from tools.metrics.financials import availability_note, money_unit

SHARE_BASIS_RATIO = 2.0


def pit_valuation_metrics(view: StatementsAsOf, close: float, close_day: date) -> MetricResult:
    """Multiples of ``view.symbol`` at the traded ``close`` of ``close_day`` (see the module docstring)."""
    result = MetricResult()
    facts = FactList(view.symbol, close_day, "x")
    used: dict[str, str] = {}
    missing: dict[str, str] = {}
    trailing = {
        item: _ttm(view, item, missing)
        for item in ("revenue", "net_income", "diluted_eps", "ebitda", "free_cash_flow")
    }
    revenue, net_income = trailing["revenue"], trailing["net_income"]
    _note_old_fiscal_year(view, trailing, result)
    if revenue is not None and net_income is not None and revenue.value > 0:
        facts.add(
            "net_margin_ttm",
            f"Net margin, trailing twelve months ({revenue.label})",
            net_income.value / revenue.value * 100.0,
            "%",
            formula="TTM net income / TTM revenue * 100",
            inputs={"ttm_net_income": net_income.value, "ttm_revenue": revenue.value},
        )
        used["net margin (TTM)"] = _periods(revenue.periods)
    if view.statements.foreign_filer or money_unit(view) != "USD":  # ADRs: per ordinary share
        result.notes.append(
            f"{view.symbol} files as a foreign private issuer: its statements may be in another currency and "
            "per ordinary share rather than per listed ADR, so no price multiple is computed from them."
        )
        return _finish(result, facts, used, missing)

    facts.add("close", f"Close on {close_day} (traded)", close, "USD")
    shares, shares_period, shares_note = _shares(view, missing)
    eps = trailing["diluted_eps"]
    if eps is not None:
        facts.add("ttm_diluted_eps", f"Diluted EPS, trailing twelve months ({eps.label})", eps.value, "USD")
        used["TTM diluted EPS"] = _periods(eps.periods)
        if eps.value > 0:
            facts.add(
                "trailing_pe",
                f"Trailing P/E at {close_day} (close / TTM diluted EPS {eps.label})",
                close / eps.value,
                formula="close / trailing-twelve-month diluted EPS",
                inputs={"close": close, "ttm_diluted_eps": eps.value},
            )
        else:
            missing["trailing_pe"] = f"TTM diluted EPS ({eps.label}) is not positive"
    if shares is None or shares_period is None:
        return _finish(result, facts, used, missing)
    if shares_note:
        result.notes.append(shares_note)
    market_cap = close * shares
    used["shares"] = _periods((shares_period,))
    facts.add(
        "market_cap",
        f"Market capitalisation at {close_day}",
        market_cap,
        "USD",
        precision=0,
        formula="close * shares outstanding",
        inputs={"close": close, "shares": shares},
    )
    if revenue is not None and revenue.value > 0:
        facts.add(
            "price_to_sales",
            f"Price/sales at {close_day} (TTM revenue {revenue.label})",
            market_cap / revenue.value,
            formula="market cap / TTM revenue",
            inputs={"market_cap": market_cap, "ttm_revenue": revenue.value},
        )
        used["TTM revenue"] = _periods(revenue.periods)
    _book(view, facts, market_cap, close_day, used, missing)
    _enterprise(view, facts, market_cap, close_day, trailing["ebitda"], used, missing)
    fcf = trailing["free_cash_flow"]
    if fcf is not None:
        facts.add(
            "fcf_yield",
            f"Free-cash-flow yield at {close_day} (TTM {fcf.label})",
            fcf.value / market_cap * 100.0,
            "%",
            formula="TTM free cash flow / market cap * 100",
            inputs={"ttm_free_cash_flow": fcf.value, "market_cap": market_cap},
        )
        used["TTM free cash flow"] = _periods(fcf.periods)
    return _finish(result, facts, used, missing)


def _book(
    view: StatementsAsOf,
    facts: FactList,
    market_cap: float,
    close_day: date,
    used: dict[str, str],
    missing: dict[str, str],
) -> None:
    try:
        equity, period = view.latest_balance("stockholders_equity")
    except NoDataError as exc:
        missing["price_to_book"] = exc.message
        return
    if equity <= 0:
        missing["price_to_book"] = f"shareholders' equity ({period.label}) is not positive"
        return
    facts.add(
        "price_to_book",
        f"Price/book at {close_day} (equity {period.label})",
        market_cap / equity,
        formula="market cap / shareholders' equity",
        inputs={"market_cap": market_cap, "stockholders_equity": equity},
    )
    used["book value"] = _periods((period,))


def _enterprise(
    view: StatementsAsOf,
    facts: FactList,
    market_cap: float,
    close_day: date,
    ebitda: Trailing | None,
    used: dict[str, str],
    missing: dict[str, str],
) -> None:
    try:
        debt, debt_period = view.latest_balance("total_debt")
        try:
            cash, cash_period = view.latest_balance("cash_and_investments")
        except NoDataError:
            cash, cash_period = view.latest_balance("cash")
    except NoDataError as exc:
        missing["ev_to_ebitda"] = exc.message
        return
    enterprise_value = market_cap + debt - cash
    facts.add(
        "enterprise_value",
        f"Enterprise value at {close_day}",
        enterprise_value,
        "USD",
        precision=0,
        formula="market cap + total debt - cash and short-term investments",
        inputs={"market_cap": market_cap, "total_debt": debt, "cash": cash},
    )
    used["debt and cash"] = _periods(tuple({debt_period, cash_period}))
    if ebitda is None:
        missing["ev_to_ebitda"] = "no TTM EBITDA"
        return
    if ebitda.value <= 0:
        missing["ev_to_ebitda"] = f"TTM EBITDA ({ebitda.label}) is not positive"
        return
    facts.add(
        "ev_to_ebitda",
        f"EV/EBITDA at {close_day} (TTM EBITDA {ebitda.label})",
        enterprise_value / ebitda.value,
        formula="enterprise value / TTM EBITDA",
        inputs={"enterprise_value": enterprise_value, "ttm_ebitda": ebitda.value},
    )
    used["TTM EBITDA"] = _periods(ebitda.periods)


def _note_old_fiscal_year(
    view: StatementsAsOf, trailing: dict[str, Trailing | None], result: MetricResult
) -> None:
    """Say so when a TTM figure is a fiscal year although a later quarter should be public by now
    (the data lacks it): the multiple is then on older earnings than the market knew."""
    years = {t.periods[0] for t in trailing.values() if t is not None and t.method == "fiscal year"}
    for year in years:
        next_quarter_public = year.period_end + timedelta(days=92 + QUARTER_DEADLINE_DAYS)
        if view.as_of > next_quarter_public:
            result.notes.append(
                f"The trailing twelve months are {year.label} (ended {year.period_end}): the data has no "
                f"later quarter, though one was due by {next_quarter_public}."
            )


def _shares(view: StatementsAsOf, missing: dict[str, str]) -> tuple[float | None, Period | None, str]:
    try:
        shares, period = view.latest_balance("shares_outstanding")
    except NoDataError as exc:
        missing["market_cap"] = exc.message
        return None, None, ""
    try:
        diluted, diluted_period = view.latest_balance("diluted_shares")
    except NoDataError:
        return shares, period, ""
    ratio = shares / diluted if diluted > 0 else 1.0
    if 1 / SHARE_BASIS_RATIO <= ratio <= SHARE_BASIS_RATIO:
        return shares, period, ""
    note = (
        f"{view.symbol}: the balance sheet's share count ({shares:,.0f}, {period.label}) is on another basis "
        f"than its EPS; market cap uses the diluted average shares ({diluted:,.0f}, {diluted_period.label})."
    )
    return diluted, diluted_period, note


def _ttm(view: StatementsAsOf, item: str, missing: dict[str, str]) -> Trailing | None:
    try:
        return view.ttm(item)
    except NoDataError as exc:
        missing[f"ttm_{item}"] = exc.message
        return None


def _periods(periods: tuple[Period, ...]) -> str:
    return ", ".join(p.short() for p in sorted(periods, key=lambda p: (p.period_end, p.freq)))


def _finish(
    result: MetricResult, facts: FactList, used: dict[str, str], missing: dict[str, str]
) -> MetricResult:
    result.facts = list(facts)
    grouped: dict[str, list[str]] = {}
    for what, periods in used.items():  # the TTM figures usually share their four quarters
        grouped.setdefault(periods, []).append(what)
    result.details["statements_used"] = [
        f"{', '.join(whats)}: {periods}" for periods, whats in grouped.items()
    ]
    if missing:
        result.details["missing"] = list(missing)
        result.notes.extend(f"Not computed ({key}): {reason}." for key, reason in missing.items())
    result.notes.append(availability_note())
    return result
