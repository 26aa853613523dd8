"""What a report is about: a topic naming something Verity has no data on is refused, not answered
with a verified report about the broad market under its title; a topic naming nothing is about the
broad market (said so); a name compared with one the data lacks is left out (said so)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import pytest

from copilot.errors import BadInputError, UnknownSymbolError
from copilot.research import ResearchDoneEvent, ResearchFailedEvent, ResearchRequest, run_research
from copilot.research.subjects import read_subjects

AS_OF = date(2026, 1, 9)


def _subjects(real: Any, topic: str) -> tuple[list[str], list[str]]:
    subjects, notes = read_subjects(topic, real.market, real.market.resolver)
    return [s.symbol for s in subjects], notes


@pytest.mark.parametrize("topic", ["bitcoin", "Bitcoin outlook for 2026", "ethereum vs solana"])
def test_a_crypto_topic_is_refused(real: Any, topic: str) -> None:
    with pytest.raises(BadInputError, match="no data on cryptocurrencies"):
        _subjects(real, topic)


@pytest.mark.parametrize(("topic", "name"), [("palantir earnings", "Palantir"), ("ZZZZ", "ZZZZ")])
def test_a_name_the_data_lacks_is_refused(real: Any, topic: str, name: str) -> None:
    with pytest.raises(UnknownSymbolError, match="Verity has no data on it") as raised:
        _subjects(real, topic)
    assert raised.value.symbol == name


def test_a_topic_naming_nothing_is_about_the_broad_market_and_says_so(real: Any) -> None:
    symbols, notes = _subjects(real, "Is the Fed going to cut rates again?")
    assert symbols[0] == "^GSPC"
    assert any("broad US market" in note for note in notes)


def test_a_name_compared_with_one_the_data_lacks_is_left_out_and_said(real: Any) -> None:
    symbols, notes = _subjects(real, "Rivian vs Tesla")
    assert symbols[0] == "TSLA" and not any(s.upper() == "RIVIAN" for s in symbols)
    assert "Rivian is left out: Verity has no data on it." in notes


def test_known_names_still_lead(real: Any) -> None:
    assert _subjects(real, "How is Apple doing?")[0][0] == "AAPL"
    assert _subjects(real, "Microsoft and Google")[0][:2] == ["MSFT", "GOOG"]
    assert _subjects(real, "energy sector")[0][0] == "XLE"


async def test_a_refused_topic_ends_the_run_with_its_reason(real: Any) -> None:
    request = ResearchRequest(topic="bitcoin", as_of=AS_OF, model="verity-offline")
    events = [e async for e in run_research(request, real.deps())]
    assert not any(isinstance(e, ResearchDoneEvent) for e in events)
    failed = events[-1]
    assert isinstance(failed, ResearchFailedEvent) and failed.code == "bad_input"
    assert "cryptocurrencies" in failed.message


async def test_a_subject_without_prices_by_the_date_ends_the_run_with_its_reason(real: Any) -> None:
    # the shared price files hold XBI only from 2026-03-31 (plain pandas on every file)
    first = "9999"
    for path in sorted((real.settings.shared_data / "prices").glob("*.csv.gz")):
        rows = pd.read_csv(path, usecols=["date", "symbol"])
        dates = rows.loc[rows["symbol"] == "XBI", "date"]
        if len(dates):
            first = min(first, str(dates.min()))
    assert first == "2026-03-31"

    request = ResearchRequest(topic="biotech", as_of=AS_OF, model="verity-offline")
    events = [e async for e in run_research(request, real.deps())]
    failed = events[-1]
    assert isinstance(failed, ResearchFailedEvent) and failed.code == "no_data"
    assert failed.message.startswith("the report cannot cover SPDR S&P Biotech ETF as of 2026-01-09: ")
    assert "2026-03-31" in failed.message
    assert not any(isinstance(e, ResearchDoneEvent) for e in events)
    # no report about the benchmarks in its place, not even a partial one
    assert failed.report is None

    later = ResearchRequest(topic="biotech", as_of=date(2026, 6, 30), model="verity-offline")
    done = [e async for e in run_research(later, real.deps())][-1]
    assert isinstance(done, ResearchDoneEvent)
    assert done.report.related[0].symbol == "XBI"
