"""Expected figures for the typed eval set, recomputed from the raw files with pandas, numpy and TA-Lib.

Nothing here imports Verity (``copilot/``, ``tools/``): every figure follows the conventions of
README.md, read straight from ``shared/data`` (``VERITY_SHARED_DATA``). One ``expect`` item of
questions.jsonl resolves to concrete figures with ``expected_figures(item, as_of)``::

    {"kind": "return", "symbol": "^IXIC", "period": "2025"}
      -> [{"symbol": "^IXIC", "value": 20.3575..., "unit": "%", "tolerance": 0.005000001}]

Prices come from one file per symbol, so that every close is a traded close: index levels, the
large caps' split-adjusted closes (and SPY/QQQ), ^VIX/^DJI from Yahoo up to 2026-02-20, and the
other ETFs only from the raw 2026-03-31..2026-08-21 file (their older files are dividend-adjusted,
so asking for an earlier ETF close raises instead of returning an adjusted number). Anything the
data cannot answer unambiguously raises ``NoReference``: such a case must be rewritten, not skipped.
"""

from __future__ import annotations

import gzip
import json
import math
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import talib

DEFAULT_DATA = Path(__file__).resolve().parents[4] / "shared" / "data"
INDEX_FILE = "prices/indices_daily_2016_2026.csv.gz"
LARGE_CAPS_FILE = "prices/us_large_caps_daily_2016_2026.csv.gz"
YAHOO_FILE = "prices/yahoo_etfs_indices_daily_to_2026-02.csv.gz"
RAW_ETF_FILE = "prices/etfs_daily_recent_2026-03_to_2026-08.csv.gz"
STATEMENTS_FILE = "fundamentals/financial_statements_yfinance_30_large_caps.csv.gz"
SHILLER_FILE = "fundamentals/shiller_sp500_monthly_1871_2026.csv.gz"
INDICES = ("^GSPC", "^IXIC", "^RUT", "^SOX")
YAHOO_INDICES = ("^VIX", "^DJI")
YAHOO_PARTIAL_FROM = pd.Timestamp("2026-02-23")  # the Yahoo file's last row was captured intraday
SECTOR_ETFS = ("XLB", "XLC", "XLE", "XLF", "XLI", "XLK", "XLP", "XLRE", "XLU", "XLV", "XLY")
TRAILING_MONTHS = {"1m": 1, "3m": 3, "6m": 6, "1y": 12, "3y": 36, "5y": 60}
TRADING_DAYS_BACK = {"1d": 1, "5d": 5}
LINES = {
    "revenue": "Total Revenue",
    "net_income": "Net Income",
    "eps": "Diluted EPS",
    "fcf": "Free Cash Flow",
    "gross_profit": "Gross Profit",
    "operating_income": "Operating Income",
}
MARGINS = {"gross_margin": "gross_profit", "operating_margin": "operating_income", "net_margin": "net_income"}
MINUTES_DELAY = timedelta(days=21)  # FOMC minutes are released three weeks after the meeting
PCT_TOLERANCE = 0.005 + 1e-9  # half the last digit of a figure shown with 2 decimals
PERIOD_ENDED = re.compile(
    r"(?i)(?:quarterly period|fiscal year|year) ended\s*:?\s*([A-Z][a-z]+)\s+(\d{1,2})\s*,\s*(\d{4})"
)
TARGET_RANGE = re.compile(
    r"decided to (?:maintain|lower|raise) the target range for the federal funds rate"
    r"[^.]*? (?:at|to) (\d+(?:-\d/\d)?) to (\d+(?:-\d/\d)?) percent"
)

Figure = dict[str, Any]


class NoReference(LookupError):
    """The data has no unambiguous value for this question (a case to rewrite, not to skip)."""


@dataclass(frozen=True)
class AvailabilityRule:
    """When a statement row counts as public; the variants exist to prove cases do not depend on them.

    ``year_end_quarter_days``: days after a fiscal year end at which its fourth-quarter row counts
    when no filing date is known (60 as for the annual row, or 40 as for any quarter).
    ``annual_report_dates_quarter``: whether a 10-K's filing date also dates the quarter it closes.
    """

    year_end_quarter_days: int = 60
    annual_report_dates_quarter: bool = True


RULE_VARIANTS = tuple(AvailabilityRule(days, flag) for days in (60, 40) for flag in (True, False))


