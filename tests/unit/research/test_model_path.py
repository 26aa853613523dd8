"""The research pipeline with a scripted model: planning JSON, sections, a repair round, a malformed
plan falling back, a failing step retried once then skipped, tokens and cost, replayable events."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from copilot.research import (
    ResearchDoneEvent,
    ResearchReport,
    ResearchRequest,
    ResearchSectionEvent,
    ResearchStepEvent,
    parse_research_event,
    run_research,
)
from copilot.research.events import ResearchEvent
from tests.unit.research import scripted
from tests.unit.research.conftest import ResearchFakeMarket
from tests.unit.research.scripted import APPLE_PLAN, ResearchScript

AS_OF = date(2026, 1, 9)
TOPIC = "Is Apple stretched after its run?"


async def collect(deps: Any, topic: str = TOPIC) -> list[ResearchEvent]:
    request = ResearchRequest(topic=topic, as_of=AS_OF, model="verity")
    return [event async for event in run_research(request, deps)]


def done(events: list[ResearchEvent]) -> ResearchReport:
    last = events[-1]
    assert isinstance(last, ResearchDoneEvent), last
    return last.report


async def test_the_models_plan_sections_and_citations(make_deps: Any) -> None:
    script = ResearchScript()
    report = done(await collect(make_deps(script.model())))
    assert report.plan is not None and report.plan.planner == "model"
    assert report.title == "Apple after its run"
    keys = [s.key for s in report.sections]
    assert keys == ["summary", "market_performance", "technicals", "drivers", "conclusion"]
    performance = report.section("market_performance")
    assert performance is not None
    # the cited source is the performance tool's, renumbered by first appearance in the report
    assert performance.body == "Apple returned -4.58% this year, against +1.77% for the S&P 500 [1]."
    assert report.sources[0].n == 1 and report.sources[0].source.tool == "performance"
    assert performance.verification.summary == "claims verified 2/2"
    drivers = report.section("drivers")
    assert drivers is not None and "3.50–3.75%" in drivers.body
    assert drivers.verification.verified == drivers.verification.total == 2
    assert report.verification.verified == report.verification.total
    # the summary repeats a verified sentence under the report's final numbers
    summary = report.section("summary")
    assert summary is not None and summary.body == performance.body
    # only cited sources are listed, numbered 1..N without gaps
    assert [c.n for c in report.sources] == list(range(1, len(report.sources) + 1))
    assert all(s.writer == "scripted" for s in report.sections)


async def test_a_misquoted_figure_gets_one_repair_round(make_deps: Any) -> None:
    script = ResearchScript(wrong_first={"Market performance"})
    report = done(await collect(make_deps(script.model())))
    section = report.section("market_performance")
    assert section is not None and section.repaired
    assert "-4.58%" in section.body and "-4.60%" not in section.body
    assert section.verification.summary == "claims verified 2/2"
    repair = [p for p in script.prompts if "could not be verified" in p]
    assert len(repair) == 1 and '"-4.60%"' in repair[0]


async def test_a_figure_still_wrong_after_the_repair_is_marked_unverified(
    make_deps: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the repair round repeats the mistake: the section keeps it, marked and counted
    original = scripted.SECTION_WRITERS["Market performance"]
    monkeypatch.setitem(
        scripted.SECTION_WRITERS, "Market performance", lambda prompt, wrong: original(prompt, True)
    )
    report = done(await collect(make_deps(ResearchScript().model())))
    section = report.section("market_performance")
    assert section is not None
    assert "-4.60% (⚠ unverified)" in section.body
    assert section.verification.summary == "claims verified 1/2"
    wrong = [f for f in section.verification.figures if not f.verified]
    assert [f.text for f in wrong] == ["-4.60%"] and wrong[0].reason
    assert report.verification.verified < report.verification.total


async def test_a_malformed_plan_is_retried_once_then_the_deterministic_plan_is_used(make_deps: Any) -> None:
    script = ResearchScript(plans=["Here is my plan: sections first", '{"title": "x", "sections": []}'])
    events = await collect(make_deps(script.model()))
    report = done(events)
    assert report.plan is not None and report.plan.planner == "deterministic"
    assert any("not valid twice" in note for note in report.notes)
    planning = [p for p in script.prompts if "research planner" in p]
    assert len(planning) == 2 and "That plan is not valid: the reply is not JSON" in planning[1]
    assert [s.key for s in report.sections][:2] == ["summary", "market_performance"]


async def test_a_plan_naming_an_unknown_symbol_is_sent_back(make_deps: Any) -> None:
    bad = json.loads(json.dumps(APPLE_PLAN))
    bad["sections"][1]["steps"][0]["arguments"]["symbol"] = "NOSUCH1"
    script = ResearchScript(plans=[json.dumps(bad), json.dumps(APPLE_PLAN)])
    report = done(await collect(make_deps(script.model())))
    assert report.plan is not None and report.plan.planner == "model"
    second = [p for p in script.prompts if "research planner" in p][1]
    assert "Unknown symbol 'NOSUCH1'" in second


async def test_a_failing_step_is_retried_once_then_skipped_with_a_note(
    make_deps: Any, market: ResearchFakeMarket
) -> None:
    market.failures["technicals"] = 2
    script = ResearchScript()
    events = await collect(make_deps(script.model()))
    report = done(events)
    technicals = [
        e for e in events if isinstance(e, ResearchStepEvent) and e.name.startswith("gather:technicals")
    ]
    assert [e.status for e in technicals] == ["started", "retried", "failed"]
    assert technicals[-1].attempt == 2 and "the fake provider is down" in (technicals[-1].error or "")
    assert [c[0] for c in market.calls].count("technicals") == 2
    section = report.section("technicals")
    assert section is not None
    assert any("the fake provider is down" in note for note in section.notes)
    assert section.body == "The technical indicators could not be retrieved for this note."
    assert any("failed: the fake provider is down" in note for note in report.notes)


async def test_a_step_that_fails_once_succeeds_on_its_retry(
    make_deps: Any, market: ResearchFakeMarket
) -> None:
    market.failures["technicals"] = 1
    report = done(await collect(make_deps(ResearchScript().model())))
    section = report.section("technicals")
    assert section is not None and "71.30" in section.body and not section.notes
    record = next(r for r in report.steps if r.name.startswith("gather:technicals"))
    assert record.status == "done" and record.attempts == 2


async def test_tokens_and_cost_per_step_and_in_total(make_deps: Any) -> None:
    events = await collect(make_deps(ResearchScript().model()))
    report = done(events)
    calls = [r for r in report.steps if r.kind in ("plan", "write")]
    assert calls and all(r.tokens_in >= 100 and r.tokens_out >= 20 for r in calls)
    total_calls = sum(r.tokens_in for r in report.steps) // 100
    assert report.usage.tokens_in == 100 * total_calls and report.usage.tokens_out == 20 * total_calls
    # the settings price "scripted" at 1 and 2 USD per million input and output tokens
    assert abs(report.usage.cost - total_calls * (100 * 1.0 + 20 * 2.0) / 1e6) < 1e-12
    assert report.usage.priced and report.usage.model == "scripted"
    step_costs = [e.cost for e in events if isinstance(e, ResearchStepEvent) and e.status == "done"]
    assert abs(sum(step_costs) - report.usage.cost) < 1e-12


async def test_an_unpriced_model_costs_zero_and_says_so(make_deps: Any, research_settings: Any) -> None:
    deps = make_deps(ResearchScript().model())
    deps.settings = research_settings.model_copy(update={"llm_prices": {}})
    report = done(await collect(deps))
    assert report.usage.cost == 0.0 and not report.usage.priced
    assert "No price is known for the model scripted" in report.usage.note


async def test_events_replay_from_json_and_the_report_rebuilds(make_deps: Any) -> None:
    events = await collect(make_deps(ResearchScript().model()))
    replayed = [parse_research_event(e.model_dump_json()) for e in events]
    assert replayed == events
    assert events[0].type == "started" and events[-1].type == "done"
    sections = [e for e in events if isinstance(e, ResearchSectionEvent)]
    assert len(sections) == 5
    percents = [e.percent for e in events if isinstance(e, ResearchStepEvent)]
    assert percents == sorted(percents) and percents[-1] == 100
    report = done(events)
    assert ResearchReport.from_json(report.to_json()) == report


async def test_bad_requests_fail_at_once(make_deps: Any) -> None:
    deps = make_deps(None)
    for topic, as_of, message in (
        ("   ", AS_OF, "the research topic is empty"),
        ("Apple", date(2026, 1, 10), "is in the future"),
    ):
        events = [e async for e in run_research(ResearchRequest(topic=topic, as_of=as_of), deps)]
        assert len(events) == 1 and events[0].type == "failed"
        assert message in events[0].message and events[0].code == "bad_input"
