"""The offline research report over the real data: charts drawn from the cited series, the exports
(Markdown, self-contained HTML, a PDF that opens and holds the figures and sources, JSON), the
CLI's errors, a stock topic, and cancelling a run."""

from __future__ import annotations

import asyncio
import re
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pypdf
import pytest
import talib
from typer.testing import CliRunner

from copilot.cli import app
from copilot.cli import research as research_cli
from copilot.research import ResearchDoneEvent, ResearchReport, ResearchRequest, run_research
from copilot.research.export import export_report, write_report
from tests.eval.reference import Reference

SEED_TOPIC = "Small-cap rally: is the Russell 2000's outperformance sustainable?"
AS_OF = date(2026, 1, 9)


async def _report(deps: Any, topic: str, as_of: date = AS_OF) -> ResearchReport:
    events = [
        e async for e in run_research(ResearchRequest(topic=topic, as_of=as_of, model="verity-offline"), deps)
    ]
    assert isinstance(events[-1], ResearchDoneEvent), events[-1]
    return events[-1].report


@pytest.fixture(scope="module")
def report(real: Any) -> ResearchReport:
    return asyncio.run(_report(real.deps(), SEED_TOPIC))


def test_the_price_chart_is_the_cited_index_with_talib_averages(
    report: ResearchReport, shared_data: Path
) -> None:
    chart = next(c for c in report.charts if c.key == "price")
    close, sma50, sma200 = chart.series
    closes = Reference(shared_data).upto("^RUT", AS_OF)["close"]
    assert close.points[-1].x == "2026-01-09" and close.points[-1].y == pytest.approx(
        closes.iloc[-1], abs=1e-3
    )
    values = closes.to_numpy(dtype=np.float64)
    # TA-Lib and pandas on the raw file; the snapshot's closes carry the float32 noise of one source
    assert sma50.points[-1].y == pytest.approx(talib.SMA(values, 50)[-1], abs=0.01)
    assert sma200.points[-1].y == pytest.approx(closes.iloc[-200:].mean(), abs=0.01)
    # and the lines end exactly at the averages the report cites
    cited = {c.n: c.source for c in report.sources}
    technicals = next(s for s in cited.values() if s.tool == "technicals")
    assert sma50.points[-1].y == pytest.approx(technicals.fact("sma_50").value, abs=1e-4)  # type: ignore[union-attr]
    assert sma200.points[-1].y == pytest.approx(technicals.fact("sma_200").value, abs=1e-4)  # type: ignore[union-attr]
    # a year of sessions, each with both averages defined
    assert len(close.points) == len(sma200.points) >= 245
    assert chart.sources and cited[chart.sources[0]].tool == "technicals"


def test_the_relative_chart_ends_at_the_cited_one_year_returns(
    report: ResearchReport, shared_data: Path
) -> None:
    chart = next(c for c in report.charts if c.key == "relative")
    ref = Reference(shared_data)
    assert [s.symbol for s in chart.series] == ["^RUT", "^GSPC", "^IXIC"]
    for series in chart.series:
        assert series.points[0].y == pytest.approx(100.0)
        _, value = ref.period_return(series.symbol or "", "1y", AS_OF)
        assert series.points[-1].y == pytest.approx(100 + value, abs=1e-3)


def test_the_sector_chart_is_the_cited_ranking(report: ResearchReport, shared_data: Path) -> None:
    chart = next(c for c in report.charts if c.key == "sectors")
    _, returns = Reference(shared_data).sector_returns("ytd", AS_OF)
    bars = {re.search(r"\((\w+)\)", p.x).group(1): p.y for p in chart.series[0].points}  # type: ignore[union-attr]
    assert bars == pytest.approx(returns, abs=1e-6)


def test_markdown_keeps_each_citations_link_and_date(report: ResearchReport) -> None:
    text = export_report(report, "md").decode()
    assert text.startswith(f"# {SEED_TOPIC}")
    assert "+5.73% year to date" in text and "claims verified" in text
    for cited in report.sources:
        line = next(row for row in text.splitlines() if row.startswith(f"- [{cited.n}] "))
        assert (cited.source.published or cited.source.as_of).isoformat() in line  # type: ignore[union-attr]
        if cited.source.kind == "document":
            assert cited.source.url and cited.source.url in line
    assert report.disclaimer in text and "not investment advice" in report.disclaimer


