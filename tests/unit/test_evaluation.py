from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from copilot.cli.eval import report_and_exit_code
from copilot.errors import BadInputError, ProviderUnavailableError
from copilot.evaluation import EvalCase, ExpectedFigure, load_cases, run_eval
from copilot.events import (
    CitedSource,
    DoneEvent,
    ErrorEvent,
    SourcesEvent,
    StatusEvent,
    TokenEvent,
    VerificationEvent,
)
from copilot.schemas import Fact, Source

RUT_YTD = 5.7339  # (2624.22 / 2481.91 - 1) * 100, the published +5.73% as of 2026-01-09
SPX_YTD = 1.46


def _perf() -> Source:
    facts = [
        Fact(key="return_ytd", label="^RUT YTD", value=RUT_YTD, unit="%", symbol="^RUT"),
        Fact(key="return_ytd", label="^GSPC YTD", value=SPX_YTD, unit="%", symbol="^GSPC"),
    ]
    return Source(kind="market_data", title="Performance YTD", provider="snapshot", facts=facts)


def _quote() -> Source:
    facts = [Fact(key="last_price", label="IWM", value=261.56, unit="USD", symbol="IWM")]
    return Source(kind="market_data", title="IWM quote", provider="snapshot", facts=facts)


class ScriptedRunner:
    """Answers each question from a script and records how it was called."""

    def __init__(self, answers: dict[str, tuple[str, list[Source]] | ErrorEvent]) -> None:
        self.answers = answers
        self.calls: list[tuple[str, str | None, date | None]] = []

    async def __call__(
        self, question: str, conversation_id: str | None, as_of: date | None
    ) -> AsyncIterator[Any]:
        self.calls.append((question, conversation_id, as_of))
        cid = conversation_id or f"conv-{len(self.calls)}"
        yield StatusEvent(phase="started", message="Working on it", conversation_id=cid)
        scripted = self.answers[question]
        if isinstance(scripted, ErrorEvent):
            yield scripted
            return
        answer, sources = scripted
        cited = [CitedSource(n=n, source=s) for n, s in enumerate(sources, start=1)]
        yield TokenEvent(text=answer)
        yield SourcesEvent(sources=cited)
        yield VerificationEvent(summary="2/2 verified", total=2, verified=2)
        yield DoneEvent(
            answer=answer, conversation_id=cid, mode="scripted", verification="2/2 verified", sources=cited
        )


def _case(
    case_id: str, question: str, *expected: ExpectedFigure, conversation: list[str] | None = None
) -> EvalCase:
    return EvalCase(
        id=case_id,
        question=question,
        as_of=date(2026, 1, 9),
        expected=list(expected),
        conversation=conversation or [],
    )


async def test_scores_accuracy_citations_verification_and_errors() -> None:
    runner = ScriptedRunner(
        {
            "small caps ytd?": ("The Russell 2000 is up 5.73% YTD vs +1.46% for the S&P 500 [1].", [_perf()]),
            "iwm price?": ("IWM trades at $261.56 [1], up 5.73% [3].", [_quote()]),
            "wrong?": ("The Russell 2000 is up 5.80% [1].", [_perf()]),
            "down?": ErrorEvent(code="provider_unavailable", message="snapshot missing"),
        }
    )
    cases = [
        _case(
            "rut",
            "small caps ytd?",
            ExpectedFigure(symbol="^RUT", key="return_ytd", value=RUT_YTD, unit="%"),
            ExpectedFigure(symbol="^GSPC", key="return_ytd", value=1.46, tolerance=0.001),
        ),
        _case("iwm", "iwm price?", ExpectedFigure(symbol="IWM", key="last_price", value=261.56)),
        _case("wrong", "wrong?", ExpectedFigure(symbol="^RUT", value=RUT_YTD)),
        _case("down", "down?", ExpectedFigure(value=1.0)),
    ]
    report = await run_eval(cases, runner)
    rut, iwm, wrong, down = report.cases
    assert (rut.found, rut.expected, rut.citations_valid, rut.passed) == (2, 2, True, True)
    assert (iwm.found, iwm.invalid_citations, iwm.passed) == (1, [3], False)
    assert (wrong.found, wrong.passed) == (0, False)
    assert wrong.missing == [ExpectedFigure(symbol="^RUT", value=RUT_YTD)]
    assert down.error == "provider_unavailable: snapshot missing" and not down.passed
    # verification is re-done on the final answer; the service's summary is kept beside it
    assert (rut.figures_verified, rut.figures_total, rut.reported_verification) == (2, 2, "2/2 verified")
    assert (iwm.figures_verified, iwm.figures_total) == (1, 2)  # 5.73% cites an unknown [3]
    assert (wrong.figures_verified, wrong.figures_total) == (0, 1)
    assert report.figure_accuracy == pytest.approx(3 / 5)
    assert report.citation_validity == pytest.approx(2 / 3)  # of the three answered cases
    assert report.verification_rate == pytest.approx(3 / 5)
    assert report.passed == 1
    assert all(c.latency_s >= 0 for c in report.cases)
    assert [call[2] for call in runner.calls] == [date(2026, 1, 9)] * 4


async def test_follow_ups_run_in_one_conversation_and_as_of_override() -> None:
    runner = ScriptedRunner(
        {
            "small caps ytd?": ("Up 5.73% [1].", [_perf()]),
            "and vs the S&P 500?": ("The S&P 500 gained +1.46% [1].", [_perf()]),
        }
    )
    case = _case(
        "follow",
        "and vs the S&P 500?",
        ExpectedFigure(symbol="^GSPC", key="return_ytd", value=SPX_YTD),
        conversation=["small caps ytd?"],
    )
    report = await run_eval([case], runner, as_of=date(2026, 1, 8))
    assert report.cases[0].passed
    assert runner.calls == [
        ("small caps ytd?", None, date(2026, 1, 8)),
        ("and vs the S&P 500?", "conv-1", date(2026, 1, 8)),
    ]


