"""Deep research in the page: an anonymous visitor is asked to log in; a user orders the seed's report,
watches it being written and reads it (sections with their badges, the related stocks strip, charts,
exports); nobody else can open it until it is published; then anyone reads the public note and asks
about it in the chat beneath. Figures on the page are checked against plain pandas on the shared CSVs.

The server here is the app on its embedded defaults (the offline analyst at full speed, research
jobs run in-process on SQLite), as `make run` starts it.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from copilot.services import build_services
from tests.conftest import SHARED_DATA
from tests.e2e.conftest import server_settings
from tests.e2e.helpers import INDICES, OWN_BUDGET, ask, close_on_or_before, closes, register, wait_for_answer
from tests.e2e.server import Served, served
from web.app import create_app

pytestmark = pytest.mark.e2e

SEED_TOPIC = "Small-cap rally: is the Russell 2000's outperformance sustainable?"
AS_OF = "2026-01-09"
REPORT_TIMEOUT = 90_000


@pytest.fixture(scope="module")
def research_server(snapshot: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    settings = server_settings(tmp_path_factory.mktemp("e2e-research"), snapshot)
    assert settings.shared_data == SHARED_DATA

    def build() -> Any:
        return create_app(settings, build_services(settings))

    with served(build) as server:
        yield server


class SlowMarket:
    """The market data with a second's latency per call, as a live provider under load: a report
    then takes several seconds, long enough to watch it being written."""

    def __init__(self, market: Any, delay: float = 1.0) -> None:
        self._market, self._delay = market, delay

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._market, name)
        if not callable(attribute) or name == "resolver":
            return attribute

        def slow(*args: Any, **kwargs: Any) -> Any:
            time.sleep(self._delay)  # the research runner calls the market in its own threads
            return attribute(*args, **kwargs)

        return slow


@pytest.fixture(scope="module")
def slow_research_server(snapshot: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    settings = server_settings(tmp_path_factory.mktemp("e2e-research-slow"), snapshot)

    def build() -> Any:
        services = build_services(settings)
        assert services.research is not None
        services.research.deps.market = SlowMarket(services.research.deps.market)  # type: ignore[assignment]
        return create_app(settings, services)

    with served(build) as server:
        yield server


def _order(page: Any, topic: str, as_of: str) -> str:
    page.goto("/research")
    page.fill("#topic", topic)
    page.fill("#order-as-of", as_of)
    page.click("#order")
    page.wait_for_url(re.compile(r"/research/[A-Za-z0-9_-]+$"))
    return str(page.url.rsplit("/", 1)[1])


def test_an_anonymous_visitor_is_asked_to_log_in(research_server: Served, new_page: Any) -> None:
    page, watched = new_page(research_server.url)
    page.goto("/research")
    login = page.locator("#order-login")
    expect(login).to_have_text("Log in to order deep research reports")
    expect(login).to_have_attribute("href", "/login?next=/research")
    expect(page.locator("#order-form")).to_have_count(0)
    response = page.goto("/research/does-not-exist")
    assert response is not None and response.status == 404
    watched.clean(page, allow_console=("404",))


def test_order_read_publish_and_ask_under_the_note(
    research_server: Served, new_page: Any, artifacts: Path
) -> None:
    page, watched = new_page(research_server.url)
    register(page, f"ann-{uuid.uuid4().hex[:8]}@example.com")

    # an empty topic is refused in the page, nothing sent
    page.goto("/research")
    page.click("#order")
    expect(page.locator("#order-error")).to_contain_text("Name what the report is about")

    job_id = _order(page, SEED_TOPIC, AS_OF)
    expect(page.locator("#job-state")).to_have_text("Finished", timeout=REPORT_TIMEOUT)
    report = page.locator("#report")
    expect(report).to_have_attribute("aria-busy", "false")
    sections = report.locator(".report-section")
    section_count = sections.count()
    assert section_count >= 5
    # every section carries its verification badge; the report's total is complete
    assert report.locator(".report-section .badge").count() == section_count
    claims = report.locator(".report-claims")
    expect(claims).to_have_class(re.compile(r"\bis-complete\b"))
    expect(page.locator("#job-meta")).to_contain_text("as of Jan 9, 2026")

    # the related stocks strip: the Russell 2000's level as of the report's date, from the CSV
    rut = close_on_or_before(closes(INDICES, "^RUT"), date(2026, 1, 9))
    strip = report.locator(".related-strip")
    expect(strip).to_be_visible()
    expect(strip.locator(".related-item", has_text="^RUT")).to_contain_text(f"{rut:,.2f}")

    # a citation opens its source card: the cited YTD return, recomputed from the CSV
    rut_closes = closes(INDICES, "^RUT")
    ytd = (rut / close_on_or_before(rut_closes, date(2025, 12, 31)) - 1) * 100
    card = page.locator("#source-popover")
    report.locator("#section-summary .cite").first.click()
    expect(card).to_be_visible()
    expect(card.locator(".source-card-title")).to_have_text("Performance YTD: ^RUT vs ^GSPC vs ^IXIC")
    expect(card.locator(".source-meta")).to_contain_text("as of Jan 9, 2026")
    expect(card.locator("tr.is-cited", has_text="Price return YTD^RUT")).to_contain_text(f"{ytd:.2f}%")
    page.keyboard.press("Escape")
    expect(card).to_be_hidden()

    # charts are drawn (canvas or svg inside each chart figure)
    charts = report.locator(".chart-card")
    assert charts.count() >= 1
    expect(charts.first.locator(".chart-canvas canvas, .chart-canvas svg").first).to_be_visible()

    # exports are links to the report in four formats
    for fmt in ("md", "html", "pdf", "json"):
        expect(page.locator(f"#job-actions a[href$='/report.{fmt}']")).to_have_count(1)
    page.screenshot(path=str(artifacts / "research-report.png"), full_page=True)

    # before it is published, nobody else can open it
    other, other_watched = new_page(research_server.url)
    register(other, f"bob-{uuid.uuid4().hex[:8]}@example.com")
    response = other.goto(f"/research/{job_id}")
    assert response is not None and response.status == 404
    response = other.goto(f"/notes/{job_id}")
    assert response is not None and response.status == 404

    # published, anyone may read the note and ask about it
    page.click("#publish")
    expect(page.locator("#note-link")).to_be_visible()
    expect(page.locator("#job-meta")).to_contain_text("published")

    # the list of one's reports says where each stands
    page.goto("/research")
    item = page.locator(f".report-item a[href='/research/{job_id}']")
    expect(item).to_contain_text("Finished")
    expect(item).to_contain_text("published")
    page.screenshot(path=str(artifacts / "research-list.png"), full_page=True)

    visitor, visitor_watched = new_page(research_server.url)
    visitor.goto(f"/notes/{job_id}")
    note = visitor.locator("#report")
    expect(note).to_have_attribute("aria-busy", "false")
    expect(note.locator(".report-section")).to_have_count(section_count)
    expect(note.locator(".related-strip .related-item", has_text="^RUT")).to_contain_text(f"{rut:,.2f}")
    expect(note.locator(".related-title")).to_have_text("Related Stocks")
    expect(visitor.locator("#composer")).to_be_visible()
    # below the chat, a visitor is invited to log in for deep research
    expect(visitor.locator("#deep-research-login")).to_have_attribute("href", "/login?next=/research")
    ask(visitor, "Where did the Russell 2000 close?")
    turn = wait_for_answer(visitor)
    # the chat reads the data the note read: the close on the note's date
    expect(turn.locator(".answer-body")).to_contain_text(f"{rut:,.2f}")
    expect(turn.locator(".badge")).to_contain_text("verified")
    visitor.screenshot(path=str(artifacts / "research-note.png"), full_page=True)
    # the note page loads the chat's modules and its own: together still within the page budget
    sizes = visitor.evaluate(
        "() => performance.getEntriesByType('resource')"
        ".filter(e => e.name.includes('/static/') && !e.name.includes('/static/vendor/'))"
        ".filter(e => /\\.(m?js|css)$/.test(e.name)).map(e => e.decodedBodySize)"
    )
    assert sizes and sum(sizes) <= OWN_BUDGET, sum(sizes)

    for p, w in ((page, watched), (other, other_watched), (visitor, visitor_watched)):
        w.clean(p, allow_console=("404",))


def test_a_report_is_watched_while_it_is_written(
    slow_research_server: Served, new_page: Any, artifacts: Path
) -> None:
    page, watched = new_page(slow_research_server.url)
    register(page, f"cy-{uuid.uuid4().hex[:8]}@example.com")
    _order(page, "How is Apple doing?", AS_OF)
    # live: the state, a progress bar that moves, and the steps as they start and finish
    expect(page.locator("#job-state")).to_have_text("Being written")
    expect(page.locator("#job-progress")).to_be_visible()
    steps = page.locator("#job-step-list .step")
    expect(steps.first).to_be_attached()
    expect(page.locator("#job-step-list .step.is-done").first).to_be_attached()
    percent = int(page.locator("#job-percent").get_attribute("value") or "0")
    assert 0 <= percent < 100
    expect(page.locator("#job-steps-count")).to_contain_text(re.compile(r"^\d+ of \d+ steps$"))
    page.locator("#job-steps").evaluate("(details) => { details.open = true; }")
    page.screenshot(path=str(artifacts / "research-progress.png"), full_page=True)
    # then the finished report replaces the progress
    expect(page.locator("#job-state")).to_have_text("Finished", timeout=REPORT_TIMEOUT)
    expect(page.locator("#job-progress")).to_be_hidden()
    expect(page.locator("#report .report-section").first).to_be_visible()
    expect(page.locator("#report .related-strip .related-item").first).to_contain_text("AAPL")
    watched.clean(page)
