"""The offline analyst as a LangChain chat model: tool calls, cited prose, streaming, follow-ups.

Facts below are published figures (the seed's ^RUT YTD +5.73% and IWM quote as of 2026-01-09,
Yahoo's recorded AAPL quoteSummary of 2025-02-24, the Fed's 2025-12-10 statement); each answer is
checked with the real verifier: every figure must match the fact it cites.
"""

from __future__ import annotations

from datetime import date

import pytest
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage

from copilot.citations import SourceLedger
from copilot.knowledge.facts import extract_facts
from copilot.knowledge.passages import Passage, render_passage
from copilot.llm import build_chat_model, model_label
from copilot.offline import OFFLINE_MODEL_TYPE, OfflineAnalyst
from copilot.offline.registry import INTENTS
from copilot.schemas import Fact, Source, ToolArtifact
from copilot.turn_fields import FlaggedFigure, RepairRequest, dated_system_message, repair_message
from copilot.verify import verify_figures
from tools.symbols import SymbolResolver

TOOLS = (
    "get_quote",
    "get_price_history",
    "compare_performance",
    "get_technicals",
    "get_valuation",
    "get_financials",
    "get_analyst_targets",
    "get_market_valuation",
    "sector_performance",
    "lookup_symbol",
    "search_documents",
)
AS_OF = date(2026, 1, 9)
SYSTEM = dated_system_message("You are Verity.", AS_OF)


def analyst(tools: tuple[str, ...] = TOOLS, parallel: bool = True) -> OfflineAnalyst:
    model = OfflineAnalyst(resolver=SymbolResolver()).bind_tools(list(tools), parallel_tool_calls=parallel)
    assert isinstance(model, OfflineAnalyst)
    return model


def fact(key: str, value: float, unit: str, symbol: str, precision: int = 2, label: str = "") -> Fact:
    return Fact(
        key=key, label=label or key, value=value, unit=unit, symbol=symbol, precision=precision, as_of=AS_OF
    )  # type: ignore[arg-type]


def performance_source(symbols: list[str]) -> Source:
    returns = {"^RUT": 5.73, "^GSPC": 1.46, "^IXIC": 1.11}
    facts = [fact("price_return_ytd", returns[s], "%", s) for s in symbols]
    for other in symbols[1:]:
        facts.append(fact(f"relative_to_{other}", returns[symbols[0]] / returns[other], "x", symbols[0]))
        facts.append(fact(f"spread_vs_{other}", returns[symbols[0]] - returns[other], "%", symbols[0]))
    return Source(
        kind="market_data",
        title="Performance",
        provider="snapshot",
        as_of=AS_OF,
        tool="performance",
        arguments={"symbols": symbols, "period": "ytd", "end": AS_OF.isoformat()},
        facts=facts,
    )


def quote_source() -> Source:
    facts = [
        fact("last_price", 261.56, "USD", "IWM"),
        fact("change_pct", 0.52, "%", "IWM"),
        fact("high_52w", 261.57, "USD", "IWM"),
        fact("pct_from_high_52w", -0.0038, "%", "IWM"),
        fact("volume", 24_970_000, "shares", "IWM"),
        fact("avg_volume_3m", 40_540_000, "shares", "IWM"),
    ]
    return Source(
        kind="market_data", title="Quote IWM", provider="snapshot", as_of=AS_OF, tool="quote",
        arguments={"symbol": "IWM"}, facts=facts,
    )  # fmt: skip


def valuation_source() -> Source:
    facts = [
        fact("trailing_pe", 38.91442, "x", "AAPL"),
        fact("forward_pe", 29.548735, "x", "AAPL"),
        fact("price_to_book", 55.328976, "x", "AAPL"),
    ]
    return Source(
        kind="market_data", title="Valuation reported by Yahoo on 2025-02-24: AAPL", provider="Yahoo",
        as_of=date(2025, 2, 24), tool="valuation", arguments={"symbol": "AAPL"}, facts=facts,
    )  # fmt: skip


FED_TEXT = (
    "Available indicators suggest that economic activity has been expanding at a moderate pace. "
    "In support of its goals and in light of the shift in the balance of risks, the Committee decided "
    "to lower the target range for the federal funds rate by 1/4 percentage point to 3-1/2 to 3-3/4 percent. "
    "The Committee seeks to achieve maximum employment and inflation at the rate of 2 percent over the "
    "longer run."
)


