"""Rebuilding a knowledge base from the files it was built from: after a schema change, or on demand.

A catalog records, for every document, the source it came from (a file, or a JSONL file's record),
its owner and the overrides given when it was added. ``rebuild`` re-reads those files into a fresh
knowledge base, so new metadata (kinds, availability dates, fiscal periods) is derived the way this
version derives it. It reads the old catalog with plain SQL, whatever its version. The old
knowledge base is moved aside as a backup, never deleted; with a Chroma server the collection of
the current schema is emptied and refilled. If source files are missing nothing changes, unless
``drop_missing`` says to rebuild without them. Catalogs of schema 1 did not record owners (all
documents were shared) nor the ``--publisher/--url/--date`` overrides: give those again after.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from copilot.config import Settings
from copilot.errors import BadInputError
from copilot.knowledge.ingest import Progress
from copilot.knowledge.report import IngestFailure, IngestReport


@dataclass(frozen=True)
class SourceFile:
    """A file to read again, as whose, with which overrides."""

    path: Path
    owner: str | None
    options: tuple[tuple[str, str], ...] = ()


@dataclass
class RebuildReport:
    """What a rebuild did: the ingest report, where the old knowledge base went, what was missing."""

    ingest: IngestReport
    backup: Path
    files: int
    missing: list[str] = field(default_factory=list)


def recorded_sources(catalog: Path) -> list[SourceFile]:
    """The distinct source files a catalog (of any schema version) was built from."""
    db = sqlite3.connect(f"file:{catalog}?mode=ro", uri=True)
    try:
        columns = {row[1] for row in db.execute("PRAGMA table_info(sources)")}
        extra = ", owner, options" if {"owner", "options"} <= columns else ", '', NULL"
        rows = list(db.execute(f"SELECT source_key{extra} FROM sources ORDER BY source_key"))
    except sqlite3.DatabaseError as exc:
        raise BadInputError(f"{catalog} cannot be read ({exc})") from exc
    finally:
        db.close()
    files: dict[SourceFile, None] = {}
    for key, owner, options in rows:
        given = tuple(sorted(json.loads(options).items())) if options else ()
        files[SourceFile(Path(str(key).split("#", 1)[0]), owner or None, given)] = None
    return list(files)


def rebuild(
    settings: Settings, drop_missing: bool = False, progress: Progress | None = None
) -> RebuildReport:
    """Re-read every recorded source into a fresh knowledge base; the old one is kept as a backup."""
    from copilot.knowledge.knowledge_base import build_knowledge_base

    root = settings.data_dir / "knowledge"
    catalog = root / "catalog.sqlite"
    if not catalog.is_file():
        raise BadInputError(f"there is no knowledge base under {settings.data_dir} to rebuild")
    sources = recorded_sources(catalog)
    missing = sorted({str(s.path) for s in sources if not s.path.exists()})
    if missing and not drop_missing:
        shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
        raise BadInputError(
            f"{len(missing)} source file(s) are gone ({shown}): put them back, or rebuild without their "
            "documents with --drop-missing; nothing was changed"
        )
    backup = root.with_name(f"knowledge.backup-{datetime.now(UTC):%Y%m%d-%H%M%S}")
    shutil.move(root, backup)
    if not settings.chroma_url:
        # Chroma keeps one client per path for the process: forget the one of the moved directory
        from chromadb.api.client import SharedSystemClient

        SharedSystemClient.clear_system_cache()
    kb = build_knowledge_base(settings)
    if settings.chroma_url:  # a server's collection outlives the local catalog: start it empty too
        kb.store.drop()
    report = IngestReport()
    for source in (s for s in sources if str(s.path) not in missing):
        options = dict(source.options)
        published = date.fromisoformat(options["published"]) if options.get("published") else None
        part = kb.add(
            [source.path],
            publisher=options.get("publisher"),
            url=options.get("url"),
            published=published,
            progress=progress,
            owner=source.owner,
        )
        _merge(report, part)
    report.failed.extend(IngestFailure(path, "the file is gone", "no_data") for path in missing)
    return RebuildReport(report, backup, len(sources), missing)


def _merge(total: IngestReport, part: IngestReport) -> None:
    for name in ("added", "replaced", "unchanged", "duplicates", "failed", "documents"):
        getattr(total, name).extend(getattr(part, name))
    total.chunks_added += part.chunks_added
    total.seconds += part.seconds
