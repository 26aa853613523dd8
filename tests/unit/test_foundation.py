from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from copilot.config import Settings
from copilot.errors import AmbiguousSymbolError, ConfigError, UnknownSymbolError, VerityError
from copilot.schemas import Fact, Source
from web.app import create_app


def test_settings_pick_offline_without_key_and_openai_with_base_url() -> None:
    assert Settings(llm="auto", openai_api_key=None, openai_base_url=None).llm_backend == "offline"
    assert Settings(llm="auto", openai_base_url="http://127.0.0.1:9/v1").llm_backend == "openai"


def test_market_data_setting_is_validated() -> None:
    try:
        Settings(market_data="bloomberg")
    except Exception as exc:  # pydantic wraps the validator's error
        assert "snapshot:DIR" in str(exc)
    else:
        raise AssertionError("an unknown market-data provider must be refused")
    assert issubclass(ConfigError, VerityError)


def test_errors_carry_symbol_and_candidates() -> None:
    err = AmbiguousSymbolError("small caps", ["IWM", "^RUT"])
    assert err.to_dict()["candidates"] == ["IWM", "^RUT"]
    assert err.http_status == 400
    unknown = UnknownSymbolError("ZZZZ", "not listed")
    assert unknown.symbol == "ZZZZ" and "not listed" in unknown.message and unknown.http_status == 404


def test_source_id_is_a_content_hash_independent_of_retrieval_time() -> None:
    fact = Fact(key="ytd_return", label="^RUT YTD", value=5.73, unit="%", symbol="^RUT")
    a = Source(kind="market_data", title="^RUT performance", provider="snapshot", facts=[fact])
    b = Source(kind="market_data", title="^RUT performance", provider="snapshot", facts=[fact])
    c = Source(kind="market_data", title="^RUT performance", provider="yfinance", facts=[fact])
    assert a.id == b.id and len(a.id) == 16
    assert a.id != c.id
    assert fact.display() == "5.73%"


def test_health_page(settings: Settings) -> None:
    with TestClient(create_app(settings)) as client:  # the pages read the services startup builds
        body = client.get("/health").json()
        assert body["status"] == "ok" and body["llm"] == "offline"
        assert "Verity" in client.get("/").text


def test_a_negative_dollar_amount_puts_its_sign_before_the_dollar() -> None:
    # "$-5.36" (what the tools showed the model and the CLI) is read by the verifier as an unsigned
    # 5.36, so a sign error copied in that form passed; "-$5.36" is the usual form and keeps its sign
    from copilot.citations import SourceLedger
    from copilot.formatting import format_value
    from copilot.schemas import Fact, Source
    from copilot.verify import verify_figures

    assert format_value(-5.36, "USD") == "-$5.36"
    assert format_value(1234.5, "USD") == "$1,234.50"
    change = Fact(key="change", label="Change", value=5.36, unit="USD", symbol="MSFT")
    ledger = SourceLedger()
    ledger.add(Source(kind="market_data", title="Quote: MSFT", provider="snapshot", facts=[change]))
    shown = format_value(-5.36, "USD")
    assert verify_figures(f"MSFT changed {shown} [1].", ledger).unverified  # the wrong sign is caught


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("VERITY_AS_OF", "notadate", "VERITY_AS_OF"),
        ("VERITY_MARKET_DATA", "bogus", "VERITY_MARKET_DATA must be 'yfinance' or 'snapshot:DIR'"),
    ],
)
def test_a_bad_setting_is_one_error_line_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    from typer.testing import CliRunner

    from copilot.cli import app
    from copilot.config import get_settings

    monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["data", "quote", "AAPL"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2
    assert result.output.startswith("Error: ") and message in result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_settled_process_has_its_name_tables_loaded_and_its_objects_frozen() -> None:
    # in a child process: freezing the collector is for servers and workers, not the test process
    import subprocess
    import sys

    code = (
        "import gc\n"
        "from copilot.services import settle_process\n"
        "from copilot.understanding import names\n"
        "assert gc.get_freeze_count() == 0\n"
        "settle_process()\n"
        "assert names._spelling.cache_info().currsize == 1\n"
        "assert names._fuzzy_table.cache_info().currsize == 1\n"
        "print(gc.get_freeze_count())\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) > 10_000  # every object alive after loading them
