from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from copilot.citations import SourceLedger
from copilot.schemas import Fact, Source
from copilot.verify import UNVERIFIED_MARK, annotate_unverified, repair_prompt, verify_figures

AS_OF = "2026-01-09"


def _fact(key: str, value: float, unit: str, symbol: str | None = None) -> Fact:
    return Fact(key=key, label=f"{symbol} {key}", value=value, unit=unit, symbol=symbol)


def _source(title: str, facts: list[Fact], kind: str = "market_data") -> Source:
    return Source(kind=kind, title=title, provider="test", facts=facts)


def _ledger(*sources: Source) -> SourceLedger:
    ledger = SourceLedger()
    for source in sources:
        ledger.add(source)
    return ledger


def _shift(text: str) -> str:
    """The seed numbers its sources from [0]; a ledger numbers from [1]."""
    return re.sub(r"\[(\d+)\]", lambda m: f"[{int(m.group(1)) + 1}]", text)


@pytest.fixture(scope="module")
def seed(shared_data: Path) -> list[str]:
    text = (shared_data.parent / "seeds" / "000_f16841b017a34717.txt").read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip()]


def _paragraph(seed: list[str], starts: str) -> str:
    return next(p for p in seed if p.startswith(starts))


@pytest.fixture(scope="module")
def real_ytd(shared_data: Path) -> dict[str, float]:
    """YTD returns as of 2026-01-09 computed with plain pandas from the index CSV."""
    prices = pd.read_csv(shared_data / "prices" / "indices_daily_2016_2026.csv.gz", parse_dates=["date"])
    out = {}
    for symbol in ("^RUT", "^GSPC", "^IXIC"):
        close = prices[prices.symbol == symbol].set_index("date")["close"]
        out[symbol] = (close.loc[AS_OF] / close.loc["2025-12-31"] - 1) * 100
    return out


def _real_perf(real_ytd: dict[str, float]) -> Source:
    return _source("Index performance YTD", [_fact("return_ytd", v, "%", s) for s, v in real_ytd.items()])


def _published_perf() -> Source:
    facts = [_fact("return_ytd", 5.73, "%", "^RUT"), _fact("return_ytd", 1.46, "%", "^GSPC")]
    facts.append(_fact("return_ytd", 1.11, "%", "^IXIC"))
    return _source("Published YTD returns", facts, kind="document")


def test_seed_opening_against_real_data_verifies_only_what_the_data_says(
    seed: list[str], real_ytd: dict[str, float]
) -> None:
    assert real_ytd["^RUT"] == pytest.approx(2624.22 / 2481.91 * 100 - 100, abs=1e-4)
    text = _paragraph(seed, "The small-cap rally observed").replace("[0][1]", "[1]")
    report = verify_figures(text, _ledger(_real_perf(real_ytd)))
    assert report.summary == "1/5 verified"
    assert [c.text for c in report.verified] == ["5.73%"]
    assert report.verified[0].matched_fact == "[1] ^RUT:return_ytd"
    assert report.verified[0].fact_value == pytest.approx(5.7339, abs=1e-4)
    # the real S&P 500 and Nasdaq YTD on 2026-01-09 were 1.76% and 1.85%, not the published figures
    by_text = {c.text: c for c in report.unverified}
    assert set(by_text) == {"+1.46%", "+1.11%", "four-fold", "five-fold"}
    assert by_text["four-fold"].reason == "cites no source"
    assert by_text["+1.46%"].reason == "no fact of [1] matches +1.46%"


def test_seed_opening_against_published_figures(seed: list[str], real_ytd: dict[str, float]) -> None:
    text = _shift(_paragraph(seed, "The small-cap rally observed"))
    ledger = _ledger(_real_perf(real_ytd), _published_perf())
    report = verify_figures(text, ledger)
    assert [c.text for c in report.verified] == ["5.73%", "+1.46%", "+1.11%"]
    assert report.verified[1].matched_fact == "[2] ^GSPC:return_ytd"
    assert [c.text for c in report.unverified] == ["four-fold", "five-fold"]  # the seed cites nothing there
    cited = "This approximately four-fold outperformance and five-fold outperformance versus growth [2]."
    derived = verify_figures(cited, ledger)
    assert derived.summary == "2/2 verified"
    assert derived.verified[0].derived_from == ["[2] ^RUT:return_ytd", "[2] ^GSPC:return_ytd"]
    assert derived.verified[1].derived_from == ["[2] ^RUT:return_ytd", "[2] ^IXIC:return_ytd"]
    # with the real returns the ratio is 5.73 / 1.76 = 3.25: not four-fold
    assert verify_figures(cited.replace("[2]", "[1]"), ledger).summary == "0/2 verified"


