"""`verity kb add/list/search/remove` end to end on a temporary data dir."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from copilot.cli import app
from copilot.config import get_settings


@pytest.fixture()
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("VERITY_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def test_add_search_list_remove(runner: CliRunner, tmp_path: Path) -> None:
    note = tmp_path / "note.md"
    note.write_text("# Memo\n\nNetflix paid memberships rose to 260 million, up 16%.")
    (tmp_path / "bad.xyz").write_text("?")
    added = runner.invoke(
        app,
        ["kb", "add", str(note), str(tmp_path / "bad.xyz"), "--publisher", "Desk", "--date", "2024-01-24"],
    )
    assert added.exit_code == 1  # one file was skipped, and said so
    assert "1 added" in added.stdout and "unsupported" in added.stderr

    found = runner.invoke(app, ["kb", "search", "Netflix memberships", "--json", "-k", "1"])
    assert found.exit_code == 0
    [passage] = json.loads(found.stdout)
    assert passage["source"]["title"] == "Memo" and passage["source"]["provider"] == "Desk"
    assert passage["source"]["published"] == "2024-01-24"
    # "260 million" is a figure too (an amount with a scale word), "rose to" a level, "up 16%" a rise
    assert [f["value"] for f in passage["source"]["facts"]] == [260_000_000.0, 16.0]

    queries = tmp_path / "q.jsonl"
    queries.write_text(
        json.dumps({"id": "a", "query": "Netflix", "k": 1})
        + "\n"
        + json.dumps({"id": "b", "query": "Netflix", "until": "2023-12-31"})
        + "\n"
    )
    batch = json.loads(runner.invoke(app, ["kb", "search", "--queries", str(queries), "--json"]).stdout)
    assert [(r["id"], len(r["passages"])) for r in batch] == [("a", 1), ("b", 0)]

    listed = json.loads(runner.invoke(app, ["kb", "list", "--json"]).stdout)
    assert [d["title"] for d in listed] == ["Memo"]
    removed = runner.invoke(app, ["kb", "remove", listed[0]["doc_id"]])
    assert removed.exit_code == 0
    assert json.loads(runner.invoke(app, ["kb", "list", "--json"]).stdout) == []


def test_errors_are_one_line_and_exit_2(runner: CliRunner) -> None:
    result = runner.invoke(app, ["kb", "search", "rates", "--since", "2024-13-01"])
    assert result.exit_code == 2
    assert result.stderr.strip() == "Error: --since must be a date as YYYY-MM-DD, not '2024-13-01'"
    assert runner.invoke(app, ["kb", "remove", "doc_missing"]).exit_code == 2