def document_source(text: str = FED_TEXT, published: date = date(2025, 12, 10)) -> Source:
    return Source(
        kind="document",
        title="Federal Reserve issues FOMC statement",
        provider="Federal Reserve",
        published=published,
        snippet=text,
        facts=extract_facts(text),  # what the knowledge base stores for the passage
        document_id=f"monetary{published:%Y%m%d}a",
        details={"kind": "statement", "meeting": published.isoformat()},
    )


def answer_turn(
    messages: list[BaseMessage],
    sources_by_call: dict[str, list[Source]],
    ledger: SourceLedger,
    errors: dict[str, str] | None = None,
    model: OfflineAnalyst | None = None,
) -> tuple[AIMessage, str]:
    """Run the analyst: its tool calls, then tool messages built from ``sources_by_call``, then its answer."""
    model = model or analyst()
    calls = model.invoke(messages)
    assert isinstance(calls, AIMessage) and calls.tool_calls
    transcript = [*messages, calls]
    for call in calls.tool_calls:
        if errors and call["name"] in errors:
            artifact = ToolArtifact(tool=call["name"], error=errors[call["name"]])
            content = f"Error: {errors[call['name']]}"
        else:
            sources = sources_by_call[call["name"]]
            labels = ledger.add_all(sources)
            artifact = ToolArtifact(tool=call["name"], sources=sources, labels=labels)
            content = "\n".join(
                render_passage(Passage(s.snippet or "", s, 1.0), labels[s.id]) if s.kind == "document" else ""
                for s in sources
            )
        transcript.append(
            ToolMessage(content=content, artifact=artifact, tool_call_id=call["id"] or "", name=call["name"])
        )
    final = model.invoke(transcript)
    assert isinstance(final, AIMessage) and not final.tool_calls
    return calls, final.text


def test_factory_builds_the_offline_analyst_by_default(settings) -> None:  # type: ignore[no-untyped-def]
    model = build_chat_model(settings)
    assert isinstance(model, OfflineAnalyst)
    assert model._llm_type == OFFLINE_MODEL_TYPE == "verity-offline-analyst"
    assert model_label(settings) == "offline mode"


def test_every_measure_has_one_registry_entry_with_an_example() -> None:
    from typing import get_args

    from copilot.understanding.measures import Measure

    assert set(INTENTS) == set(get_args(Measure))
    assert all(intent.example and intent.answers for intent in INTENTS.values())


def test_comparison_question_calls_compare_performance_and_cites_every_figure() -> None:
    ledger = SourceLedger()
    question = [
        SYSTEM,
        HumanMessage(content="How have small caps done vs large caps and the Nasdaq this year?"),
    ]
    calls, answer = answer_turn(
        question, {"compare_performance": [performance_source(["^RUT", "^GSPC", "^IXIC"])]}, ledger
    )
    assert [(c["name"], c["args"]) for c in calls.tool_calls] == [
        ("compare_performance", {"symbols": ["^RUT", "^GSPC", "^IXIC"], "period": "ytd"})
    ]
    assert "+5.73% [1]" in answer and "+1.46% [1]" in answer and "+1.11% [1]" in answer
    assert "3.92x" in answer and "4.27 percentage points [1]" in answer and "price return" in answer
    report = verify_figures(answer, ledger)
    assert report.total >= 6 and report.unverified == []


def test_combined_question_asks_each_name_what_its_clause_asks() -> None:
    ledger = SourceLedger()
    question = [SYSTEM, HumanMessage(content="Where is IWM trading, and is Apple expensive?")]
    calls, answer = answer_turn(
        question, {"get_quote": [quote_source()], "get_valuation": [valuation_source()]}, ledger
    )
    assert [(c["name"], c["args"]) for c in calls.tool_calls] == [
        ("get_quote", {"symbol": "IWM"}),
        ("get_valuation", {"symbol": "AAPL"}),
    ]
    assert "$261.56 [1]" in answer and "24.97M [1]" in answer and "40.54M [1]" in answer
    # a provider's snapshot is told with its date, in the past tense
    assert "On 2025-02-24, Yahoo reported" in answer and "38.91x [2]" in answer
    assert verify_figures(answer, ledger).unverified == []


