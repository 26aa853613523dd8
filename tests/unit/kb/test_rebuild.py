"""A catalog of the previous format is refused with a clear error; `kb rebuild` re-reads its sources
(keeping owners and add-time overrides), keeps the old one as a backup and refuses when files are gone."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from copilot.cli import app
from copilot.config import Settings, get_settings
from copilot.errors import BadInputError, ConfigError
from copilot.knowledge import build_knowledge_base
from copilot.knowledge.rebuild import rebuild
from tests.unit.kb.conftest import FOMC, records

# the catalog as Verity wrote it before documents had kinds, availability dates and owners (schema 1)
SCHEMA_1 = """
CREATE TABLE documents (
    doc_id TEXT PRIMARY KEY, title TEXT NOT NULL, publisher TEXT, url TEXT, published TEXT,
    kind TEXT, tickers TEXT NOT NULL, fiscal_year INTEGER, quarter INTEGER, doc_type TEXT,
    chunk_count INTEGER NOT NULL, added_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP);
CREATE TABLE sources (source_key TEXT PRIMARY KEY, doc_id TEXT NOT NULL);
CREATE TABLE chunks (
    chunk_id TEXT PRIMARY KEY, doc_id TEXT NOT NULL, ordinal INTEGER NOT NULL, text TEXT NOT NULL,
    page INTEGER, section TEXT, mentions TEXT NOT NULL, content_hash TEXT NOT NULL);
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO meta VALUES ('generation', '3');
"""


def old_knowledge_base(settings: Settings, sources: list[str]) -> Path:
    """A schema-1 catalog that lists these source keys (its chunks do not matter: they are re-read)."""
    catalog = settings.data_dir / "knowledge" / "catalog.sqlite"
    catalog.parent.mkdir(parents=True)
    db = sqlite3.connect(catalog)
    db.executescript(SCHEMA_1)
    db.executemany("INSERT INTO sources VALUES (?, ?)", [(key, f"doc_{n}") for n, key in enumerate(sources)])
    db.commit()
    db.close()
    return catalog


@pytest.fixture()
def sources(shared_data: Path, tmp_path: Path) -> tuple[Path, Path]:
    minutes = [r for r in records(shared_data, FOMC) if r["kind"] == "minutes" and r["date"] >= "2026-01-01"]
    jsonl = tmp_path / "minutes.jsonl"
    jsonl.write_text("\n".join(json.dumps(r) for r in minutes))
    markdown = tmp_path / "view.md"
    markdown.write_text("# House view\n\nWe expect the Committee to hold rates.")
    return jsonl, markdown


def test_an_old_catalog_is_refused_with_the_way_out(settings: Settings, sources: tuple[Path, Path]) -> None:
    old_knowledge_base(settings, [f"{sources[0]}#fomcminutes20260128"])
    with pytest.raises(ConfigError, match=r"catalog schema 1.*`verity kb rebuild`"):
        build_knowledge_base(settings)


def test_rebuild_rereads_the_recorded_files_and_keeps_a_backup(
    settings: Settings, sources: tuple[Path, Path]
) -> None:
    jsonl, markdown = sources
    keys = [f"{jsonl}#fomcminutes20260128", f"{jsonl}#fomcminutes20260318", str(markdown)]
    catalog = old_knowledge_base(settings, keys)
    result = rebuild(settings)
    assert result.files == 2 and result.missing == [] and result.ingest.failed == []
    assert (result.backup / "catalog.sqlite").read_bytes() != b"" and not catalog.samefile(
        result.backup / "catalog.sqlite"
    )
    kb = build_knowledge_base(settings)
    docs = kb.list_documents()
    minutes = sorted((d.meeting, d.available) for d in docs if d.kind == "minutes")
    assert minutes[0] == (date(2026, 1, 28), date(2026, 2, 18))  # metadata of this version
    assert len(minutes) == len([r for r in json.loads(f"[{','.join(jsonl.read_text().splitlines())}]")])
    assert [d.kind for d in docs if d.title == "House view"] == ["note"]
    assert kb.search("hold rates", k=1, kind="note")[0].source.title == "House view"


def test_rebuild_keeps_owners_and_overrides(settings: Settings, sources: tuple[Path, Path]) -> None:
    _, markdown = sources
    kb = build_knowledge_base(settings)
    kb.add([markdown], publisher="Desk A", published=date(2026, 2, 2), owner="alice")
    kb.catalog.close()
    rebuild(settings)
    [doc] = build_knowledge_base(settings).list_documents(everyone=True)
    assert (doc.owner, doc.publisher, doc.available) == ("alice", "Desk A", date(2026, 2, 2))


def test_missing_files_stop_the_rebuild_unless_dropped(
    settings: Settings, sources: tuple[Path, Path]
) -> None:
    jsonl, markdown = sources
    catalog = old_knowledge_base(settings, [f"{jsonl}#fomcminutes20260128", str(markdown)])
    markdown.unlink()
    with pytest.raises(BadInputError, match=r"1 source file\(s\) are gone .*view.md.*nothing was changed"):
        rebuild(settings)
    assert catalog.is_file()  # untouched
    result = rebuild(settings, drop_missing=True)
    assert result.missing == [str(markdown)] and [f.source for f in result.ingest.failed] == [str(markdown)]
    assert {d.kind for d in build_knowledge_base(settings).list_documents()} == {"minutes"}


@pytest.fixture()
def runner(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    monkeypatch.setenv("VERITY_DATA_DIR", str(settings.data_dir))
    get_settings.cache_clear()
    yield CliRunner()
    get_settings.cache_clear()


def test_the_cli_says_what_to_do_and_does_it(
    runner: CliRunner, settings: Settings, sources: tuple[Path, Path]
) -> None:
    old_knowledge_base(settings, [str(sources[1])])
    refused = runner.invoke(app, ["kb", "search", "rates"])
    assert refused.exit_code == 2 and "verity kb rebuild" in refused.stderr
    rebuilt = runner.invoke(app, ["kb", "rebuild"])
    assert rebuilt.exit_code == 0, rebuilt.stderr
    assert "re-read 1 source(s): 1 added" in rebuilt.stdout and "knowledge.backup-" in rebuilt.stdout
    found = json.loads(runner.invoke(app, ["kb", "search", "hold rates", "--kind", "note", "--json"]).stdout)
    assert found[0]["source"]["title"] == "House view"
