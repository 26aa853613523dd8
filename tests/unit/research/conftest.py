"""Research unit fixtures: fake market data (no bars: charts are left out) and a fake knowledge base."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from copilot.config import Settings
from copilot.errors import NoDataError, ProviderUnavailableError
from copilot.knowledge.facts import extract_facts
from copilot.research import ResearchDeps
from copilot.schemas import Source
from tests.fakes import TODAY, FakeKnowledgeBase, FakeMarketData, FakePassage, fed_passage


class ResearchFakeMarket(FakeMarketData):
    """The fake market of the chat tests; it has no daily bars, and can fail a method N times."""

    failures: dict[str, int]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.failures = {}

    def bars(
        self, symbol: str, start: date | None = None, end: date | None = None, as_of: date | None = None
    ) -> Any:
        self._record("bars", symbol, start, end, as_of)
        raise NoDataError(f"{symbol}: the fake has no daily bars", symbol=symbol)

    def technicals(self, symbol: str, as_of: date | None = None) -> Any:
        if self.failures.get("technicals", 0) > 0:
            self.failures["technicals"] -= 1
            self._record("technicals", symbol, as_of)
            raise ProviderUnavailableError("the fake provider is down", symbol=symbol, provider="fake")
        return super().technicals(symbol, as_of)


def fed_passage_with_facts() -> FakePassage:
    """The fake Fed passage with the facts the knowledge base extracts from its text (3.50, 3.75 %)."""
    passage = fed_passage()
    facts = extract_facts(passage.content, passage.source.published)
    fields = {**passage.source.model_dump(exclude={"id", "facts"}), "facts": facts}
    return FakePassage(passage.content, Source.model_validate(fields))


@pytest.fixture()
def market() -> ResearchFakeMarket:
    return ResearchFakeMarket()


@pytest.fixture()
def research_settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"llm_prices": {"scripted": (1.0, 2.0)}, "tool_timeout": 5.0})


@pytest.fixture()
def make_deps(market: ResearchFakeMarket, research_settings: Settings) -> Any:
    def make(model: Any = None) -> ResearchDeps:
        knowledge = FakeKnowledgeBase([fed_passage_with_facts()])
        return ResearchDeps(
            market=market,
            settings=research_settings,
            knowledge=lambda: knowledge,
            models=lambda name: model,
            today=lambda: TODAY,
        )

    return make
