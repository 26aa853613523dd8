"""The chat page in a real browser over the real data: an answer streams in, then shows its verified
figures with chips that open their source cards, the badge opens the checked figures, a chart draws
the answer's data up to its as-of date, and a running answer can be stopped. Figures on the page are
checked against plain pandas on the shared CSVs."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import (
    INDICES,
    LARGE_CAPS,
    ask,
    close_on_or_before,
    closes,
    percent,
    set_as_of,
    wait_for_answer,
)
from tests.e2e.server import Served

pytestmark = pytest.mark.e2e

DAY = date(2026, 1, 9)
SMALL_VS_LARGE = "How have small caps done vs large caps this year?"
LONG_QUESTION = (
    "How have small caps done this year, is the Russell 2000 overbought, and which sectors led today?"
)


@pytest.fixture(scope="module")
def ytd() -> dict[str, float]:
    """Year-to-date price returns at DAY, in percent, from the index CSV."""
    out = {}
    for symbol in ("^RUT", "^GSPC"):
        series = closes(INDICES, symbol)
        out[symbol] = (
            close_on_or_before(series, DAY) / close_on_or_before(series, date(2025, 12, 31)) - 1
        ) * 100
    return out


def test_an_answer_streams_in_then_shows_its_verified_figures(
    offline_server: Served, new_page: Any, ytd: dict[str, float]
) -> None:
    page, watched = new_page(offline_server.url)
    page.goto("/")
    expect(page.locator("#empty-state")).to_be_visible()
    set_as_of(page, DAY.isoformat())
    expect(page.locator("#as-of-value")).to_have_text("Jan 9, 2026")
    ask(page, SMALL_VS_LARGE)

    step = page.locator(".step").first
    expect(step).to_contain_text("returns of ^RUT, ^GSPC year to date")
    streaming = page.locator(".answer-body.is-streaming")
    expect(streaming).to_have_attribute("aria-busy", "true")
    lengths = []
    while streaming.count():
        # the length of the streamed text, once the placeholder gave way to it
        length = page.evaluate(
            "() => { const b = document.querySelector('.answer-body');"
            " return b.querySelector('.answer-placeholder') ? null : b.innerText.length; }"
        )
        if length is not None:
            lengths.append(length)
        page.wait_for_timeout(30)
    # the text grew in many steps while it streamed, never shrank
    assert len(set(lengths)) >= 5, lengths
    assert lengths == sorted(lengths)

    turn = wait_for_answer(page)
    body = turn.locator(".answer-body")
    expect(body).to_have_attribute("aria-busy", "false")
    text = body.inner_text()
    assert percent(ytd["^RUT"]) in text and percent(ytd["^GSPC"]) in text
    expect(turn.locator(".badge")).to_have_text("4/4 figures verified· covers all 2 parts")
    expect(turn.locator(".as-of-tag")).to_have_text("Data as of Jan 9, 2026")
    expect(turn.locator(".model-tag")).to_have_text("Offline analyst")
    expect(body.locator(".cite")).to_have_count(4)
    expect(turn.locator(".source-item")).to_have_count(1)
    expect(turn.locator(".source-item-title")).to_have_text("Performance YTD: ^RUT vs ^GSPC")
    expect(turn.locator(".step")).to_contain_text("Computed returns")
    assert page.url.startswith(f"{offline_server.url}/c/")
    expect(page.locator("#conversation-title")).to_have_text(SMALL_VS_LARGE)
    expect(page.locator(".conversation-item.is-active")).to_contain_text(SMALL_VS_LARGE)
    watched.clean(page)


def test_a_citation_opens_its_source_card_by_hover_and_by_keyboard(
    offline_server: Served, new_page: Any, ytd: dict[str, float]
) -> None:
    page, watched = new_page(offline_server.url)
    page.goto("/")
    set_as_of(page, DAY.isoformat())
    ask(page, SMALL_VS_LARGE)
    turn = wait_for_answer(page)
    card = page.locator("#source-popover")

    turn.locator(".answer-body .cite").first.hover()
    expect(card).to_be_visible()
    expect(card.locator(".source-card-title")).to_have_text("Performance YTD: ^RUT vs ^GSPC")
    expect(card.locator(".source-meta")).to_have_text("snapshot · as of Jan 9, 2026")
    cited = card.locator("tr.is-cited", has_text="Price return YTD^RUT")
    expect(cited).to_contain_text(f"{ytd['^RUT']:.2f}%")
    cited.locator(".fact-how").click()  # the formula and its inputs, on demand
    formula = cited.locator(".fact-formula")
    expect(formula).to_be_visible()
    start = close_on_or_before(closes(INDICES, "^RUT"), date(2025, 12, 31))
    expect(formula).to_contain_text("(end_close / start_close - 1) * 100")
    expect(formula).to_contain_text(f"start_close = {start:,.2f}")
    page.keyboard.press("Escape")
    expect(card).to_be_hidden()

    chip = turn.locator(".answer-body .cite").nth(1)
    chip.focus()
    page.keyboard.press("Enter")
    expect(card).to_be_visible()
    expect(chip).to_have_attribute("aria-expanded", "true")
    assert page.evaluate("document.activeElement.closest('#source-popover') !== null")
    page.keyboard.press("Escape")
    expect(card).to_be_hidden()
    assert page.evaluate("document.activeElement.dataset.cite") == "1"  # focus back on the chip

    turn.locator(".source-item").click()  # the sources list opens the same card
    expect(card.locator(".source-card-title")).to_have_text("Performance YTD: ^RUT vs ^GSPC")
    page.mouse.click(5, 400)  # a click elsewhere closes it
    expect(card).to_be_hidden()
    watched.clean(page)


def test_the_badge_opens_the_list_of_checked_figures(
    offline_server: Served, new_page: Any, ytd: dict[str, float]
) -> None:
    page, watched = new_page(offline_server.url)
    page.goto("/")
    set_as_of(page, DAY.isoformat())
    ask(page, SMALL_VS_LARGE)
    turn = wait_for_answer(page)
    badge = turn.locator(".badge")
    panel = turn.locator(".badge-panel")
    expect(panel).to_be_hidden()
    badge.click()
    expect(badge).to_have_attribute("aria-expanded", "true")
    expect(panel).to_be_visible()
    figures = panel.locator(".figure-list").first.locator("li")
    expect(figures).to_have_count(4)
    # each figure names the fact it matched in the cited source
    expect(figures.nth(0)).to_contain_text(f"{percent(ytd['^RUT'])}matches Price return YTD (^RUT)")
    expect(figures.nth(3)).to_contain_text("3.2xmatches ^RUT price return as a multiple of ^GSPC's gain")
    parts = panel.locator(".coverage-list li")
    expect(parts).to_have_count(2)
    expect(parts.nth(0)).to_contain_text("Russell 2000 (^RUT) return year to date")
    badge.press("Enter")
    expect(panel).to_be_hidden()
    watched.clean(page)


def test_charts_draw_the_answers_data_up_to_its_as_of_date(
    offline_server: Served, new_page: Any, ytd: dict[str, float]
) -> None:
    page, watched = new_page(offline_server.url)
    page.goto("/")
    set_as_of(page, DAY.isoformat())

    # a comparison: both lines rebased to 100 at the year's base close, ending at 100 x (1 + return)
    ask(page, SMALL_VS_LARGE)
    turn = wait_for_answer(page)
    chart = turn.locator("figure.chart-card[data-chart=relative]")
    expect(chart.locator("canvas")).to_be_visible()
    label = chart.locator(".chart-canvas").get_attribute("aria-label") or ""
    assert f"Russell 2000 (^RUT) {100 + ytd['^RUT']:.2f} on 2026-01-09" in label
    assert f"S&P 500 (^GSPC) {100 + ytd['^GSPC']:.2f} on 2026-01-09" in label
    expect(chart.locator(".chart-title")).to_contain_text("Performance from 2025-12-31 to 2026-01-09")
    assert _drawn(chart.locator("canvas").first)

    # one stock's technicals: its price with the 50- and 200-day averages, as of the answer's date
    ask(page, "Is NVDA overbought?")
    turn = wait_for_answer(page, index=1)
    chart = turn.locator("figure.chart-card[data-chart=price]")
    expect(chart.locator("canvas")).to_be_visible()
    nvda = closes(LARGE_CAPS, "NVDA").loc[: pd.Timestamp(DAY)]
    label = chart.locator(".chart-canvas").get_attribute("aria-label") or ""
    assert "as of 2026-01-09" in label
    assert f"50-day average {nvda.iloc[-50:].mean():,.2f} on 2026-01-09" in label
    assert f"200-day average {nvda.iloc[-200:].mean():,.2f} on 2026-01-09" in label
    assert f"close {nvda.iloc[-1]:,.2f} on 2026-01-09" in label

    # a sector ranking: bars of the cited source's own returns
    ask(page, "Which sectors led this month?")
    turn = wait_for_answer(page, index=2)
    chart = turn.locator("figure.chart-card[data-chart=sectors]")
    expect(chart.locator("canvas")).to_be_visible()
    label = chart.locator(".chart-canvas").get_attribute("aria-label") or ""
    conversation = page.request.get(f"/api/conversations/{page.url.rsplit('/', 1)[1]}").json()
    source = next(
        s["source"] for s in conversation["turns"][2]["sources"] if s["source"]["tool"] == "sectors"
    )
    bars = [f for f in source["facts"] if f["key"].startswith(("price_return_", "total_return_"))]
    assert len(bars) == 11
    for fact in bars:
        assert f"{fact['label']} {fact['value']:+,.2f}%" in label
    watched.clean(page)


def _drawn(canvas: Any) -> bool:
    """The canvas holds a drawing (some pixels are not transparent)."""
    return bool(
        canvas.evaluate(
            "c => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
            " for (let i = 3; i < d.length; i += 4) if (d[i]) return true; return false; }"
        )
    )


def test_a_running_answer_stops_with_escape_and_nothing_is_stored(
    offline_server: Served, new_page: Any
) -> None:
    page, watched = new_page(offline_server.url)
    page.goto("/")
    set_as_of(page, DAY.isoformat())
    with page.expect_response("**/api/chat") as started:
        ask(page, LONG_QUESTION)
    run_id = started.value.headers["x-run-id"]
    body = page.locator(".answer-body.is-streaming")
    expect(body).to_contain_text("Russell 2000")  # the answer is streaming
    expect(page.locator("#stop")).to_be_visible()
    page.keyboard.press("Escape")
    note = page.locator(".stopped-note")
    expect(note).to_contain_text("Stopped")
    expect(note).to_contain_text("not checked against its sources")
    expect(page.locator("#send")).to_be_visible()
    shown = page.locator(".answer-body").inner_text()
    page.wait_for_timeout(600)
    assert page.locator(".answer-body").inner_text() == shown  # nothing more arrives
    expect(page.locator(".turn .badge")).to_have_count(0)
    run = page.request.get(f"/api/chat/runs/{run_id}").json()
    assert run["status"] == "cancelled"
    conversation = page.request.get(f"/api/conversations/{run['conversation_id']}").json()
    assert conversation["turns"] == []

    # the same question, asked again, is answered and stored
    page.locator(".stopped-note .link-btn").click()
    wait_for_answer(page)
    conversation = page.request.get(f"/api/conversations/{run['conversation_id']}").json()
    assert len(conversation["turns"]) == 1
    watched.clean(page)
