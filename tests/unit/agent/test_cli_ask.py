"""`verity ask` / `verity chat` over a scripted model and fake market data."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from copilot.chat import ChatService
from copilot.cli import app, ask_session
from copilot.cli import ask as ask_cli
from copilot.config import Settings
from tests.fakes import FakeMarketData, ScriptedChatModel, tool_calls

runner = CliRunner()


@pytest.fixture()
def model(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> ScriptedChatModel:
    scripted = ScriptedChatModel()
    service = ChatService(settings, FakeMarketData(), model_factory=lambda _: scripted)
    monkeypatch.setattr(ask_cli, "service_factory", lambda _: service)
    return scripted


def test_ask_prints_tool_progress_answer_sources_and_badge(model: ScriptedChatModel) -> None:
    model.enqueue(tool_calls(("get_quote", {"symbol": "AAPL"})), "Apple last traded at $259.37 [1].")
    result = runner.invoke(app, ["ask", "Apple price?", "--as-of", "2026-01-09"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "→ get_quote(symbol='AAPL')" in out and "✓ get_quote [1]" in out
    assert "Apple last traded at $259.37 [1]." in out
    assert "Sources" in out and "AAPL quote" in out and "2026-01-09" in out
    assert "✓ 1/1 figures verified · covers the question · model scripted · as of 2026-01-09" in out


def test_ask_json_prints_answer_sources_and_verification(model: ScriptedChatModel) -> None:
    model.enqueue(tool_calls(("get_quote", {"symbol": "AAPL"})), "Apple last traded at $259.37 [1].")
    result = runner.invoke(app, ["ask", "Apple price?", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["answer"] == "Apple last traded at $259.37 [1]."
    assert [s["n"] for s in payload["sources"]] == [1]
    assert payload["sources"][0]["source"]["facts"][0]["value"] == 259.37
    assert payload["verification"]["summary"] == "1/1 verified"
    assert payload["mode"] == "scripted" and payload["as_of"] == "2026-01-09"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ask", "   "], "Error: the question is empty: ask about a stock, an index, a sector or a document"),
        (
            ["ask", "Apple?", "--as-of", "yesterday"],
            "Error: --as-of must be a date as YYYY-MM-DD, not 'yesterday'",
        ),
    ],
)
def test_ask_errors_are_one_line_and_exit_2(model: ScriptedChatModel, args: list[str], message: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert " ".join(result.stderr.split()) == message  # one message (rich wraps it at the width)


def test_chat_keeps_context_and_survives_an_error(model: ScriptedChatModel) -> None:
    model.enqueue(
        tool_calls(("get_quote", {"symbol": "AAPL"})),
        "Apple last traded at $259.37 [1].",
        tool_calls(("get_quote", {"symbol": "MSFT"})),
        "Microsoft last traded at $479.28 [1].",
    )
    result = runner.invoke(app, ["chat"], input="Apple?\n\n" + "x" * 9000 + "\nand Microsoft?\nexit\n")
    assert result.exit_code == 0, result.output
    assert "Error: the question is 9,000 characters long" in result.output
    assert "Microsoft last traded at $479.28 [1]." in result.output
    # the follow-up was asked with the first question and answer as history
    history = [m.content for m in model.calls[2][1:4]]
    assert history == ["Apple?", "Apple last traded at $259.37 [1].", "and Microsoft?"]


def test_a_closed_output_pipe_ends_the_turn_without_a_traceback(
    model: ScriptedChatModel, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    # `verity ask ... | head`: printing fails mid-turn; the turn's generators must be closed in
    # order, not left to the event loop's shutdown (which logged a RuntimeError traceback)
    import asyncio

    class ClosedPipe:
        def show(self, event: object) -> None:
            if getattr(event, "type", None) == "done":  # the answer's last lines hit the closed pipe
                raise SystemExit(1)  # what rich's Console raises on a broken pipe

    model.enqueue(tool_calls(("get_quote", {"symbol": "AAPL"})), "Apple last traded at $259.37 [1].")
    service = ask_cli.service_factory(settings)
    with pytest.raises(SystemExit):
        asyncio.run(ask_session.stream(service, ClosedPipe(), "Apple price?", None, None))  # type: ignore[arg-type]
    assert "asynchronous generator" not in caplog.text
