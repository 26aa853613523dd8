"""A snapshot with statements, filings, analyst targets and the Shiller series, and the plain
pandas references the fundamentals tests compare against (read from the shared CSVs, never
from the code under test)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pandas as pd

from tests.conftest import SHARED_DATA

STATEMENTS_CSV = SHARED_DATA / "fundamentals" / "financial_statements_yfinance_30_large_caps.csv.gz"
TARGETS_CSV = SHARED_DATA / "fundamentals" / "ndx_analyst_targets_2026-08.csv.gz"
SHILLER_CSV = SHARED_DATA / "fundamentals" / "shiller_sp500_monthly_1871_2026.csv.gz"
FILINGS_CSV = SHARED_DATA / "corpus" / "sec_filings" / "index.csv"
LARGE_CAPS_CSV = SHARED_DATA / "prices" / "us_large_caps_daily_2016_2026.csv.gz"
FUNDAMENTAL_SOURCES: tuple[Path, ...] = (
    LARGE_CAPS_CSV,
    STATEMENTS_CSV,
    TARGETS_CSV,
    SHILLER_CSV,
    FILINGS_CSV,
)


def statements_csv() -> pd.DataFrame:
    return pd.read_csv(STATEMENTS_CSV)


def reference_close(symbol: str, as_of: date) -> tuple[float, date]:
    """The close of the last bar on or before ``as_of`` in the large-caps file (traded closes)."""
    prices = pd.read_csv(LARGE_CAPS_CSV)
    rows = prices.loc[(prices["symbol"] == symbol) & (prices["date"] <= as_of.isoformat())]
    last = rows.sort_values("date").iloc[-1]
    return float(last["close"]), date.fromisoformat(last["date"])


def reference_availability(symbol: str, line_items: set[str] | None = None) -> dict[tuple[str, str], date]:
    """(freq, period_end) -> the day a period became public, by the documented rule, in pandas:
    the filing date of the matching 10-K/20-F (fiscal years and fourth quarters) or 10-Q from the
    SEC index, else 60 days after a fiscal year end / 40 days after another quarter end.
    ``line_items``: only periods that report one of these (the others carry no figure we show)."""
    frame = statements_csv()
    frame = frame.loc[frame["symbol"] == symbol]
    if line_items is not None:
        frame = frame.loc[frame["line_item"].isin(line_items) & frame["value"].notna()]
    annual_months = pd.to_datetime(frame.loc[frame["freq"] == "annual", "period_end"]).dt.month
    fy_month = int(annual_months.mode().max())
    filings = pd.read_csv(FILINGS_CSV)
    filings = filings.loc[filings["symbol"] == symbol]
    out: dict[tuple[str, str], date] = {}
    periods = frame.groupby(["freq", "period_end"]).size().index.tolist()
    for freq, end in periods:
        period_end = date.fromisoformat(str(end))
        year_end = freq == "annual" or period_end.month == fy_month
        forms = {"10-K", "20-F"} if year_end else {"10-Q"}
        available = period_end + timedelta(days=60 if year_end else 40)
        for row in filings.itertuples():
            stamp = re.match(r"^[a-z.\-]+-(\d{8})", str(row.first_200_chars))
            filed = date.fromisoformat(str(row.filed_date))
            if row.form not in forms or filed < period_end:
                continue
            if stamp is not None:
                own = pd.Timestamp(stamp.group(1)).date()
                if abs((own - period_end).days) <= 20:
                    available = filed
            else:  # MSFT/BRK-B: no period in the text's opening; it reports the latest such period
                same_kind = [
                    date.fromisoformat(str(e))
                    for f, e in periods
                    if f == freq
                    and (freq == "annual" or (date.fromisoformat(str(e)).month == fy_month) == year_end)
                ]
                latest = max((e for e in same_kind if e <= filed), default=None)
                if latest == period_end and (filed - period_end).days <= (200 if year_end else 120):
                    available = filed
        out[(str(freq), str(end))] = available
    return out


def reference_ttm(symbol: str, line_item: str, as_of: date) -> tuple[float, list[str]]:
    """TTM of a CSV line item from the statements public on ``as_of``: the last four public
    quarters when consecutive, else the latest public fiscal year (when at least as recent)."""
    frame = statements_csv()
    rows = frame.loc[(frame["symbol"] == symbol) & (frame["line_item"] == line_item)]
    public = reference_availability(symbol)
    rows = rows.loc[[public[(f, e)] <= as_of for f, e in zip(rows["freq"], rows["period_end"], strict=True)]]
    quarters = rows.loc[rows["freq"] == "quarterly"].sort_values("period_end").tail(4)
    ends = pd.to_datetime(quarters["period_end"])
    if len(quarters) == 4 and ends.diff().dropna().dt.days.between(75, 105).all():
        return float(quarters["value"].sum()), list(quarters["period_end"])
    annual = rows.loc[rows["freq"] == "annual"].sort_values("period_end").iloc[-1]
    return float(annual["value"]), [str(annual["period_end"])]