def test_tool_error_is_reported_plainly_without_figures() -> None:
    ledger = SourceLedger()
    question = [SYSTEM, HumanMessage(content="What's the price of ZZZZ?")]
    calls, answer = answer_turn(
        question, {}, ledger, errors={"get_quote": "Unknown symbol 'ZZZZ': no provider knows it"}
    )
    assert calls.tool_calls[0]["args"] == {"symbol": "ZZZZ"}
    assert "could not get a quote for ZZZZ" in answer and "Unknown symbol 'ZZZZ'" in answer
    assert verify_figures(answer, ledger).total == 0


def test_the_fed_decision_is_quoted_from_the_statement_of_the_meeting_asked() -> None:
    ledger = SourceLedger()
    question = [SYSTEM, HumanMessage(content="What did the Fed do at the December meeting?")]
    calls, answer = answer_turn(question, {"search_documents": [document_source()]}, ledger)
    assert calls.tool_calls[0]["name"] == "search_documents"
    args = calls.tool_calls[0]["args"]
    assert (args["kind"], args["meeting"]) == ("statement", "December")
    assert "to 3-1/2 to 3-3/4 percent” [1]" in answer
    assert "in figures, 0.25 percentage points, 3.50% to 3.75% [1]" in answer
    assert "2025-12-10" in answer
    report = verify_figures(answer, ledger)
    assert report.total == 6 and report.unverified == []  # the cut and both ends, as quoted and in figures


def test_what_a_speaker_said_at_a_meeting_is_the_statement_and_the_answer_says_whose_words_it_lacks() -> None:
    ledger = SourceLedger()
    question = [SYSTEM, HumanMessage(content="What did Powell say at the December meeting?")]
    calls, answer = answer_turn(question, {"search_documents": [document_source()]}, ledger)
    args = calls.tool_calls[0]["args"]
    assert (args["kind"], args["meeting"]) == ("statement", "December") and "speaker" not in args
    assert answer.startswith("Verity's documents hold no transcript of what Powell said at an FOMC meeting")
    assert "the Committee decided to lower the target range" in answer and "2025-12-10" in answer


def test_follow_ups_reuse_subjects_and_periods() -> None:
    history: list[BaseMessage] = [
        SYSTEM,
        HumanMessage(content="small caps vs large caps this year"),
        AIMessage(content="Year to date, Russell 2000 (^RUT) returned +5.73% [1]."),
        HumanMessage(content="and against the Nasdaq?"),
    ]
    calls = analyst().invoke(history)
    assert [(c["name"], c["args"]) for c in calls.tool_calls] == [
        ("compare_performance", {"symbols": ["^RUT", "^IXIC"], "period": "ytd"})
    ]
    history[-1] = HumanMessage(content="what about its RSI?")
    calls = analyst().invoke(history)
    assert [(c["name"], c["args"]) for c in calls.tool_calls] == [("get_technicals", {"symbol": "^RUT"})]
    history[-1] = HumanMessage(content="and over the last 6 months?")
    calls = analyst().invoke(history)
    assert [(c["name"], c["args"]) for c in calls.tool_calls] == [
        ("compare_performance", {"symbols": ["^RUT", "^GSPC"], "period": "6m"})
    ]