def test_seed_valuation_discount_is_derived(seed: list[str]) -> None:
    valuation = _source(
        "Small caps at a discount",
        [_fact("forward_pe", 18.11, "x", "^RUT"), _fact("forward_pe", 22.0, "x", "^GSPC")],
        kind="document",
    )
    ledger = _ledger(_source("unrelated", [_fact("last_price", 18.0, "USD", "IWM")]), valuation)
    text = _paragraph(seed, "Small-cap valuations remain").replace("[4]", "[2]")
    report = verify_figures(text, ledger)
    assert report.summary == "3/3 verified"
    assert [c.matched_fact for c in report.verified] == ["[2] ^RUT:forward_pe", "[2] ^GSPC:forward_pe", None]
    discount = report.verified[2]
    assert discount.text == "18%"
    assert discount.derived_from == ["[2] ^RUT:forward_pe", "[2] ^GSPC:forward_pe"]
    assert discount.formula == "18.11 / 22 - 1 = -17.68"
    # cited to the wrong source, the same figures are unverified
    assert verify_figures(text.replace("[2]", "[1]"), ledger).summary == "0/3 verified"


def test_seed_iwm_quote_and_volume(seed: list[str]) -> None:
    quote = _source(
        "IWM quote",
        [
            _fact("last_price", 261.56, "USD", "IWM"),
            _fact("high_52w", 261.57, "USD", "IWM"),
            _fact("volume", 24_970_000, "shares", "IWM"),
            _fact("avg_volume_3m", 40_540_000, "shares", "IWM"),
        ],
    )
    ledger = _ledger(quote)
    report = verify_figures(_shift(_paragraph(seed, "The iShares Russell 2000 ETF (IWM)")), ledger)
    assert [c.text for c in report.verified] == ["$261.56", "$261.57"]
    assert [c.text for c in report.unverified] == ["24.97 million shares", "40.54 million", "19.24x"]
    risk = verify_figures(_shift(_paragraph(seed, "Third, the below-average trading volume")), ledger)
    assert [(c.text, c.matched_fact) for c in risk.verified] == [
        ("24.97 million", "[1] IWM:volume"),
        ("40.54 million", "[1] IWM:avg_volume_3m"),
    ]


@pytest.mark.parametrize(
    ("figure", "fact", "verified"),
    [
        ("5.73%", _fact("r", 5.7312, "%"), True),
        ("5.73%", _fact("r", 5.7349, "%"), True),
        ("5.73%", _fact("r", 5.7251, "%"), True),
        ("5.73%", _fact("r", 5.7356, "%"), False),
        ("5.73%", _fact("r", 5.80, "%"), False),
        ("5.7%", _fact("r", 5.73, "%"), True),
        ("5.7%", _fact("r", 5.76, "%"), False),
        ("$261.56", _fact("p", 261.559, "USD"), True),
        ("$261.56", _fact("p", 261.566, "USD"), False),
        ("5.73%", _fact("r", 0.0573, "ratio"), True),
        ("5.73%", _fact("r", 0.0575, "ratio"), False),
        ("25 bps", _fact("cut", 0.25, "%"), True),
        ("24.97 million shares", _fact("v", 24_970_000, "shares"), True),
        ("24.97 million shares", _fact("v", 24_980_000, "shares"), False),
        ("$3.1B", _fact("cap", 3.1e9, "USD"), True),
        ("$3.1B", _fact("cap", 3.16e9, "USD"), False),
        ("-2.02%", _fact("r", -2.02, "%"), True),
        ("down 2.02%", _fact("r", -2.02, "%"), True),
        ("fell 2.02%", _fact("r", -2.02, "%"), True),
        ("2.02%", _fact("r", -2.02, "%"), True),
        ("+1.46%", _fact("r", 1.46, "%"), True),
        ("-1.46%", _fact("r", 1.46, "%"), False),
        ("fell 1.46%", _fact("r", 1.46, "%"), False),
        ("0.51% below its high", _fact("d", -0.51, "%"), True),
        ("0.51% above its high", _fact("d", -0.51, "%"), False),
        ("51.95% above its low", _fact("d", 51.95, "%"), True),
        ("51.95% below its low", _fact("d", 51.95, "%"), False),
        ("19.24x", _fact("pe", 19.24, "x"), True),
        ("19.24x", _fact("pe", 19.24, "USD"), False),
        ("2,624.22", _fact("level", 2624.22, "points"), True),
    ],
)
def test_tolerance_units_and_signs(figure: str, fact: Fact, verified: bool) -> None:
    report = verify_figures(f"It was {figure} on the day [1].", _ledger(_source("s", [fact])))
    assert report.total == 1
    assert bool(report.verified) is verified


