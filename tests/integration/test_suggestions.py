"""The chat page's suggested first questions are ones the tools answer in full: the offline analyst,
over a snapshot of the shared data at its last day, verifies every figure and covers every part."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from copilot.clock import ExchangeClock
from copilot.config import Settings
from copilot.events import DoneEvent, ErrorEvent, VerificationEvent
from copilot.services import Services
from tools.importer import import_snapshot
from tools.market import MarketData
from tools.providers.snapshot import SnapshotProvider
from tools.symbols import SymbolResolver
from web.routes.pages import SUGGESTIONS

LAST_DAY = date(2026, 8, 21)  # the last day of the shared price files


@pytest.fixture(scope="module")
def snapshot(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("suggestions") / "snapshot"
    import_snapshot(
        [shared_data / "prices", shared_data / "fundamentals", shared_data / "corpus/sec_filings/index.csv"],
        dest,
    )
    return dest


@pytest.mark.parametrize("question", [s.question for s in SUGGESTIONS])
async def test_each_suggestion_is_answered_in_full(question: str, settings: Settings, snapshot: Path) -> None:
    clock = ExchangeClock(fixed=LAST_DAY)
    provider = SnapshotProvider(snapshot)
    resolver = SymbolResolver(search=provider.search)
    services = Services.assemble(
        settings, MarketData(provider, resolver, today=clock.today), clock=clock, resolver=resolver
    )
    events = [event async for event in services.chat.run_turn(question)]
    assert not [e for e in events if isinstance(e, ErrorEvent)]
    verification = next(e for e in events if isinstance(e, VerificationEvent))
    done = next(e for e in events if isinstance(e, DoneEvent))
    assert verification.total >= 1 and verification.verified == verification.total, done.answer
    assert done.coverage is not None and done.coverage.complete, done.coverage
    assert done.as_of == LAST_DAY and done.sources