@pytest.mark.parametrize(
    ("question", "calls"),
    [
        (
            "how did the nasdaq do last year",
            [("compare_performance", {"symbols": ["^IXIC"], "period": "2025"})],
        ),
        ("sectors this month", [("sector_performance", {"period": "mtd"})]),
        (
            "what did apple close at on march 3 2025",
            [("get_price_history", {"symbol": "AAPL", "date": "2025-03-03"})],
        ),
        (
            "Apple revenue last quarter",
            [("get_financials", {"symbol": "AAPL", "statement": "income", "freq": "quarterly"})],
        ),
        ("What do analysts expect for NVDA?", [("get_analyst_targets", {"symbol": "NVDA"})]),
        ("What is the S&P 500's P/E?", [("get_market_valuation", {})]),
        ("tsla rsi", [("get_technicals", {"symbol": "TSLA"})]),
        ("How is Microsfot doing?", [("get_quote", {"symbol": "MSFT"})]),
        ("nasdaq in february 2024", [("compare_performance", {"symbols": ["^IXIC"], "period": "2024-02"})]),
        ("apple's p/e in march 2025", [("get_valuation", {"symbol": "AAPL", "date": "2025-03-31"})]),
        ("apple pe", [("get_valuation", {"symbol": "AAPL"})]),
        (
            "how many rate cuts did the fed make in 2025",
            [
                (
                    "search_documents",
                    {
                        "query": "decided target range federal funds rate federal funds rate target range "
                        "policy rate interest rate",
                        "k": 10,
                        "kind": "statement",
                        "since": "2025-01-01",
                        "until": "2025-12-31",
                        "per_document": True,
                    },
                )
            ],
        ),
        (
            "how far is spy from its all time high",
            [("get_price_history", {"symbol": "SPY", "start": "1900-01-01"})],
        ),
        (
            "what was tesla's high in 2024",
            [("get_price_history", {"symbol": "TSLA", "start": "2024-01-01", "end": "2024-12-31"})],
        ),
    ],
)
def test_questions_as_people_type_them_call_the_tool_that_answers(
    question: str, calls: list[tuple[str, dict[str, object]]]
) -> None:
    reply = analyst().invoke([SYSTEM, HumanMessage(content=question)])
    assert [(c["name"], c["args"]) for c in reply.tool_calls] == calls


def test_is_the_market_overheated_asks_for_a_labelled_composite() -> None:
    reply = analyst().invoke([SYSTEM, HumanMessage(content="Is the market overheated?")])
    assert [c["name"] for c in reply.tool_calls] == [
        "get_technicals", "get_quote", "get_quote", "sector_performance", "get_market_valuation",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Should I buy NVDA now?", "personalised investment advice"),
        ("What's the price of bitcoin?", "can't price cryptocurrencies"),
        ("what is nvda's implied volatility", "no options data"),
        ("what did apple say on its last earnings call", "no earnings-call transcripts"),
        ("blorp zindle frobnicate", "not sure what you're asking"),
        ("how much did spy pay in dividends", "no record of dividend payments"),
    ],
)
def test_questions_it_cannot_answer_get_an_honest_reply(question: str, expected: str) -> None:
    reply = analyst().invoke([SYSTEM, HumanMessage(content=question)])
    assert isinstance(reply, AIMessage) and reply.tool_calls == []
    assert expected in reply.text


async def test_streams_word_sized_chunks_that_add_up_to_the_answer() -> None:
    messages = [SYSTEM, HumanMessage(content="Should I buy NVDA now?")]
    whole = analyst().invoke(messages).text
    pieces = [chunk.text async for chunk in analyst().astream(messages)]
    assert len(pieces) > 20 and "".join(pieces) == whole
    again = [chunk.text for chunk in analyst().stream(messages)]
    assert again == pieces  # deterministic


def test_a_repair_request_drops_the_flagged_sentence_and_names_the_gap() -> None:
    answer = "IWM closed at $261.56 [1]. It rose 9.99% [1] this year."
    request = RepairRequest(
        figures=[FlaggedFigure(figure="9.99%", sentence="It rose 9.99% [1] this year.", reason="no fact")],
        uncovered=["Russell 2000 (^RUT) return year to date"],
    )
    messages = [
        SYSTEM,
        HumanMessage(content="IWM?"),
        AIMessage(content=answer),
        repair_message("fix it", request),
    ]
    reply = analyst().invoke(messages)
    assert reply.text.startswith("IWM closed at $261.56 [1].") and "9.99%" not in reply.text
    assert "could not give figures for: Russell 2000 (^RUT) return year to date" in reply.text


def test_the_analysis_date_travels_as_a_field_not_as_text() -> None:
    from langchain_core.messages import SystemMessage

    unparsed = SystemMessage(content="Analysis date: 2025-03-03.")  # words alone are not read
    reply = analyst().invoke([unparsed, HumanMessage(content="how did the nasdaq do last year")])
    assert reply.tool_calls[0]["args"]["period"] == str(date.today().year - 1)
    dated = dated_system_message("You are Verity.", date(2025, 3, 3))
    reply = analyst().invoke([dated, HumanMessage(content="how did the nasdaq do last year")])
    assert reply.tool_calls[0]["args"]["period"] == "2024"