def test_derived_difference_ratio_and_their_edges() -> None:
    ledger = _ledger(_published_perf())
    cases = {
        "a spread of 4.27 percentage points [1].": True,  # 5.73 - 1.46
        "a spread of 4.28 percentage points [1].": False,
        "3.9x the S&P 500's gain [1].": True,  # 5.73 / 1.46 = 3.92
        "4.0x the S&P 500's gain [1].": False,
        "a 292.5% outperformance [1].": True,  # (5.73 / 1.46 - 1) * 100 = 292.47
        "ten-fold the gain [1].": False,
    }
    for text, verified in cases.items():
        report = verify_figures(text, ledger)
        assert report.total == 1, text
        assert bool(report.verified) is verified, text
    segments = [_fact("services", 250.25, "USD", "AAPL"), _fact("wearables", 10.5, "USD", "AAPL")]
    summed = verify_figures("Together they made $260.75 [1].", _ledger(_source("q", segments)))
    assert summed.verified[0].formula == "250.25 + 10.5 = 260.8"
    assert summed.verified[0].derived_from == ["[1] AAPL:services", "[1] AAPL:wearables"]
    assert verify_figures("They made $260.75 [1].", _ledger(_source("q", segments))).summary == "0/1 verified"


def test_derivations_need_related_facts_and_a_comparison_in_the_sentence() -> None:
    ledger = _ledger(_published_perf())
    # a % figure is a derived difference only when the sentence compares
    assert verify_figures("Small caps outperformed by 4.27% [1].", ledger).summary == "1/1 verified"
    assert verify_figures("Small caps returned 4.27% [1].", ledger).summary == "0/1 verified"
    assert verify_figures("It grew 292.5% [1].", ledger).summary == "0/1 verified"
    # unrelated facts (different measure of a different symbol) are never paired
    unrelated = _ledger(
        _source("mixed", [_fact("return_ytd", 5.73, "%", "^RUT"), _fact("return_1m", 1.46, "%", "^GSPC")])
    )
    assert verify_figures("That is 3.9x the S&P 500's gain [1].", unrelated).summary == "0/1 verified"
    # two measures of one symbol pair up: price 3.2% above its 50-day average
    iwm = _ledger(
        _source("tech", [_fact("last_price", 261.56, "USD", "IWM"), _fact("sma_50", 253.45, "USD", "IWM")])
    )
    check = verify_figures("IWM trades 3.2% above its 50-day average [1].", iwm).verified[0]
    assert check.derived_from == ["[1] IWM:last_price", "[1] IWM:sma_50"]


def test_unknown_citations_and_restated_question_figures() -> None:
    ledger = _ledger(_published_perf())
    report = verify_figures("Small caps gained 5.73% [7]. You asked about 2.5% growth.", ledger)
    assert [c.reason for c in report.unverified] == ["cites unknown source [7]", "cites no source"]
    asked = verify_figures(
        "You asked about 2.5% growth. Small caps gained 5.73% [1].", ledger, "is 2.5% good?"
    )
    assert asked.summary == "1/1 verified"
    assert [c.text for c in asked.skipped] == ["2.5%"]


def test_dates_years_periods_and_citation_numbers_are_not_counted() -> None:
    ledger = _ledger(_published_perf())
    text = (
        "As of 2026-01-09 (January 9, 2026), in Q1 2026 and FY2025, the Russell 2000 gained 5.73% [1], "
        "above its 50-day and 200-day averages and RSI(14) of 70 over 12 months [1][1]."
    )
    report = verify_figures(text, ledger)
    assert report.summary == "1/1 verified"


