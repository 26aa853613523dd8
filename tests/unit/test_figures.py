from __future__ import annotations

from pathlib import Path

import pytest

from copilot.figures import extract_figures, split_sentences


@pytest.fixture(scope="module")
def seed(shared_data: Path) -> list[str]:
    """The paragraphs of the published seed note (the acid test of extraction)."""
    text = (shared_data.parent / "seeds" / "000_f16841b017a34717.txt").read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip()]


def _paragraph(seed: list[str], starts: str) -> str:
    return next(p for p in seed if p.startswith(starts))


def test_seed_rally_paragraph(seed: list[str]) -> None:
    figures = extract_figures(_paragraph(seed, "The small-cap rally observed"))
    assert [f.text for f in figures] == ["5.73%", "+1.46%", "+1.11%", "four-fold", "five-fold"]
    assert [f.value for f in figures] == [5.73, 1.46, 1.11, 4.0, 5.0]
    assert [f.unit for f in figures] == ["%", "%", "%", "x", "x"]
    # "January 2026" is a date, "Russell 2000"/"S&P 500" are names: not figures
    assert figures[0].citations == (0, 1) and figures[2].citations == (0, 1)
    assert figures[3].citations == ()  # its sentence cites nothing
    assert figures[1].sign == 1 and figures[0].direction == 1  # "+" and "a gain of"
    assert figures[3].tolerance == pytest.approx(0.5, rel=1e-3)


def test_seed_iwm_paragraph(seed: list[str]) -> None:
    figures = extract_figures(_paragraph(seed, "The iShares Russell 2000 ETF (IWM)"))
    assert [f.text for f in figures] == [
        "$261.56",
        "$261.57",
        "24.97 million shares",
        "40.54 million",
        "19.24x",
    ]
    assert [f.value for f in figures] == [261.56, 261.57, 24_970_000.0, 40_540_000.0, 19.24]
    assert [f.unit for f in figures] == ["USD", "USD", "shares", "", "x"]
    assert figures[0].tolerance == pytest.approx(0.005, rel=1e-3)
    assert figures[2].tolerance == pytest.approx(5_000.0, rel=1e-3)
    assert [f.citations for f in figures] == [(0,), (0,), (), (), ()]


def test_seed_fed_paragraph_splits_the_range(seed: list[str]) -> None:
    figures = extract_figures(_paragraph(seed, "The Federal Reserve’s implementation"))
    assert [(f.value, f.unit) for f in figures] == [(0.25, "%"), (3.50, "%"), (3.75, "%")]
    assert all(f.citations == (2, 3) for f in figures)
    consensus = extract_figures(_paragraph(seed, "Consensus analyst forecasts"))
    assert [(f.value, f.unit) for f in consensus] == [(5.0, "%"), (7.0, "%")]  # "5–7%", not "Q1 2026"


def test_seed_valuation_and_history_paragraphs(seed: list[str]) -> None:
    valuation = extract_figures(_paragraph(seed, "Small-cap valuations remain"))
    assert [(f.text, f.value) for f in valuation] == [("18.11x", 18.11), ("22x", 22.0), ("18%", 18.0)]
    # "roughly 22x": a hedge word widens the tolerance to a whole unit
    assert valuation[1].approximate and valuation[1].tolerance == pytest.approx(1.0, rel=1e-3)
    assert valuation[2].direction == -1  # "an 18% discount"
    history = extract_figures(_paragraph(seed, "The current small-cap rally also carries"))
    assert [f.text for f in history] == ["2.85%"]  # not 1927, 10-year, 15-year


def test_seed_technical_paragraphs(seed: list[str]) -> None:
    breakout = extract_figures(_paragraph(seed, "The Russell 2000’s decisive breakout"))
    assert [f.value for f in breakout] == [2500.0]
    averages = extract_figures(_paragraph(seed, "The 50-day and 200-day moving averages"))
    assert [f.value for f in averages] == [2500.0, 2450.0, 2400.0]  # not 50-day / 200-day
    rsi = extract_figures(_paragraph(seed, "However, the daily Relative Strength Index"))
    assert rsi == []  # "above 70" is a threshold, not a figure
    sectors = extract_figures(_paragraph(seed, "The small-cap rally signals a rotation"))
    assert [f.value for f in sectors] == [1.88, 1.20, 0.93, -0.95, -2.02]
    assert [f.sign for f in sectors] == [1, 1, 1, -1, -1]


def test_dates_periods_years_codes_and_citations_are_not_figures() -> None:
    text = (
        "On 2026-01-09 and January 9, 2026 (Q1 2026, FY2018, 1Q26) the 14-day RSI(14), the 50-day and "
        "200-day averages, a 12-month target, 15 years since 1927, the 10-K and 8-K filings, the 1st "
        "quarter, 30 stocks, 3 cuts, S&P 500 and Russell 2000 [12][3, 4] were listed by 3M and a 5K "
        "race.\n1. First\n2) Second"
    )
    assert extract_figures(text) == []


