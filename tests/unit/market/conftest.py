"""Market-data fixtures: one snapshot imported from the real shared data per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from tools.importer import ImportReport, import_snapshot
from tools.providers.snapshot import SnapshotProvider


@pytest.fixture(scope="session")
def imported_snapshot(
    shared_data: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, ImportReport]:
    """All of shared prices/ and fundamentals/ imported once: (snapshot dir, import report)."""
    dest = tmp_path_factory.mktemp("market") / "snapshot"
    report = import_snapshot([shared_data / "prices", shared_data / "fundamentals"], dest)
    return dest, report


@pytest.fixture(scope="session")
def snapshot_dir(imported_snapshot: tuple[Path, ImportReport]) -> Path:
    """A read-only snapshot directory of the real shared data (do not write into it)."""
    return imported_snapshot[0]


@pytest.fixture(scope="session")
def snapshot_provider(snapshot_dir: Path) -> SnapshotProvider:
    """A SnapshotProvider over ``snapshot_dir`` (shared by the session: it only memoises reads)."""
    return SnapshotProvider(snapshot_dir)
