"""The offline analyst as a LangChain chat model: tool calls, cited prose, streaming, follow-ups.

Facts below are published figures (the seed report's ^RUT/^GSPC/^IXIC YTD returns and IWM quote as
of 2026-01-09, Yahoo's recorded AAPL quoteSummary of 2025-02-24, the Fed's 2025-12-10 statement);
each answer is checked with the real verifier: every figure must match the fact it cites.
"""

from __future__ import annotations

from datetime import date

import pytest
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage

from copilot.citations import SourceLedger
from copilot.knowledge.facts import extract_facts
from copilot.llm import build_chat_model, model_label
from copilot.offline import OFFLINE_MODEL_TYPE, OfflineAnalyst
from copilot.schemas import Fact, Source, ToolArtifact
from copilot.verify import verify_figures
from tools.symbols import SymbolResolver

TOOLS = (
    "get_quote",
    "compare_performance",
    "get_technicals",
    "get_valuation",
    "sector_performance",
    "lookup_symbol",
    "search_documents",
)
AS_OF = date(2026, 1, 9)
SYSTEM = SystemMessage(content="You are Verity.\n\nAnalysis date: 2026-01-09. Data after 2026-01-09 ...")


def analyst() -> OfflineAnalyst:
    model = OfflineAnalyst(resolver=SymbolResolver()).bind_tools(list(TOOLS), parallel_tool_calls=True)
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
        arguments={"symbols": symbols, "period": "ytd"},
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
        kind="market_data",
        title="Quote IWM",
        provider="snapshot",
        as_of=AS_OF,
        tool="quote",
        arguments={"symbol": "IWM"},
        facts=facts,
    )


def valuation_source() -> Source:
    facts = [
        fact("trailing_pe", 38.91442, "x", "AAPL"),
        fact("forward_pe", 29.548735, "x", "AAPL"),
        fact("price_to_book", 55.328976, "x", "AAPL"),
        fact("market_cap", 3688676720640.0, "USD", "AAPL", precision=0),
        fact("dividend_yield", 0.41, "%", "AAPL"),
    ]
    return Source(
        kind="market_data",
        title="Valuation AAPL",
        provider="snapshot",
        as_of=date(2025, 2, 24),
        tool="valuation",
        arguments={"symbol": "AAPL"},
        facts=facts,
        details={"missing": ["peg_ratio"]},
    )


FED_TEXT = (
    "Available indicators suggest that economic activity has been expanding at a moderate pace. "
    "In support of its goals and in light of the shift in the balance of risks, the Committee decided "
    "to lower the target range for the federal funds rate by 1/4 percentage point to 3-1/2 to 3-3/4 percent. "
    "The Committee seeks to achieve maximum employment and inflation at the rate of 2 percent over the "
    "longer run."
)


def document_source() -> Source:
    return Source(
        kind="document",
        title="Federal Reserve issues FOMC statement",
        provider="Federal Reserve",
        published=date(2025, 12, 10),
        snippet=FED_TEXT,
        facts=extract_facts(FED_TEXT),  # what the knowledge base stores for the passage
        document_id="monetary20251210a",
    )


def answer_turn(
    messages: list[BaseMessage],
    sources_by_call: dict[str, list[Source]],
    ledger: SourceLedger,
    errors: dict[str, str] | None = None,
) -> tuple[AIMessage, str]:
    """Run the analyst: its tool calls, then tool messages built from ``sources_by_call``, then its answer."""
    model = analyst()
    calls = model.invoke(messages)
    assert isinstance(calls, AIMessage) and calls.tool_calls
    transcript = [*messages, calls]
    for call in calls.tool_calls:
        if errors and call["name"] in errors:
            artifact = ToolArtifact(tool=call["name"], error=errors[call["name"]])
            content = f"Error: {errors[call['name']]}"
        else:
            sources = sources_by_call[call["name"]]
            artifact = ToolArtifact(tool=call["name"], sources=sources, labels=ledger.add_all(sources))
            content = "(rendered sources)"
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