def test_html_is_self_contained_and_links_citations(report: ResearchReport) -> None:
    html = export_report(report, "html").decode()
    assert html.count("<svg") == len(report.charts) == 3
    assert not re.search(r"""(?:src|href)=["']?(?:https?:)?//""", html.split("<h2>Sources</h2>")[0])
    assert "<script" not in html and "<link" not in html
    for cited in report.sources:
        assert f'id="source-{cited.n}"' in html and f'href="#source-{cited.n}"' in html
    assert 'href="https://www.federalreserve.gov/newsevents/pressreleases/monetary20251210a.htm"' in html


def test_untrusted_text_is_escaped_in_html(report: ResearchReport) -> None:
    hostile = report.model_copy(
        update={
            "title": '<script>alert("x")</script> rally',
            "sections": [
                report.sections[0].model_copy(update={"body": "Up <img src=x onerror=alert(1)> +5.73% [1]."})
            ],
        }
    )
    html = export_report(hostile, "html").decode()
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def test_the_pdf_opens_and_holds_the_figures_and_sources(report: ResearchReport, tmp_path: Path) -> None:
    path = write_report(report, tmp_path / "note.pdf")
    reader = pypdf.PdfReader(path)
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert len(reader.pages) >= 3
    for figure in (
        "+5.73%",
        "+1.76%",
        "+1.85%",
        "$260.23",
        "$261.56",
        "36.30M",
        "65.82",
        "2,486.30",
        "3.50–3.75%",
    ):
        assert figure in text, figure
    for cited in report.sources:
        assert f"[{cited.n}] {cited.source.title}"[:40] in text
    assert "monetary20251210a.htm" in text and "claims verified" in text


def test_json_export_is_the_report(report: ResearchReport) -> None:
    assert ResearchReport.from_json(export_report(report, "json")) == report


def test_a_stock_topic_reports_valuation_results_and_targets(real: Any) -> None:
    report = asyncio.run(_report(real.deps(), "Is Apple expensive after its run?", date(2026, 8, 21)))
    assert report.verification.verified == report.verification.total
    valuation = report.section("valuation").body  # type: ignore[union-attr]
    assert "trailing P/E" in valuation and "Analysts' mean price target" in valuation
    raw = pd.read_csv(Path(real.settings.shared_data) / "fundamentals/ndx_analyst_targets_2026-08.csv.gz")
    rows = raw[(raw["ticker"] == "AAPL") & (raw["date"] <= "2026-08-21")].sort_values("date")
    mean = float(rows["target_mean"].iloc[-1])
    assert f"${mean:,.2f}" in valuation


def test_cli_errors_are_one_line_and_exit_2(
    real: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(research_cli, "deps_factory", lambda _: real.deps())
    runner = CliRunner()
    for args, message in (
        (["research", "Apple", "--as-of", "soon"], "Error: --as-of must be a date as YYYY-MM-DD, not 'soon'"),
        (
            ["research", "Apple", "--format", "docx"],
            "Error: unknown export format 'docx': use md, html, pdf, json",
        ),
        (
            ["research", "Apple", "--model", "gpt-9"],
            "Error: unknown research model 'gpt-9': use verity or verity-offline",
        ),
        (
            ["research", "  "],
            "Error: the research topic is empty: name an index, a sector, a fund or a company",
        ),
    ):
        result = runner.invoke(app, [*args, "--out", str(tmp_path / "x.md")])
        assert result.exit_code == 2, result.output
        assert "Traceback" not in result.output
        assert " ".join(result.stderr.split()) == message


async def test_closing_the_stream_cancels_the_run(real: Any) -> None:
    events = run_research(ResearchRequest(topic=SEED_TOPIC, as_of=AS_OF, model="verity-offline"), real.deps())
    first = await anext(events)
    assert first.type == "started"
    await events.aclose()  # the job runner's cancel: nothing keeps running
    pending = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    assert not [t for t in pending if "execute" in repr(t.get_coro())]
