"""How the page looks and handles: screenshots of an answer with its citations and chart (desktop
1280 px and mobile 390 px, light and dark) saved to test-artifacts/ on every run; a usable layout at
360 px (no sideways scrolling, the conversations drawer, the source card as a bottom sheet); dark
mode following the system; keyboard focus that shows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import ask, set_as_of, wait_for_answer
from tests.e2e.server import Served

pytestmark = pytest.mark.e2e

QUESTION = "How have small caps done against large caps over the past year?"
SIZES = {"desktop": {"width": 1280, "height": 900}, "mobile": {"width": 390, "height": 844}}


@pytest.fixture(scope="module")
def answered(
    offline_server: Served, browser: Any, tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, Path]:
    """A conversation with one answer (chart and citations), and the cookies of its owner."""
    context = browser.new_context(base_url=offline_server.url, viewport=SIZES["desktop"])
    page = context.new_page()
    page.goto("/")
    set_as_of(page, "2026-01-09")
    ask(page, QUESTION)
    wait_for_answer(page)
    expect(page.locator("figure.chart-card canvas")).to_be_visible()
    state = tmp_path_factory.mktemp("e2e-layout") / "state.json"
    context.storage_state(path=str(state))
    url = page.url
    context.close()
    return url, state


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("size", ["desktop", "mobile"])
def test_screenshots_of_an_answer_with_citations_and_chart(
    answered: tuple[str, Path], new_page: Any, artifacts: Path, size: str, scheme: str, offline_server: Served
) -> None:
    url, state = answered
    page, watched = new_page(
        offline_server.url, viewport=SIZES[size], color_scheme=scheme, storage_state=str(state)
    )
    page.goto(url)
    turn = wait_for_answer(page)
    expect(turn.locator("figure.chart-card canvas")).to_be_visible()
    expect(page.locator("#as-of-value")).to_have_text("Jan 9, 2026")  # follow-ups keep the date
    turn.evaluate("el => el.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(400)  # the chart's entry animation
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert (background == "rgb(14, 18, 23)") == (scheme == "dark")  # the system's scheme is followed
    path = artifacts / f"chat-{size}-{scheme}.png"
    page.screenshot(path=str(path))
    assert path.stat().st_size > 20_000
    watched.clean(page)


def test_the_readme_screenshot(
    answered: tuple[str, Path], new_page: Any, artifacts: Path, offline_server: Served
) -> None:
    """The picture the README shows (docs/screenshot-chat.png is a copy of it): an answer, a source
    card opened from its citation, the badge and the chart."""
    url, state = answered
    page, watched = new_page(
        offline_server.url, viewport={"width": 1280, "height": 1000}, storage_state=str(state)
    )
    page.goto(url)
    turn = wait_for_answer(page)
    expect(turn.locator("figure.chart-card canvas")).to_be_visible()
    turn.evaluate("el => el.scrollIntoView({block: 'start'})")
    turn.locator(".answer-body .cite").first.hover()
    expect(page.locator("#source-popover")).to_be_visible()
    page.wait_for_timeout(400)
    page.screenshot(path=str(artifacts / "readme-chat.png"))
    watched.clean(page)


def test_a_360_px_wide_screen_is_usable(
    answered: tuple[str, Path], new_page: Any, offline_server: Served
) -> None:
    url, state = answered
    page, watched = new_page(
        offline_server.url, viewport={"width": 360, "height": 740}, storage_state=str(state)
    )
    page.goto(url)
    turn = wait_for_answer(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scrolling
    assert page.evaluate("document.querySelector('#thread').scrollWidth") <= 360
    expect(page.locator("#sidebar")).not_to_be_in_viewport()
    page.click("#sidebar-toggle")  # the conversations drawer
    expect(page.locator("#sidebar")).to_be_in_viewport()
    expect(page.locator("#sidebar-toggle")).to_have_attribute("aria-expanded", "true")
    expect(page.locator(".conversation-item.is-active")).to_contain_text("small caps")
    page.keyboard.press("Escape")
    expect(page.locator("#sidebar")).not_to_be_in_viewport()

    turn.locator(".answer-body .cite").first.click()  # the card is a bottom sheet inside the screen
    card = page.locator("#source-popover")
    expect(card).to_be_visible()
    box = card.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360
    assert box["y"] + box["height"] <= 740 + 1
    page.locator("#source-popover .source-card-close").click()
    expect(card).to_be_hidden()
    expect(page.locator("#question")).to_be_in_viewport()
    expect(page.locator("#as-of-chip")).to_be_in_viewport()
    watched.clean(page)


def test_keyboard_focus_is_visible_and_reaches_the_chat_box(offline_server: Served, new_page: Any) -> None:
    page, watched = new_page(offline_server.url)
    page.goto("/shared/no-such-link")  # a page that focuses nothing by itself
    page.keyboard.press("Tab")  # from the top, the skip link comes first
    expect(page.locator(".skip-link")).to_be_focused()
    expect(page.locator(".skip-link")).to_be_in_viewport()
    page.goto("/")
    expect(page.locator("#question")).to_be_focused()  # typing goes straight into the chat box
    page.locator("#question").focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    focused = page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, s.outlineWidth]; }"
    )
    assert focused[0] != "none" and focused[1] != "0px", focused
    page.locator("#question").focus()
    page.keyboard.type("first line")
    page.keyboard.press("Shift+Enter")  # a new line, not a question
    page.keyboard.type("second line")
    expect(page.locator("#question")).to_have_value("first line\nsecond line")
    expect(page.locator(".turn")).to_have_count(0)
    watched.clean(page, allow_console=("status of 404",))  # the unknown share link