def test_factory_builds_chat_openai_when_a_base_url_is_set(settings) -> None:  # type: ignore[no-untyped-def]
    from langchain_openai import ChatOpenAI

    local = settings.model_copy(
        update={"openai_base_url": "http://127.0.0.1:11434/v1", "llm": "auto", "model": "llama3.1"}
    )
    model = build_chat_model(local)
    assert isinstance(model, ChatOpenAI)
    assert model.model_name == "llama3.1"
    assert str(model.openai_api_base) == "http://127.0.0.1:11434/v1"
    assert model.openai_api_key is not None and model.openai_api_key.get_secret_value() == "not-needed"
    assert model.streaming is True and model.max_retries == 1
    assert model_label(local) == "llama3.1"


def test_comparison_question_calls_compare_performance_and_cites_every_figure() -> None:
    ledger = SourceLedger()
    question = [
        SYSTEM,
        HumanMessage(content="How have small caps done vs large caps and the Nasdaq this year?"),
    ]
    calls, answer = answer_turn(
        question, {"compare_performance": [performance_source(["^RUT", "^GSPC", "^IXIC"])]}, ledger
    )
    assert [c["name"] for c in calls.tool_calls] == ["compare_performance"]
    assert calls.tool_calls[0]["args"] == {"symbols": ["^RUT", "^GSPC", "^IXIC"], "period": "ytd"}
    assert "+5.73% [1]" in answer and "+1.46% [1]" in answer and "+1.11% [1]" in answer
    assert "3.92x" in answer and "4.27 percentage points [1]" in answer
    assert "2026-01-09" in answer
    report = verify_figures(answer, ledger)
    assert report.total >= 6 and report.unverified == []


def test_combined_question_emits_parallel_calls_and_notes_stale_valuation() -> None:
    ledger = SourceLedger()
    question = [SYSTEM, HumanMessage(content="Where is IWM trading, and is Apple expensive?")]
    calls, answer = answer_turn(
        question, {"get_quote": [quote_source()], "get_valuation": [valuation_source()]}, ledger
    )
    assert [(c["name"], c["args"]) for c in calls.tool_calls] == [
        ("get_quote", {"symbol": "IWM"}),
        ("get_quote", {"symbol": "AAPL"}),
        ("get_valuation", {"symbol": "IWM"}),
        ("get_valuation", {"symbol": "AAPL"}),
    ] or len(calls.tool_calls) >= 2
    assert "$261.56 [1]" in answer and "24.97M [1]" in answer and "40.54M [1]" in answer
    assert "38.91x trailing earnings [2]" in answer and "$3.69T [2]" in answer
    assert "peg ratio" in answer.lower() and "stale" in answer
    report = verify_figures(answer, ledger)
    assert report.unverified == [] and report.total >= 8


def test_tool_error_is_reported_plainly_without_figures() -> None:
    ledger = SourceLedger()
    question = [SYSTEM, HumanMessage(content="What's the price of ZZZZ?")]
    calls, answer = answer_turn(
        question, {}, ledger, errors={"get_quote": "Unknown symbol 'ZZZZ': no provider knows it"}
    )
    assert calls.tool_calls[0]["args"] == {"symbol": "ZZZZ"}
    assert "could not get a quote for ZZZZ" in answer and "Unknown symbol 'ZZZZ'" in answer
    assert verify_figures(answer, ledger).total == 0


def test_fed_question_quotes_the_statement_with_its_citation() -> None:
    ledger = SourceLedger()
    question = [SYSTEM, HumanMessage(content="What did the Fed say about rates in its latest statement?")]
    calls, answer = answer_turn(question, {"search_documents": [document_source()]}, ledger)
    assert calls.tool_calls[0]["name"] == "search_documents"
    assert calls.tool_calls[0]["args"] == {
        "query": "FOMC statement Committee decided federal funds rate target range policy rate interest rate",
        "k": 5,
        "since": "2025-10-26",  # the latest statement lies within 75 days of the analysis date
    }
    quote = "the federal funds rate by 1/4 percentage point to 3-1/2 to 3-3/4 percent” [1]"
    assert quote in answer
    assert "in figures, 0.25 percentage points, 3.50% to 3.75% [1]" in answer
    assert "2025-12-10" in answer
    report = verify_figures(answer, ledger)
    assert report.total == 3 and report.unverified == []  # the cut and both ends of the range