def test_without_parallel_tool_calls_it_asks_one_tool_per_step() -> None:
    model = analyst(parallel=False)
    ledger = SourceLedger()
    sources = {"get_quote": [quote_source()], "get_valuation": [valuation_source()]}
    transcript: list[BaseMessage] = [
        SYSTEM,
        HumanMessage(content="Where is IWM trading, and is Apple expensive?"),
    ]
    asked = []
    for _ in range(3):
        reply = model.invoke(transcript)
        transcript.append(reply)
        if not reply.tool_calls:
            break
        assert len(reply.tool_calls) == 1
        call = reply.tool_calls[0]
        asked.append(call["name"])
        found = sources[call["name"]]
        artifact = ToolArtifact(tool=call["name"], sources=found, labels=ledger.add_all(found))
        transcript.append(
            ToolMessage(content="", artifact=artifact, tool_call_id=call["id"] or "", name=call["name"])
        )
    assert asked == ["get_quote", "get_valuation"]
    assert verify_figures(transcript[-1].text, ledger).unverified == []


def test_document_question_without_a_knowledge_base_says_so() -> None:
    reply = analyst(TOOLS[:-1]).invoke(
        [SYSTEM, HumanMessage(content="What did the Fed say about rates in its latest statement?")]
    )
    assert reply.tool_calls == [] and "Document search is not available" in reply.text


def test_artifacts_that_went_through_json_are_read_too() -> None:
    ledger = SourceLedger()
    model = analyst()
    question = [SYSTEM, HumanMessage(content="Where is IWM trading?")]
    calls = model.invoke(question)
    sources = [quote_source()]
    artifact = ToolArtifact(tool="get_quote", sources=sources, labels=ledger.add_all(sources))
    call = calls.tool_calls[0]
    stored = ToolMessage(
        content="", artifact=artifact.model_dump(mode="json"), tool_call_id=call["id"] or "", name="get_quote"
    )
    answer = model.invoke([*question, calls, stored]).text
    assert "$261.56 [1]" in answer and verify_figures(answer, ledger).unverified == []


def test_names_past_the_per_question_limit_are_named_in_the_answer() -> None:
    text = "Compare Apple, Microsoft, Nvidia, Amazon, Google, Meta, Tesla and Broadcom this year"
    calls, answer = answer_turn(
        [SYSTEM, HumanMessage(content=text)], {}, SourceLedger(), errors={"compare_performance": "no data"}
    )
    assert calls.tool_calls[0]["args"]["symbols"] == ["AAPL", "MSFT", "NVDA", "AMZN", "GOOG", "META"]
    assert "TSLA" in answer and "AVGO" in answer and "ask about them separately" in answer


def test_a_sector_question_over_a_span_the_ranking_lacks_says_so_first() -> None:
    facts = [
        fact("price_return_ytd", value, "%", symbol, label=f"{name} ({symbol})")
        for symbol, name, value in (
            ("XLB", "Materials", 1.60),
            ("XLK", "Technology", 1.32),
            ("XLF", "Financials", -0.30),
        )
    ]
    source = Source(
        kind="market_data", title="Sector performance YTD", provider="snapshot", as_of=AS_OF, tool="sectors",
        arguments={"period": "ytd", "as_of": AS_OF.isoformat()}, facts=facts,
    )  # fmt: skip
    ledger = SourceLedger()
    _, answer = answer_turn(
        [SYSTEM, HumanMessage(content="Which sectors did best since March 3?")],
        {"sector_performance": [source]},
        ledger,
    )
    assert answer.startswith("Sector rankings cover named periods, not since 2025-03-03")
    assert verify_figures(answer, ledger).unverified == []


def test_a_misspelt_name_is_read_and_the_reading_is_stated() -> None:
    ledger = SourceLedger()
    source = quote_source().model_copy(update={"arguments": {"symbol": "MSFT"}})
    calls, answer = answer_turn(
        [SYSTEM, HumanMessage(content="how's Microsfot doing")], {"get_quote": [source]}, ledger
    )
    assert calls.tool_calls[0]["args"] == {"symbol": "MSFT"}
    assert answer.startswith("I read 'Microsfot' as Microsoft Corporation (MSFT).")