def figure(symbol: str | None, value: float, unit: str, tolerance: float = PCT_TOLERANCE) -> Figure:
    """One expected figure as questions.jsonl consumers read it."""
    return {"symbol": symbol, "value": float(value), "unit": unit, "tolerance": tolerance}


def compact_tolerance(value: float) -> float:
    """Half the last digit of a large amount shown with 2 decimals in K/M/B/T (``$109.42B``)."""
    scale = next((t for t in (1e12, 1e9, 1e6, 1e3) if abs(value) >= t), 1.0)
    return 0.005 * scale + 1e-9


def price_unit(symbol: str) -> str:
    return "points" if symbol.startswith("^") else "USD"


def fraction(text: str) -> float:
    """The Fed's quarter points: '4-1/4' -> 4.25, '4' -> 4.0."""
    whole, _, part = text.partition("-")
    numerator, _, denominator = part.partition("/")
    return float(whole) + (float(numerator) / float(denominator) if part else 0.0)


def calendar_period(period: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last day of ``2025``, ``2025Q4`` or ``2024-02``."""
    if re.fullmatch(r"\d{4}", period):
        return pd.Timestamp(int(period), 1, 1), pd.Timestamp(int(period), 12, 31)
    if quarter := re.fullmatch(r"(\d{4})Q([1-4])", period):
        start = pd.Timestamp(int(quarter.group(1)), 3 * int(quarter.group(2)) - 2, 1)
        return start, start + pd.offsets.QuarterEnd(0)
    if re.fullmatch(r"\d{4}-\d{2}", period):
        start = pd.Timestamp(period + "-01")
        return start, start + pd.offsets.MonthEnd(0)
    raise NoReference(f"unknown period {period!r}")


@cache
def _csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path)


@cache
def _jsonl(path: Path) -> tuple[dict[str, Any], ...]:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return tuple(json.loads(line) for line in handle if line.strip())


def when(row: pd.Series) -> pd.Timestamp:
    """The session date of a row of ``bars``."""
    return pd.Timestamp(str(row.name))


def _head(path: Path) -> str:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return handle.read(6000)


class TypedReference:
    """Plain-pandas figures over the shared data folder (each file is read once per session)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._bars: dict[str, pd.DataFrame] = {}
        self._statements: dict[str, pd.DataFrame] = {}
        self._year_ends: dict[str, int] = {}

    # ---- prices -------------------------------------------------------------------------------
    def bars(self, symbol: str) -> pd.DataFrame:
        """Daily OHLCV of traded prices for ``symbol``, indexed by date."""
        if symbol not in self._bars:
            if symbol in INDICES:
                name = INDEX_FILE
            elif symbol in YAHOO_INDICES:
                name = YAHOO_FILE
            elif symbol in set(_csv(self.root / RAW_ETF_FILE)["symbol"]) - {"SPY", "QQQ"}:
                name = RAW_ETF_FILE
            else:
                name = LARGE_CAPS_FILE
            frame = _csv(self.root / name)
            rows = frame[frame["symbol"] == symbol].set_index("date")
            rows.index = pd.to_datetime(rows.index)
            rows = rows.sort_index().loc[
                : YAHOO_PARTIAL_FROM - timedelta(days=1) if name == YAHOO_FILE else None
            ]
            if rows.empty:
                raise NoReference(f"{symbol} has no traded prices in {name}")
            self._bars[symbol] = rows
        return self._bars[symbol]

    def upto(self, symbol: str, day: date | str | pd.Timestamp) -> pd.DataFrame:
        rows = self.bars(symbol).loc[: pd.Timestamp(day)]
        if rows.empty:
            raise NoReference(f"{symbol} has no traded close on or before {day}")
        return rows

    def session(self, symbol: str, day: date | str | pd.Timestamp, as_of: date) -> pd.Series:
        """The session a date stands for (that day, or the last session before it), never after as_of."""
        if pd.Timestamp(day) > pd.Timestamp(as_of):
            raise NoReference(f"{day} is after the analysis date {as_of}")
        return self.upto(symbol, day).iloc[-1]

    def period_bounds(self, symbol: str, period: str, as_of: date) -> tuple[pd.Series, pd.Series]:
        """(base session, end session) of a period in the README's grammar, as of ``as_of``."""
        now = pd.Timestamp(as_of)
        rows = self.upto(symbol, now)
        kind, _, rest = period.partition(":")
        starts = {
            "ytd": pd.Timestamp(now.year, 1, 1),
            "mtd": pd.Timestamp(now.year, now.month, 1),
            "qtd": pd.Timestamp(now.year, 3 * ((now.month - 1) // 3) + 1, 1),
        }
        if period in TRADING_DAYS_BACK:
            return rows.iloc[-TRADING_DAYS_BACK[period] - 1], rows.iloc[-1]
        if period in TRAILING_MONTHS:
            start = now - pd.DateOffset(months=TRAILING_MONTHS[period])
            return self.session(symbol, start, as_of), rows.iloc[-1]
        if period in starts:
            return self.session(symbol, starts[period] - timedelta(days=1), as_of), rows.iloc[-1]
        if kind == "since":
            return self.session(symbol, rest, as_of), rows.iloc[-1]
        if kind == "range":
            first, _, last = rest.partition("..")
            return self.session(symbol, first, as_of), self.session(
                symbol, min(pd.Timestamp(last), now), as_of
            )
        if kind == "day":
            end = self.session(symbol, rest, as_of)
            return self.upto(symbol, when(end) - timedelta(days=1)).iloc[-1], end
        start, stop = calendar_period(period)
        return self.session(symbol, start - timedelta(days=1), as_of), self.session(
            symbol, min(stop, now), as_of
        )

    def period_return(self, symbol: str, period: str, as_of: date) -> float:
        """Price return in % from the base close to the end close of ``period``."""
        base, end = self.period_bounds(symbol, period, as_of)
        if when(base) >= when(end):
            raise NoReference(f"{symbol} {period} as of {as_of}: no session after the base")
        return float((end["close"] / base["close"] - 1.0) * 100.0)

    def closes(self, symbol: str, as_of: date) -> np.ndarray:
        """Every traded close up to ``as_of``: indicators are seeded at the first bar of the file."""
        return self.upto(symbol, as_of)["close"].to_numpy(dtype=np.float64)

    # ---- statements ---------------------------------------------------------------------------
    def statements(self, symbol: str) -> pd.DataFrame:
        """Every statement row of one company (the file is split by company once)."""
        if not self._statements:
            frame = _csv(self.root / STATEMENTS_FILE)
            frame = frame.assign(period_end=pd.to_datetime(frame["period_end"]))
            self._statements.update({str(name): rows for name, rows in frame.groupby("symbol")})
        if symbol not in self._statements:
            raise NoReference(f"no statements for {symbol}")
        return self._statements[symbol]

    @cached_property
    def filings(self) -> list[tuple[str, str, pd.Timestamp, pd.Timestamp]]:
        """(symbol, form, filed, period ended) of every stored filing, the period read from its text."""
        found = []
        for row in _csv(self.root / "corpus/sec_filings/index.csv").itertuples():
            match = PERIOD_ENDED.search(_head(self.root / "corpus" / str(row.file)))
            if not match:
                raise NoReference(f"no period in {row.file}")
            ended = pd.Timestamp(datetime.strptime(" ".join(match.groups()), "%B %d %Y"))
            found.append((str(row.symbol), str(row.form), pd.Timestamp(str(row.filed_date)), ended))
        return found

    def year_end_month(self, symbol: str) -> int:
        """The month a company's fiscal year ends in (September for Apple)."""
        if symbol not in self._year_ends:
            ends = self.statements(symbol).query("freq == 'annual'")["period_end"]
            self._year_ends[symbol] = int(ends.dt.month.mode().iloc[0])
        return self._year_ends[symbol]

    def fiscal_label(self, symbol: str, period_end: pd.Timestamp) -> tuple[int, int]:
        """(fiscal year, quarter) of a quarter end: Apple's quarter ended June 2026 is (2026, 3)."""
        last = self.year_end_month(symbol)
        year = period_end.year + (1 if period_end.month > last else 0)
        return year, ((period_end.month - last - 1) % 12) // 3 + 1

    def available_from(
        self, symbol: str, freq: str, end: pd.Timestamp, rule: AvailabilityRule
    ) -> pd.Timestamp:
        """The first day a statement row is public: its filing date where known, else the deadline."""
        for filer, form, filed, ended in self.filings:
            # yfinance labels periods by month end (Apple's 2026-06-27 quarter is 2026-06-30)
            if filer != symbol or abs((ended - end).days) > 25:
                continue
            if (form == "10-Q" and freq == "quarterly") or (
                form == "10-K" and (freq == "annual" or rule.annual_report_dates_quarter)
            ):
                return filed
        if freq == "annual":
            return end + timedelta(days=60)
        year_end = end.month == self.year_end_month(symbol)
        return end + timedelta(days=rule.year_end_quarter_days if year_end else 40)

    def line(self, symbol: str, name: str, freq: str) -> pd.Series:
        """One statement line of a company by period end (missing periods absent)."""
        frame = self.statements(symbol)
        rows = frame[(frame["freq"] == freq) & (frame["line_item"] == LINES[name])]
        rows = rows.dropna(subset=["value"])
        if rows["period_end"].duplicated().any():
            raise NoReference(f"{symbol} {name} {freq}: duplicate periods")
        return rows.set_index("period_end")["value"].sort_index()

    def fiscal_period(
        self, symbol: str, fiscal: str, as_of: date, rule: AvailabilityRule
    ) -> tuple[str, pd.Timestamp]:
        """(freq, period end) that ``latest-quarter``, ``latest-year``, ``FY2025`` or ``FY2026Q3`` names."""
        named = re.fullmatch(r"FY(\d{4})(?:Q([1-4]))?", fiscal)
        if not named and fiscal not in ("latest-quarter", "latest-year"):
            raise NoReference(f"unknown fiscal period {fiscal!r}")
        freq = "annual" if fiscal == "latest-year" or (named and not named.group(2)) else "quarterly"
        frame = self.statements(symbol)
        ends = sorted(set(frame[frame["freq"] == freq]["period_end"]))
        public = [e for e in ends if self.available_from(symbol, freq, e, rule) <= pd.Timestamp(as_of)]
        if not named:
            if not public:
                raise NoReference(f"no {freq} statement of {symbol} public on {as_of}")
            return freq, public[-1]
        for end in public:
            year, quarter = self.fiscal_label(symbol, end)
            if year == int(named.group(1)) and (freq == "annual" or quarter == int(named.group(2))):
                return freq, end
        raise NoReference(f"{symbol} {fiscal} is not public on {as_of}")

    def statement_value(
        self, symbol: str, name: str, fiscal: str, as_of: date, rule: AvailabilityRule
    ) -> float:
        """A statement line (or a margin in % of revenue) for the fiscal period, as public on ``as_of``."""
        if name in MARGINS:
            part = self.statement_value(symbol, MARGINS[name], fiscal, as_of, rule)
            return part / self.statement_value(symbol, "revenue", fiscal, as_of, rule) * 100.0
        freq, end = self.fiscal_period(symbol, fiscal, as_of, rule)
        values = self.line(symbol, name, freq)
        if end not in values.index:
            raise NoReference(f"{symbol} has no {name} for {end.date()}")
        return float(values[end])

    def growth(self, item: dict[str, Any], as_of: date, rule: AvailabilityRule) -> float:
        """Growth in % of a line over the same period a year earlier (yoy) or the quarter before (qoq)."""
        symbol, name = item["symbol"], item["line"]
        freq, end = self.fiscal_period(symbol, item["fiscal"], as_of, rule)
        values = self.line(symbol, name, freq)
        earlier = end - pd.DateOffset(months=12 if item["basis"] == "yoy" else 3)
        before = [e for e in values.index if abs((e - earlier).days) <= 10]
        if end not in values.index or len(before) != 1 or values[before[0]] <= 0:
            raise NoReference(f"{symbol} {name}: no {item['basis']} comparison for {end.date()}")
        return float((values[end] / values[before[0]] - 1.0) * 100.0)

    def trailing_eps(self, symbol: str, as_of: date, rule: AvailabilityRule) -> float:
        """Sum of the diluted EPS of the last four quarters public on ``as_of`` (consecutive quarters)."""
        eps = self.line(symbol, "eps", "quarterly")
        public = [
            e for e in eps.index if self.available_from(symbol, "quarterly", e, rule) <= pd.Timestamp(as_of)
        ]
        last4 = public[-4:]
        if len(last4) < 4 or (last4[-1] - last4[0]).days > 290:
            raise NoReference(f"{symbol}: no four consecutive public quarters of EPS on {as_of}")
        return float(sum(eps[e] for e in last4))

    # ---- other fundamentals -------------------------------------------------------------------
    def targets(self, symbol: str, as_of: date) -> pd.Series:
        """The latest analyst-target snapshot row of ``symbol`` on or before ``as_of``."""
        frame = _csv(self.root / "fundamentals/ndx_analyst_targets_2026-08.csv.gz")
        rows = frame[(frame["ticker"] == symbol) & (frame["date"] <= as_of.isoformat())]
        if rows.empty:
            raise NoReference(f"no analyst targets for {symbol} on or before {as_of}")
        return rows.sort_values("date").iloc[-1]

    def shiller(self, column: str, as_of: date) -> pd.Series:
        """The latest Shiller month on or before ``as_of`` with a value in ``column`` (0 = missing)."""
        frame = _csv(self.root / SHILLER_FILE)
        rows = frame[(frame["Date"] <= as_of.isoformat()) & (frame[column] > 0)]
        return rows.iloc[-1]

    def snapshot(self, symbol: str, field: str) -> float:
        frame = _csv(self.root / "fundamentals/yahoo_quotesummary_valuation_snapshot_2025.csv")
        return float(frame.loc[frame["symbol"] == symbol, field].iloc[0])

    # ---- documents ----------------------------------------------------------------------------
    def fomc(self) -> tuple[dict[str, Any], ...]:
        return _jsonl(self.root / "corpus/fed_fomc_communications_2020_2026.jsonl.gz")

    def speeches(self) -> tuple[dict[str, Any], ...]:
        return _jsonl(self.root / "corpus/fed_speeches_2025_2026.jsonl.gz")

    def available_on(self, doc: dict[str, Any]) -> date:
        """A Fed document's public date: minutes three weeks after their meeting, the rest that day."""
        held = date.fromisoformat(doc["date"])
        return held + MINUTES_DELAY if doc.get("kind") == "minutes" else held

    def documents(self, cover: dict[str, Any], as_of: date) -> list[str]:
        """Ids (Fed) or file names (SEC) of the documents a ``documents`` cover item asks for."""
        spec = cover["doc"]
        kind = {"projections": "sep"}.get(spec["kind"], spec["kind"])
        if kind in ("10-K", "10-Q"):
            index = _csv(self.root / "corpus/sec_filings/index.csv")
            rows = index[(index["symbol"] == cover["subject"]) & (index["form"] == kind)]
            rows = rows[rows["filed_date"] <= as_of.isoformat()].sort_values("filed_date")
            return [str(rows["file"].iloc[-1])] if len(rows) else []
        pool = list(self.speeches()) if kind == "speech" else [d for d in self.fomc() if d["kind"] == kind]
        pool = [d for d in pool if self.available_on(d) <= as_of]
        if "speaker" in spec:
            pool = [d for d in pool if d["speaker"] == spec["speaker"]]
        month = spec.get("meeting") or cover.get("period")  # a meeting's or a publication's month
        if month and re.fullmatch(r"\d{4}-\d{2}", month):
            pool = [d for d in pool if d["date"][:7] == month]
        if spec.get("latest") and pool:
            newest = max(d["date"] for d in pool)
            pool = [d for d in pool if d["date"] == newest]
        return [str(d["id"]) for d in pool]

    def target_range(self, as_of: date, meeting: str | None = None) -> tuple[float, float]:
        """The federal funds target range the statement of ``meeting`` (else the latest one) states."""
        spec = {"kind": "statement", "latest": True} | ({"meeting": meeting} if meeting else {})
        ids = self.documents({"doc": spec}, as_of)
        if len(ids) != 1:
            raise NoReference(f"no single FOMC statement for {meeting or 'the latest meeting'} on {as_of}")
        text = next(d["text"] for d in self.fomc() if d["id"] == ids[0])
        found = TARGET_RANGE.search(re.sub("\u2014\x91|\u2011|\u2013", "-", text))  # scraped hyphens
        if not found:
            raise NoReference(f"no target range in {ids[0]}")
        return fraction(found.group(1)), fraction(found.group(2))


@cache
def default_reference() -> TypedReference:
    """The reference over ``VERITY_SHARED_DATA`` (default: ``shared/data`` beside the repository)."""
    return TypedReference(Path(os.environ.get("VERITY_SHARED_DATA", DEFAULT_DATA)))


def expected_figures(
    item: dict[str, Any],
    as_of: date | str,
    ref: TypedReference | None = None,
    rule: AvailabilityRule = AvailabilityRule(),
) -> list[Figure]:
    """The concrete figures ``{"symbol", "value", "unit", "tolerance"}`` one ``expect`` item stands for."""
    day = as_of if isinstance(as_of, date) else date.fromisoformat(as_of)
    if item["kind"] not in KINDS:
        raise NoReference(f"unknown expectation kind {item['kind']!r}")
    figures = KINDS[item["kind"]](ref or default_reference(), item, day, rule)
    if not figures or not all(math.isfinite(f["value"]) for f in figures):
        raise NoReference(f"{item} on {day}: no finite figure")
    return figures


Resolver = Callable[[TypedReference, dict[str, Any], date, AvailabilityRule], list[Figure]]


def _bars_figures(ref: TypedReference, item: dict[str, Any], day: date, _: AvailabilityRule) -> list[Figure]:
    """close, day_range, volume on a date; closes (base and end) and high_low over a period."""
    symbol, kind = str(item["symbol"]), item["kind"]
    unit = price_unit(symbol)
    if kind in ("closes", "high_low"):
        base, end = ref.period_bounds(symbol, item["period"], day)
        if kind == "closes":
            return [figure(symbol, base["close"], unit), figure(symbol, end["close"], unit)]
        rows = ref.upto(symbol, when(end)).loc[when(base) + timedelta(days=1) :]
        return [figure(symbol, rows["high"].max(), unit), figure(symbol, rows["low"].min(), unit)]
    row = ref.session(symbol, item["date"], day)
    if kind == "day_range":
        return [figure(symbol, row["high"], unit), figure(symbol, row["low"], unit)]
    if kind == "volume":
        return [figure(symbol, row["volume"], "shares", compact_tolerance(row["volume"]))]
    return [figure(symbol, row["close"], unit)]


def _quote_figures(ref: TypedReference, item: dict[str, Any], day: date, _: AvailabilityRule) -> list[Figure]:
    """quote (last close, change %), range_52w (365 calendar days to as_of), avg_volume_3m (63 sessions)."""
    symbol, kind = str(item["symbol"]), item["kind"]
    rows, unit = ref.upto(symbol, day), price_unit(symbol)
    last, prev = float(rows["close"].iloc[-1]), float(rows["close"].iloc[-2])
    if kind == "quote":
        return [figure(symbol, last, unit), figure(symbol, (last / prev - 1.0) * 100.0, "%")]
    if kind == "avg_volume_3m":
        volume = float(rows["volume"].iloc[-63:].mean())
        return [figure(symbol, volume, "shares", compact_tolerance(volume))]
    window = rows.loc[pd.Timestamp(day) - timedelta(days=364) :]
    high, low = float(window["high"].max()), float(window["low"].min())
    values = {
        "high": (high, unit),
        "low": (low, unit),
        "from_high": ((last / high - 1.0) * 100.0, "%"),
        "from_low": ((last / low - 1.0) * 100.0, "%"),
    }
    return [figure(symbol, *values[f]) for f in item.get("fields", ["high", "low"])]


def _return_figures(
    ref: TypedReference, item: dict[str, Any], day: date, _: AvailabilityRule
) -> list[Figure]:
    """return of one symbol; sectors = the best and the worst of the 11 sector SPDRs."""
    if item["kind"] == "return":
        symbol, period = item["symbol"], item["period"]
        value = ref.period_return(symbol, period, day)
        base, end = ref.period_bounds(symbol, period, day)
        # the file's closes are rounded to the cent; another record of the same trade may hold the
        # unrounded split-adjusted price (NVDA 49.522 for 495.22 before its 10-for-1 split), which
        # moves a return by up to (1 + r) * (half a cent / base + half a cent / end)
        rounding = (1 + value / 100) * (0.005 / float(base["close"]) + 0.005 / float(end["close"])) * 100
        return [figure(symbol, value, "%", PCT_TOLERANCE + rounding)]
    returns = {etf: ref.period_return(etf, item["period"], day) for etf in SECTOR_ETFS}
    best, worst = max(returns, key=returns.__getitem__), min(returns, key=returns.__getitem__)
    return [figure(best, returns[best], "%"), figure(worst, returns[worst], "%")]


def _technical_figures(
    ref: TypedReference, item: dict[str, Any], day: date, _: AvailabilityRule
) -> list[Figure]:
    """rsi (14, Wilder), sma/ema (windows), macd (12, 26, 9), bollinger (20, 2): TA-Lib on traded closes."""
    symbol, kind = str(item["symbol"]), item["kind"]
    closes, unit = ref.closes(symbol, day), price_unit(symbol)
    if kind == "rsi":
        return [figure(symbol, talib.RSI(closes, timeperiod=14)[-1], "points")]
    if kind in ("sma", "ema"):
        average = talib.SMA if kind == "sma" else talib.EMA
        return [figure(symbol, average(closes, timeperiod=w)[-1], unit) for w in item["windows"]]
    if kind == "macd":
        lines = talib.MACD(closes, fastperiod=12, slowperiod=26, signalperiod=9)
    else:
        lines = talib.BBANDS(closes, timeperiod=20, nbdevup=2, nbdevdn=2, matype=talib.MA_Type.SMA)
    return [figure(symbol, series[-1], unit) for series in lines]


def _statement_figures(
    ref: TypedReference, item: dict[str, Any], day: date, rule: AvailabilityRule
) -> list[Figure]:
    """statement lines and margins, growth, and the point-in-time trailing P/E."""
    symbol, kind = str(item["symbol"]), item["kind"]
    if kind == "pe":
        return [
            figure(symbol, ref.session(symbol, day, day)["close"] / ref.trailing_eps(symbol, day, rule), "x")
        ]
    if kind == "growth":
        return [figure(symbol, ref.growth(item, day, rule), "%")]
    value = ref.statement_value(symbol, item["line"], item["fiscal"], day, rule)
    if item["line"] in MARGINS:
        return [figure(symbol, value, "%")]
    return [figure(symbol, value, "USD", compact_tolerance(value) if abs(value) >= 1e6 else PCT_TOLERANCE)]


def _provider_figures(
    ref: TypedReference, item: dict[str, Any], day: date, _: AvailabilityRule
) -> list[Figure]:
    """snapshot (Yahoo 2025-02-24), targets, sp500_pe and cape (Shiller), published figures."""
    kind, symbol = item["kind"], item.get("symbol")
    if kind == "snapshot":
        units = {"trailing_pe": "x", "forward_pe": "x", "price_to_book": "x", "trailing_eps": "USD"}
        return [figure(symbol, ref.snapshot(str(symbol), f), units[f]) for f in item["fields"]]
    if kind == "targets":
        row = ref.targets(str(symbol), day)
        fields = item.get("fields", ["target_mean", "target_high", "target_low"])
        return [figure(symbol, row[f], *(("count", 0.5) if f == "analysts" else ("USD",))) for f in fields]
    if kind == "sp500_pe":
        month = ref.shiller("Earnings", day)
        return [figure("^GSPC", month["SP500"] / month["Earnings"], "x")]
    if kind == "cape":
        return [figure("^GSPC", ref.shiller("PE10", day)["PE10"], "x")]
    return [figure(symbol, item["value"], item["unit"], item.get("tolerance", PCT_TOLERANCE))]


def _fed_figures(ref: TypedReference, item: dict[str, Any], day: date, _: AvailabilityRule) -> list[Figure]:
    """fed_target_range: the low and high end the statement of a meeting (or the latest) states."""
    low, high = ref.target_range(day, item.get("meeting"))
    return [figure(None, low, "%"), figure(None, high, "%")]


KINDS: dict[str, Resolver] = {
    **dict.fromkeys(("close", "day_range", "volume", "closes", "high_low"), _bars_figures),
    **dict.fromkeys(("quote", "range_52w", "avg_volume_3m"), _quote_figures),
    **dict.fromkeys(("return", "sectors"), _return_figures),
    **dict.fromkeys(("rsi", "sma", "ema", "macd", "bollinger"), _technical_figures),
    **dict.fromkeys(("statement", "growth", "pe"), _statement_figures),
    **dict.fromkeys(("snapshot", "targets", "sp500_pe", "cape", "published"), _provider_figures),
    "fed_target_range": _fed_figures,
}