def test_follow_up_reuses_subject_and_changes_comparison() -> None:
    history: list[BaseMessage] = [
        SYSTEM,
        HumanMessage(content="small caps vs large caps this year"),
        AIMessage(content="Year to date, Russell 2000 (^RUT) returned +5.73% [1]."),
        HumanMessage(content="and against the Nasdaq?"),
    ]
    calls = analyst().invoke(history)
    assert isinstance(calls, AIMessage)
    assert calls.tool_calls[0]["name"] == "compare_performance"
    assert calls.tool_calls[0]["args"] == {"symbols": ["^RUT", "^IXIC"], "period": "ytd"}
    history[-1] = HumanMessage(content="what about its RSI?")
    calls = analyst().invoke(history)
    assert [(c["name"], c["args"]) for c in calls.tool_calls] == [("get_technicals", {"symbol": "^RUT"})]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Should I buy NVDA now?", "personalised investment advice"),
        ("What's the price of bitcoin?", "can't price cryptocurrencies"),
        ("blorp zindle frobnicate", "not sure what you're asking"),
    ],
)
def test_questions_it_cannot_answer_get_an_honest_reply(question: str, expected: str) -> None:
    reply = analyst().invoke([SYSTEM, HumanMessage(content=question)])
    assert isinstance(reply, AIMessage) and reply.tool_calls == []
    assert expected in reply.text and "I can look up quotes" in reply.text


async def test_streams_word_sized_chunks_that_add_up_to_the_answer() -> None:
    messages = [SYSTEM, HumanMessage(content="Should I buy NVDA now?")]
    whole = analyst().invoke(messages).text
    pieces = [chunk.text async for chunk in analyst().astream(messages)]
    assert len(pieces) > 20 and "".join(pieces) == whole
    again = [chunk.text for chunk in analyst().stream(messages)]
    assert again == pieces  # deterministic


async def test_streamed_tool_calls_arrive_whole() -> None:
    messages = [
        SYSTEM,
        HumanMessage(content="Is NVDA overbought, and how has it done over the last 3 months?"),
    ]
    merged = None
    async for chunk in analyst().astream(messages):
        merged = chunk if merged is None else merged + chunk
    assert merged is not None
    assert [(c["name"], c["args"]) for c in merged.tool_calls] == [
        ("compare_performance", {"symbols": ["NVDA"], "period": "3m"}),
        ("get_technicals", {"symbol": "NVDA"}),
    ]


def test_repair_request_drops_the_flagged_sentence() -> None:
    answer = "IWM closed at $261.56 [1]. It rose 9.99% [1] this year."
    request = (
        "Some figures in your answer could not be verified against the sources they cite.\n"
        "Rewrite the answer.\n\n"
        '- "9.99%" in: "It rose 9.99% [1] this year." (no fact of [1] matches 9.99%)\n'
    )
    messages = [
        SYSTEM,
        HumanMessage(content="IWM?"),
        AIMessage(content=answer),
        HumanMessage(content=request),
    ]
    reply = analyst().invoke(messages)
    assert reply.text == "IWM closed at $261.56 [1]."


def test_a_pasted_wall_of_text_is_read_from_its_start() -> None:
    reply = analyst().invoke([SYSTEM, HumanMessage(content="what did the fed say " * 5000)])
    assert isinstance(reply, AIMessage)
    assert [c["name"] for c in reply.tool_calls] == ["search_documents"]
    assert len(reply.tool_calls[0]["args"]["query"]) <= 300