def test_units_scales_and_signs() -> None:
    text = (
        "Revenue was $3.1B, USD 1,234.5 and 2.5 times. Spread 0.25 percentage points and 25 bps. "
        "Volume 1.2M, cap 2.75 trillion, level 2,624.22 points, RSI 72.35. Down 2.02% then -1.5%, "
        "later rose 3% to $258 and fell $3.20 to $250.10."
    )
    got = [(f.text, f.value, f.unit, f.sign, f.direction) for f in extract_figures(text)]
    assert got == [
        ("$3.1B", 3.1e9, "USD", None, None),
        ("USD 1,234.5", 1234.5, "USD", None, None),
        ("2.5 times", 2.5, "x", None, None),
        ("0.25 percentage points", 0.25, "pp", None, None),
        ("25 bps", 25.0, "bps", None, None),
        ("1.2M", 1.2e6, "", None, None),
        ("2.75 trillion", 2.75e12, "", None, None),
        ("2,624.22 points", 2624.22, "points", None, None),
        ("72.35", 72.35, "", None, None),
        ("2.02%", 2.02, "%", None, -1),
        ("-1.5%", -1.5, "%", -1, None),
        ("3%", 3.0, "%", None, 1),
        ("$258", 258.0, "USD", None, None),
        ("$3.20", 3.2, "USD", None, -1),
        ("$250.10", 250.10, "USD", None, None),
    ]
    assert extract_figures("$3.1B")[0].tolerance == pytest.approx(0.05e9, rel=1e-3)


def test_citation_rule_nearest_following_group_else_the_sentence() -> None:
    text = "IWM rose 1.2% [1], SPY 0.8% [2][3] and QQQ 0.5%. According to [4], small caps beat by 2.85%."
    figures = extract_figures(text)
    # QQQ 0.5%: no group follows it in its sentence, so every group of the sentence applies
    assert [f.citations for f in figures] == [(1,), (2, 3), (1, 2, 3), (4,)]


def test_sentences_keep_trailing_citations_and_abbreviations() -> None:
    text = "The U.S. index rose 5.73%. [1] Then it fell.\nNext line 2.5% [2]"
    spans = [text[a:b].strip() for a, b in split_sentences(text)]
    assert [s for s in spans if s] == [
        "The U.S. index rose 5.73%. [1]",
        "Then it fell.",
        "Next line 2.5% [2]",
    ]
    figures = extract_figures(text)
    assert [(f.value, f.citations) for f in figures] == [(5.73, (1,)), (2.5, (2,))]


def test_table_rows_take_the_tables_citations() -> None:
    text = (
        "Year to date:\n\n| Index | YTD |\n|---|---|\n| ^RUT | +5.73% |\n| ^GSPC | +1.46% [2] |\n"
        "| ^IXIC | 1.11% |\n\nSources: [1]\nA later line of 2.5% cites nothing."
    )
    figures = extract_figures(text)
    assert [(f.text, f.citations) for f in figures] == [
        ("+5.73%", (2, 1)),
        ("+1.46%", (2,)),
        ("1.11%", (2, 1)),
        ("2.5%", ()),
    ]


def test_more_units_currencies_and_hyphenated_points() -> None:
    text = (
        "A 0.5-point gap, a 4.27-percentage-point lead, a 25-basis-point cut, 3X, €5.20, EUR 3.5 bn, 7.5 bn."
    )
    got = [(f.text, f.value, f.unit) for f in extract_figures(text)]
    assert got == [
        ("0.5-point", 0.5, "points"),
        ("4.27-percentage-point", 4.27, "pp"),
        ("25-basis-point", 25.0, "bps"),
        ("3X", 3.0, "x"),
        ("€5.20", 5.2, "currency"),
        ("EUR 3.5 bn", 3.5e9, "currency"),
        ("7.5 bn", 7.5e9, ""),
    ]


def test_a_markdown_answer_as_a_language_model_writes_it() -> None:
    text = (
        "## 1. Small caps vs. large caps (as of Jan 9, 2026)\n\n"
        "- **Russell 2000 (^RUT):** +5.73% YTD [1], closing at 2,624.22 [1].\n"
        "- **S&P 500 (^GSPC):** +1.76% YTD (vs. +5.73% for small caps) [1].\n"
        "- IWM: $259.77, -0.51% from its 52-week high [2]; "
        "volume 36.30M vs. a 41.01M 3-month average [2].\n\n"
        "The 10-year yield (4.18%) and Q4 2025 EPS of $2.40 matter too, e.g. for the 2026 outlook.[3]\n"
        "Fed funds: 3.50%-3.75% after a 25-basis-point cut [4]; RSI(14) 61.74, SMA 50 at 6,818.21 [1].\n"
    )
    got = [(f.text, f.value, f.citations) for f in extract_figures(text)]
    assert got == [
        ("+5.73%", 5.73, (1,)),
        ("2,624.22", 2624.22, (1,)),
        ("+1.76%", 1.76, (1,)),
        ("+5.73%", 5.73, (1,)),
        ("$259.77", 259.77, (2,)),
        ("-0.51%", -0.51, (2,)),
        ("36.30M", 36.30e6, (2,)),
        ("41.01M", 41.01e6, (2,)),
        ("4.18%", 4.18, (3,)),
        ("$2.40", 2.40, (3,)),
        ("3.50%", 3.50, (4,)),
        ("3.75%", 3.75, (4,)),  # a range, not minus 3.75%
        ("25-basis-point", 25.0, (4,)),
        ("61.74", 61.74, (1,)),
        ("6,818.21", 6818.21, (1,)),
    ]
