"""The official ``openai`` client, unchanged, against ``verity serve`` in a subprocess on 127.0.0.1:
the offline analyst over a snapshot of the real index data; accounts made with ``verity user add``
and ``verity key create``. Figures are checked against plain pandas on the CSV."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import openai
import pandas as pd
import pytest

from tests.web.postgres import free_port
from tools.importer import import_snapshot

INDICES = "prices/indices_daily_2016_2026.csv.gz"
QUESTION = "How did small caps do against large caps this year?"
VERITY = Path(sys.executable).with_name("verity")

pytestmark = pytest.mark.slow


@dataclass
class Served:
    url: str
    key: str
    env: dict[str, str]


def _ytd(shared_data: Path, symbol: str, day: str) -> float:
    frame = pd.read_csv(shared_data / INDICES, parse_dates=["date"])
    close = frame[frame["symbol"] == symbol].set_index("date")["close"].sort_index()
    return float((close.loc[day] / close.loc[: f"{int(day[:4]) - 1}-12-31"].iloc[-1] - 1) * 100)


def _cli(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    done = subprocess.run(
        [str(VERITY), *args], input=stdin, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def served(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    root = tmp_path_factory.mktemp("serve")
    import_snapshot([shared_data / INDICES], root / "snapshot")
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("VERITY_", "OPENAI_"))},
        "VERITY_DATA_DIR": str(root / "data"),
        "VERITY_MARKET_DATA": f"snapshot:{root / 'snapshot'}",
        "VERITY_LLM": "offline",
        "VERITY_SHARED_DATA": str(shared_data),
        "VERITY_LOG_LEVEL": "WARNING",
    }
    _cli(env, "user", "add", "ann@example.com", "--password-stdin", stdin="correct horse battery\n")
    key = _cli(env, "key", "create", "ann@example.com", "--name", "tests").strip().splitlines()[-1]
    server = subprocess.Popen(
        [str(VERITY), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            raise AssertionError("verity serve did not start")
        yield Served(url, key, env)
    finally:
        server.terminate()
        server.wait(timeout=20)


def _client(served: Served, key: str | None = None) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{served.url}/v1", api_key=key or served.key, max_retries=0)


def test_a_completion_has_the_verified_answer_citations_and_the_verity_object(
    served: Served, shared_data: Path
) -> None:
    response = _client(served).chat.completions.create(
        model="verity",
        messages=[{"role": "system", "content": "be brief"}, {"role": "user", "content": QUESTION}],
        extra_body={"as_of": "2026-01-09"},
    )
    answer = response.choices[0].message.content or ""
    rut, spx = _ytd(shared_data, "^RUT", "2026-01-09"), _ytd(shared_data, "^GSPC", "2026-01-09")
    assert f"{rut:+.2f}%" in answer and f"{spx:+.2f}%" in answer
    extra = response.model_extra or {}
    verity = extra["verity"]
    assert verity["as_of"] == "2026-01-09" and verity["mode"] == "offline" and verity["conversation_id"]
    assert verity["verification"]["unverified"] == [] and verity["verification"]["total"] >= 2
    numbers = sorted(s["n"] for s in verity["sources"])
    assert len(extra["citations"]) == numbers[-1] and all(extra["citations"][n - 1] for n in numbers)
    assert all(f"[{n}]" in answer for n in numbers)
    facts = {(f["symbol"], f["key"]): f["value"] for s in verity["sources"] for f in s["source"]["facts"]}
    assert facts["^RUT", "price_return_ytd"] == pytest.approx(rut, abs=1e-6)
    assert response.usage is not None and response.usage.prompt_tokens > 0
    assert response.usage.total_tokens == response.usage.prompt_tokens + response.usage.completion_tokens
    assert response.choices[0].finish_reason == "stop" and response.object == "chat.completion"


def test_a_stream_carries_the_same_answer_and_ends_with_citations_before_done(served: Served) -> None:
    client = _client(served)
    whole = client.chat.completions.create(
        model="verity-offline",
        messages=[{"role": "user", "content": QUESTION}],
        extra_body={"as_of": "2026-01-09"},
    )
    chunks = list(
        client.chat.completions.create(
            model="verity-offline",
            messages=[{"role": "user", "content": QUESTION}],
            stream=True,
            extra_body={"as_of": "2026-01-09"},
        )
    )
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == whole.choices[0].message.content
    last = chunks[-1]
    extra = last.model_extra or {}
    assert last.choices[0].finish_reason == "stop"
    assert extra["citations"] == (whole.model_extra or {})["citations"]
    assert (
        extra["verity"]["verification"]["summary"]
        == (whole.model_extra or {})["verity"]["verification"]["summary"]
    )
    assert last.usage is not None and last.usage.completion_tokens > 0
    assert all(not (c.model_extra or {}).get("verity") for c in chunks[:-1])


def test_a_conversation_id_continues_the_stored_conversation(served: Served) -> None:
    client = _client(served)
    first = client.chat.completions.create(
        model="verity", messages=[{"role": "user", "content": QUESTION}], extra_body={"as_of": "2026-01-09"}
    )
    cid = (first.model_extra or {})["verity"]["conversation_id"]
    second = client.chat.completions.create(
        model="verity",
        messages=[{"role": "user", "content": "and against the Nasdaq?"}],
        extra_body={"as_of": "2026-01-09", "conversation_id": cid},
    )
    assert "^IXIC" in (second.choices[0].message.content or "") or "Nasdaq" in (
        second.choices[0].message.content or ""
    )
    stored = httpx.get(
        f"{served.url}/api/conversations/{cid}", headers={"Authorization": f"Bearer {served.key}"}
    )
    assert [t["question"] for t in stored.json()["turns"]] == [QUESTION, "and against the Nasdaq?"]


def test_models_are_listed(served: Served) -> None:
    assert [m.id for m in _client(served).models.list()] == ["verity", "verity-offline", "verity-research"]


def test_verity_research_answers_with_a_finished_report(served: Served, shared_data: Path) -> None:
    """The report is a research job of the key's user: written by the server's in-process runner."""
    client = _client(served)
    topic = "Small-cap rally: is the Russell 2000's outperformance sustainable?"
    messages = [{"role": "user", "content": topic}]
    response = client.chat.completions.create(
        model="verity-research",
        messages=messages,
        extra_body={"as_of": "2026-01-09"},  # type: ignore[list-item]
    )
    text = response.choices[0].message.content or ""
    rut = _ytd(shared_data, "^RUT", "2026-01-09")
    assert f"{rut:+.2f}%" in text and "claims verified" in text
    extra = response.model_extra or {}
    verity = extra["verity"]
    assert verity["as_of"] == "2026-01-09" and verity["url"] == f"/research/{verity['report_id']}"
    assert verity["verification"]["verified"] == verity["verification"]["total"] > 0
    numbers = sorted(s["n"] for s in verity["sources"])
    assert numbers == list(range(1, len(numbers) + 1)) and len(extra["citations"]) == len(numbers)
    assert all(f"[{n}]" in text for n in numbers)
    assert response.model == "verity-research" and response.choices[0].finish_reason == "stop"
    auth = {"Authorization": f"Bearer {served.key}"}
    job = httpx.get(f"{served.url}/api/research/{verity['report_id']}", headers=auth).json()
    assert job["status"] == "done" and job["topic"] == topic

    chunks = list(
        client.chat.completions.create(
            model="verity-research",
            messages=messages,  # type: ignore[arg-type]
            stream=True,
            extra_body={"as_of": "2026-01-09"},
        )
    )
    streamed = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    last = chunks[-1].model_extra or {}
    assert f"{rut:+.2f}%" in streamed and last["verity"]["report_id"] != verity["report_id"]
    assert len(last["citations"]) == len(extra["citations"]) and chunks[-1].choices[0].finish_reason == "stop"


def test_errors_come_in_openai_shape(served: Served) -> None:
    client = _client(served)
    with pytest.raises(openai.BadRequestError) as bad:
        client.chat.completions.create(model="gpt-17", messages=[{"role": "user", "content": "hi"}])
    assert bad.value.status_code == 400 and "unknown model 'gpt-17'" in bad.value.message
    body = bad.value.body
    assert isinstance(body, dict) and body["type"] == "invalid_request_error" and body["code"] == "bad_input"
    with pytest.raises(openai.NotFoundError):
        client.chat.completions.create(
            model="verity",
            messages=[{"role": "user", "content": "hi"}],
            extra_body={"conversation_id": "nope"},
        )


def test_a_bad_or_revoked_key_gets_401(served: Served) -> None:
    with pytest.raises(openai.AuthenticationError):
        _client(served, key="vk_not-a-key").models.list()
    auth = {"Authorization": f"Bearer {served.key}"}
    created = httpx.post(f"{served.url}/api/keys", json={"name": "temporary"}, headers=auth)
    assert created.status_code == 201
    temporary = created.json()["key"]
    assert [m.id for m in _client(served, key=temporary).models.list()]
    assert httpx.delete(f"{served.url}/api/keys/{created.json()['id']}", headers=auth).status_code == 204
    with pytest.raises(openai.AuthenticationError):
        _client(served, key=temporary).chat.completions.create(
            model="verity", messages=[{"role": "user", "content": QUESTION}]
        )