def test_annotate_marks_each_unverified_figure_once() -> None:
    ledger = _ledger(_published_perf())
    answer = "Small caps rose 5.73% [1], the S&P 500 6.10% [1] and the Nasdaq 9.99% [1]."
    report = verify_figures(answer, ledger)
    annotated = annotate_unverified(answer, report)
    assert annotated == (
        f"Small caps rose 5.73% [1], the S&P 500 6.10%{UNVERIFIED_MARK} [1] "
        f"and the Nasdaq 9.99%{UNVERIFIED_MARK} [1]."
    )
    assert annotate_unverified(annotated, verify_figures(annotated, ledger)) == annotated
    prompt = repair_prompt(report, ledger)
    assert '"6.10%"' in prompt and '"9.99%"' in prompt and '"5.73%"' not in prompt
    assert "[1] Published YTD returns: None return_ytd 5.73%" not in prompt
    assert "^RUT return_ytd 5.73%" in prompt


def test_whole_seed_note_against_its_published_sources(seed: list[str], real_ytd: dict[str, float]) -> None:
    """Every figure of the seed, each source holding the figures the note attributes to it."""
    market = [
        _fact("return_ytd", real_ytd["^RUT"], "%", "^RUT"),
        _fact("last_price", 261.56, "USD", "IWM"),
        _fact("high_52w", 261.57, "USD", "IWM"),
        _fact("volume", 24_970_000, "shares", "IWM"),
        _fact("avg_volume_3m", 40_540_000, "shares", "IWM"),
        _fact("trailing_pe", 19.24, "x", "IWM"),
    ]
    market += [
        _fact("return_1d", value, "%", etf)
        for etf, value in (("XLP", 1.88), ("XLK", 1.20), ("XLF", 0.93), ("XLV", -0.95), ("XLRE", -2.02))
    ]
    fed = [_fact(f"figure_{i}", v, "%") for i, v in enumerate((0.25, 3.50, 3.75, 5, 7), 1)]
    ledger = _ledger(
        _source("market data", market),
        _source(
            "index returns",
            [_fact("return_ytd", 1.46, "%", "^GSPC"), _fact("return_ytd", 1.11, "%", "^IXIC")],
        ),
        _source("Fed and outlook", [*fed, _fact("figure_6", 2500, "points")], kind="document"),
        _source("Motley Fool", [_fact("figure_1", 2.85, "%")], kind="document"),
        _source(
            "valuation", [_fact("forward_pe", 18.11, "x", "^RUT"), _fact("forward_pe", 22, "x", "^GSPC")]
        ),
        _source("BofA", [_fact("figure_1", 30, "%")], kind="document"),
    )
    report = verify_figures(_shift("\n".join(seed)), ledger)
    assert report.summary == "31/42 verified"
    assert [(c.text, c.citations) for c in report.unverified] == [
        ("four-fold", []),
        ("five-fold", []),
        ("24.97 million shares", []),
        ("40.54 million", []),
        ("19.24x", []),
        ("2,500", []),
        ("2,450", []),
        ("2,400", []),
        ("2,450", []),
        # the closing summary cites the valuation source [5] for the Fed's range
        ("3.50", [5]),
        ("3.75%", [5]),
    ]


def test_figures_of_different_documents_are_not_paired() -> None:
    fed = _source("Fed statement", [_fact("figure_1", 3.75, "%"), _fact("figure_2", 3.50, "%")], "document")
    other = _source("Outlook", [_fact("figure_1", 1.25, "%")], kind="document")
    ledger = _ledger(fed, other)
    # within one passage: the 0.25-point width of the target range
    assert verify_figures("The range is 0.25 percentage points wide [1].", ledger).summary == "1/1 verified"
    # across passages, "figure_1" and "figure_1" are unrelated: 3.75 - 1.25 is no claim of either
    assert verify_figures("A gap of 2.50 percentage points [1][2].", ledger).summary == "0/1 verified"
    assert verify_figures("A gap of 2.25 percentage points [1][2].", ledger).summary == "0/1 verified"