async def test_derived_figures_count_and_a_raising_runner_is_a_case_error() -> None:
    runner = ScriptedRunner({"ratio?": ("Small caps gained 3.9x the S&P 500's return [1].", [_perf()])})
    case = _case(
        "ratio", "ratio?", ExpectedFigure(key="return_ytd", symbol="^RUT", value=3.93, tolerance=0.01)
    )
    assert (await run_eval([case], runner)).cases[0].found == 1

    async def broken(question: str, conversation_id: str | None, as_of: date | None) -> AsyncIterator[Any]:
        raise ProviderUnavailableError("yahoo is down")
        yield  # an async generator

    report = await run_eval([case], broken)
    assert report.cases[0].error == "provider_unavailable: yahoo is down"
    assert report.figure_accuracy == 0.0


def test_load_cases_reads_jsonl_and_names_bad_lines(tmp_path: Path) -> None:
    good = tmp_path / "cases.jsonl"
    good.write_text(
        json.dumps({"id": "a", "question": "q?", "as_of": "2026-01-09", "expected": [{"value": 5.73}]})
        + "\n\n"
        + json.dumps({"id": "b", "question": "r?", "conversation": ["q?"]})
        + "\n"
    )
    cases = load_cases(good)
    assert [c.id for c in cases] == ["a", "b"]
    assert cases[0].as_of == date(2026, 1, 9) and cases[0].expected[0].value == 5.73
    assert cases[1].conversation == ["q?"] and cases[1].as_of is None
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"id": "a", "question": "q?"}) + "\n" + '{"id": "b"}\n')
    with pytest.raises(BadInputError, match=r"bad.jsonl:2: .*question"):
        load_cases(bad)
    bad.write_text("{not json\n")
    with pytest.raises(BadInputError, match=r"bad.jsonl:1"):
        load_cases(bad)
    bad.write_text(json.dumps({"id": "a", "question": "q"}) + "\n" + json.dumps({"id": "a", "question": "r"}))
    with pytest.raises(BadInputError, match="duplicate case ids a"):
        load_cases(bad)
    with pytest.raises(BadInputError, match="cannot read"):
        load_cases(tmp_path / "missing.jsonl")


def test_load_cases_refuses_unknown_keys(tmp_path: Path) -> None:
    # "expect" (tests/eval/questions.jsonl's spec key) instead of "expected": read as a case with no
    # expected figures, it scored 100% figure accuracy while checking nothing
    typo = tmp_path / "typo.jsonl"
    typo.write_text(json.dumps({"id": "a", "question": "q?", "expect": [{"value": 5.73}]}) + "\n")
    with pytest.raises(BadInputError, match=r"typo.jsonl:1: .*expect"):
        load_cases(typo)
    typo.write_text(json.dumps({"id": "a", "question": "q?", "expected": [{"value": 5.73, "sym": "X"}]}))
    with pytest.raises(BadInputError, match=r"typo.jsonl:1: .*sym"):
        load_cases(typo)


async def test_cli_report_json_and_exit_code(capsys: pytest.CaptureFixture[str]) -> None:
    runner = ScriptedRunner({"q?": ("Up 5.73% [1] and 9.99% [1].", [_perf()])})
    report = await run_eval(
        [_case("a", "q?", ExpectedFigure(value=RUT_YTD), ExpectedFigure(value=7.0))], runner
    )
    assert report_and_exit_code(report, json_output=True, min_accuracy=0.5) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["figure_accuracy"] == 0.5 and payload["threshold_failures"] == []
    assert payload["cases"][0]["missing"] == [
        {"value": 7.0, "symbol": None, "key": None, "tolerance": None, "unit": None}
    ]
    assert report_and_exit_code(report, min_accuracy=0.9) == 1
    captured = capsys.readouterr()
    assert "figure accuracy 50.0%" in captured.out and "missing 7" in captured.out
    assert "figure accuracy 50.0% < 90.0%" in captured.err


def test_cli_refuses_a_bad_date_or_file_before_building_anything(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from copilot.cli import app

    cli = CliRunner()
    missing = cli.invoke(app, ["eval", str(tmp_path / "none.jsonl")])
    assert missing.exit_code == 2 and "cannot read eval file" in missing.output
    bad_date = cli.invoke(app, ["eval", str(tmp_path / "none.jsonl"), "--as-of", "09/01/2026"])
    assert bad_date.exit_code == 2 and "--as-of must be a date" in bad_date.output


async def test_an_expected_key_tied_in_value_with_the_matched_fact_counts() -> None:
    # on 2026-01-09 IWM's day high was its 52-week high: the verifier names day_high first
    facts = [
        Fact(key="day_high", label="Day high", value=261.10, unit="USD", symbol="IWM"),
        Fact(key="high_52w", label="52-week high", value=261.10, unit="USD", symbol="IWM"),
        Fact(key="low_52w", label="52-week low", value=170.95, unit="USD", symbol="IWM"),
    ]
    quote = Source(kind="market_data", title="IWM quote", provider="snapshot", facts=facts)
    runner = ScriptedRunner({"iwm high?": ("IWM's 52-week high is $261.10 [1].", [quote])})
    met = _case("tie", "iwm high?", ExpectedFigure(symbol="IWM", key="high_52w", value=261.10))
    unmet = _case("other", "iwm high?", ExpectedFigure(symbol="IWM", key="low_52w", value=261.10))
    report = await run_eval([met, unmet], runner)
    assert [c.found for c in report.cases] == [1, 0]