def test_without_parallel_tool_calls_it_asks_one_tool_per_step() -> None:
    model = OfflineAnalyst(resolver=SymbolResolver()).bind_tools(list(TOOLS), parallel_tool_calls=False)
    ledger = SourceLedger()
    sources = {"get_quote": [quote_source()], "get_valuation": [valuation_source()]}
    transcript: list[BaseMessage] = [
        SYSTEM,
        HumanMessage(content="Where is IWM trading, and is Apple expensive?"),
    ]
    asked = []
    for _ in range(3):
        reply = model.invoke(transcript)
        assert isinstance(reply, AIMessage)
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
    answer = transcript[-1].text
    assert "$261.56 [1]" in answer and "38.91x trailing earnings [2]" in answer
    assert verify_figures(answer, ledger).unverified == []


def test_document_question_without_a_knowledge_base_says_so() -> None:
    model = OfflineAnalyst(resolver=SymbolResolver()).bind_tools(list(TOOLS[:-1]))
    reply = model.invoke(
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


def test_overlapping_passages_of_one_document_are_quoted_once_and_whole() -> None:
    ledger = SourceLedger()
    cut = FED_TEXT[FED_TEXT.index("the balance of risks, the Committee") :]
    pieces = [
        Source(
            kind="document",
            title="Federal Reserve issues FOMC statement",
            provider="Federal Reserve",
            published=date(2025, 12, 10),
            snippet=text,
            facts=extract_facts(text),
            document_id="monetary20251210a",
            details={"chunk": n},
        )
        for n, text in enumerate((cut, FED_TEXT))
    ]
    question = [SYSTEM, HumanMessage(content="What did the Fed say about rates in its latest statement?")]
    _, answer = answer_turn(question, {"search_documents": pieces}, ledger)
    assert answer.count("the Committee decided to lower the target range") == 1
    assert "“In support of its goals" in answer and "[2]" in answer
    assert verify_figures(answer, ledger).unverified == []


def test_a_range_ending_in_a_whole_percent_is_shown_whole() -> None:
    # the 2025-10-29 FOMC statement (corpus id monetary20251029a): the range is 3.75% to 4%, and
    # the decimal rendering must not shorten it to "3.75%"
    text = (
        "In support of its goals and in light of the shift in the balance of risks, the Committee decided "
        "to lower the target range for the federal funds rate by 1/4 percentage point to 3-3/4 to 4 percent. "
        "In considering additional adjustments to the target range for the federal funds rate, the Committee "
        "will carefully assess incoming data, the evolving outlook, and the balance of risks."
    )
    source = Source(
        kind="document",
        title="Federal Reserve issues FOMC statement",
        provider="Federal Reserve",
        published=date(2025, 10, 29),
        snippet=text,
        facts=extract_facts(text),
        document_id="monetary20251029a",
    )
    ledger = SourceLedger()
    question = [SYSTEM, HumanMessage(content="What did the Fed say about rates in its latest statement?")]
    _, answer = answer_turn(question, {"search_documents": [source]}, ledger)
    assert "in figures, 0.25 percentage points, 3.75% to 4% [1]" in answer
    report = verify_figures(answer, ledger)
    assert report.unverified == []


def test_names_past_the_per_question_limit_are_named_in_the_answer() -> None:
    # eight companies asked about: six are compared, and the answer says which two were left out
    text = "Compare Apple, Microsoft, Nvidia, Amazon, Google, Meta, Tesla and Broadcom this year"
    calls, answer = answer_turn(
        [SYSTEM, HumanMessage(content=text)],
        {},
        SourceLedger(),
        errors={"compare_performance": "no data"},
    )
    assert calls.tool_calls[0]["args"]["symbols"] == ["AAPL", "MSFT", "NVDA", "AMZN", "GOOG", "META"]
    assert "TSLA" in answer and "AVGO" in answer
    assert "ask about them separately" in answer


def test_a_sector_question_over_a_period_the_ranking_lacks_says_so() -> None:
    # sector rankings have named periods only: "in 2025" got today's ranking, presented as the answer
    facts = [
        fact("price_return_1d", value, "%", symbol, label=f"{name} ({symbol})")
        for symbol, name, value in (
            ("XLB", "Materials", 1.60),
            ("XLK", "Technology", 1.32),
            ("XLU", "Utilities", 1.24),
            ("XLC", "Communication Services", 0.50),
            ("XLF", "Financials", -0.30),
            ("XLV", "Health Care", -0.51),
        )
    ]
    source = Source(
        kind="market_data",
        title="Sector performance 1D",
        provider="snapshot",
        as_of=AS_OF,
        tool="sectors",
        arguments={"period": "1d", "as_of": AS_OF.isoformat()},
        facts=facts,
    )
    ledger = SourceLedger()
    calls, answer = answer_turn(
        [SYSTEM, HumanMessage(content="Which sectors did best in 2025?")],
        {"sector_performance": [source]},
        ledger,
    )
    assert calls.tool_calls[0]["args"] == {"period": "1d"}
    assert "not from 2024-12-31 to 2025-12-31" in answer
    assert verify_figures(answer, ledger).unverified == []


def test_the_latest_statement_is_found_even_when_it_is_older_than_the_recent_window() -> None:
    # asked on 2026-11-25 with the newest stored statement from July: the search narrowed to the
    # last 75 days found nothing, and the answer said so instead of quoting the latest statement
    model = analyst()
    system = SystemMessage(content="You are Verity. Analysis date: 2026-11-25.")
    question = HumanMessage(content="What did the Fed say about rates in its latest statement?")
    first = model.invoke([system, question])
    assert isinstance(first, AIMessage) and first.tool_calls[0]["args"]["since"] == "2026-09-11"
    failed = ToolMessage(
        content="Error: no stored document matches 'FOMC statement'",
        artifact=ToolArtifact(tool="search_documents", error="no stored document matches 'FOMC statement'"),
        tool_call_id=first.tool_calls[0]["id"] or "",
        name="search_documents",
    )
    second = model.invoke([system, question, first, failed])
    assert isinstance(second, AIMessage) and len(second.tool_calls) == 1
    wider = second.tool_calls[0]  # over the last 400 days, with more passages
    assert wider["name"] == "search_documents" and wider["args"]["since"] == "2025-10-21"
    assert wider["args"]["k"] == 10
    ledger = SourceLedger()
    source = document_source()
    found = ToolMessage(
        content="(rendered sources)",
        artifact=ToolArtifact(tool="search_documents", sources=[source], labels=ledger.add_all([source])),
        tool_call_id=wider["id"] or "",
        name="search_documents",
    )
    final = model.invoke([system, question, first, failed, second, found])
    assert isinstance(final, AIMessage) and not final.tool_calls
    assert "3.50% to 3.75% [1]" in final.text and "could not" not in final.text


def test_a_sector_ranking_says_when_its_data_is_old_or_a_sector_is_missing() -> None:
    # the ranking's notes (data ending long before the analysis date, a fund not yet launched)
    # were left out of the answer, which then read "Today (through 2026-08-21)" as if current
    notes = [
        "Not ranked: XLC: no bars up to 2017-06-01; the series starts on 2018-06-19",
        "The latest bar is from 2026-08-21, 96 days before the analysis date 2026-11-25.",
        "XLK, XLF: the provider does not say whether closes are adjusted.",
    ]
    facts = [fact("price_return_1d", 1.2, "%", "XLK", label="Technology (XLK)")]
    facts.append(fact("price_return_1d", -0.4, "%", "XLF", label="Financials (XLF)"))
    source = Source(
        kind="market_data",
        title="Sector performance 1D",
        provider="snapshot",
        as_of=AS_OF,
        tool="sectors",
        arguments={"period": "1d"},
        facts=facts,
        notes=notes,
    )
    _, answer = answer_turn(
        [SYSTEM, HumanMessage(content="Which sectors led today?")],
        {"sector_performance": [source]},
        SourceLedger(),
    )
    assert notes[0] in answer and notes[1] in answer
    assert "closes are adjusted" not in answer
