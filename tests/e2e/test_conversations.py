"""The conversations sidebar (new chat, list, search, rename, delete) and the actions on an answer
(copy, regenerate, edit and ask again, thumbs up and down), through the page and checked in the API."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import ask, set_as_of, wait_for_answer
from tests.e2e.server import Served

pytestmark = pytest.mark.e2e


def conversation_id(page: Any) -> str:
    return str(page.url.rsplit("/", 1)[1])


def test_the_sidebar_lists_searches_renames_and_deletes(offline_server: Served, new_page: Any) -> None:
    page, watched = new_page(offline_server.url)
    page.goto("/")
    expect(page.locator("#conversation-list")).to_contain_text("Your conversations will be listed here.")
    set_as_of(page, "2026-01-09")
    ask(page, "Where is the S&P 500 trading?")
    wait_for_answer(page)
    first = conversation_id(page)
    page.click("#new-chat")
    expect(page.locator("#empty-state")).to_be_visible()
    assert page.url.endswith("/")
    ask(page, "Is Apple expensive?")
    wait_for_answer(page)
    items = page.locator(".conversation-item")
    expect(items).to_have_count(2)
    expect(items.first).to_contain_text("Is Apple expensive?")  # newest first

    page.fill("#conversation-search", "S&P")
    expect(items).to_have_count(1)
    expect(items.first).to_contain_text("Where is the S&P 500 trading?")
    page.fill("#conversation-search", "no such words anywhere")
    expect(page.locator("#conversation-list")).to_contain_text("No conversation matches.")
    page.fill("#conversation-search", "")
    expect(items).to_have_count(2)

    row = page.locator(".conversation-item", has_text="Where is the S&P 500 trading?")
    row.hover()
    row.get_by_role("button", name="Rename “Where is the S&P 500 trading?”").click()
    page.locator("dialog input").fill("S&P 500 level")
    page.locator("dialog input").press("Enter")
    expect(page.locator(".conversation-item", has_text="S&P 500 level")).to_have_count(1)
    assert page.request.get(f"/api/conversations/{first}").json()["title"] == "S&P 500 level"

    row = page.locator(".conversation-item", has_text="Is Apple expensive?")  # the open one
    row.hover()
    row.get_by_role("button", name="Delete “Is Apple expensive?”").click()
    page.locator("dialog .btn-danger").click()
    expect(items).to_have_count(1)
    expect(page.locator("#empty-state")).to_be_visible()  # the open conversation went: a new chat
    assert page.request.get("/api/conversations?limit=10").json()[0]["id"] == first

    page.locator(".conversation-open", has_text="S&P 500 level").click()
    expect(page.locator("#conversation-title")).to_have_text("S&P 500 level")
    assert conversation_id(page) == first
    page.go_back()  # the browser's history follows the conversations
    expect(page.locator("#empty-state")).to_be_visible()
    page.go_forward()
    expect(page.locator(".turn")).to_have_count(1)
    watched.clean(page)


def test_copy_regenerate_edit_and_rate_an_answer(offline_server: Served, new_page: Any) -> None:
    page, watched = new_page(offline_server.url, permissions=["clipboard-read", "clipboard-write"])
    page.goto("/")
    set_as_of(page, "2026-01-09")
    ask(page, "Where is the Russell 2000 trading?")
    turn = wait_for_answer(page)
    stored = page.request.get(f"/api/conversations/{conversation_id(page)}").json()["turns"][0]

    turn.get_by_role("button", name="Copy the answer").click()
    assert page.evaluate("navigator.clipboard.readText()") == stored["answer"]

    with page.expect_response("**/feedback") as sent:
        turn.get_by_role("button", name="Good answer").click()
    assert sent.value.status == 204
    assert sent.value.request.post_data_json == {"rating": 1, "comment": ""}
    expect(turn.get_by_role("button", name="Good answer")).to_have_attribute("aria-pressed", "true")
    with page.expect_response("**/feedback") as sent:
        turn.get_by_role("button", name="Bad answer").click()
    assert sent.value.request.post_data_json["rating"] == -1
    expect(turn.get_by_role("button", name="Good answer")).to_have_attribute("aria-pressed", "false")

    turn.get_by_role("button", name="Regenerate").click()  # asked again, as of the same date
    second = wait_for_answer(page, index=1)
    expect(page.locator(".turn")).to_have_count(2)
    expect(second.locator(".as-of-tag")).to_have_text("Data as of Jan 9, 2026")
    expect(turn.get_by_role("button", name="Regenerate")).to_be_hidden()  # only the last answer offers it
    expect(second.get_by_role("button", name="Regenerate")).to_be_visible()

    second.locator(".turn-question").hover()
    second.get_by_role("button", name="Edit and ask again").click()
    expect(page.locator("#question")).to_have_value("Where is the Russell 2000 trading?")
    expect(page.locator("#question")).to_be_focused()
    page.locator("#question").fill("Where is the Nasdaq trading?")
    page.keyboard.press("Enter")
    third = wait_for_answer(page, index=2)
    expect(third.locator(".answer-body")).to_contain_text("Nasdaq")
    turns = page.request.get(f"/api/conversations/{conversation_id(page)}").json()["turns"]
    assert [t["question"] for t in turns] == [
        "Where is the Russell 2000 trading?",
        "Where is the Russell 2000 trading?",
        "Where is the Nasdaq trading?",
    ]
    watched.clean(page)
