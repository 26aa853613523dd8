"""Accounts in the page: register, log out, log in again and find the conversation (also after a
reload); a share link opened logged out (then revoked); API keys created (shown once), used and
revoked; the deep-research slot for anonymous and logged-in visitors."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import ask, log_in, register, set_as_of, wait_for_answer
from tests.e2e.server import Served

pytestmark = pytest.mark.e2e


def test_register_ask_reload_log_out_and_in_again_finds_the_conversation(
    offline_server: Served, new_page: Any
) -> None:
    page, watched = new_page(offline_server.url)
    page.goto("/")
    slot = page.locator("[data-slot=deep-research]")
    expect(slot).to_contain_text("Log in to order deep research reports")
    expect(slot.locator("a")).to_have_attribute("href", "/login?next=/research")

    email = f"ann-{uuid.uuid4().hex[:8]}@example.com"
    register(page, email)
    expect(slot).not_to_contain_text("Log in to order")
    expect(page.locator("#deep-research-link")).to_have_attribute("href", "/research")

    set_as_of(page, "2026-01-09")
    ask(page, "Where is the Russell 2000 trading?")
    wait_for_answer(page)
    url = page.url
    assert "/c/" in url
    page.reload()
    turn = wait_for_answer(page)  # the stored answer, with its badge, chips and sources
    expect(turn.locator(".question-text")).to_have_text("Where is the Russell 2000 trading?")
    expect(turn.locator(".answer-body .cite").first).to_be_visible()
    expect(page.locator(".conversation-item.is-active")).to_contain_text("Where is the Russell 2000 trading?")
    turn.locator(".badge").click()  # the checked figures were stored with the answer
    verified = int(turn.locator(".badge").inner_text().split("/")[0])
    expect(turn.locator(".badge-panel .figure-list").first.locator("li .figure-ok")).to_have_count(verified)

    page.click("#logout")
    expect(page.locator("#account")).to_contain_text("Log in")
    expect(page.locator(".conversation-item")).to_have_count(0)  # the user's list is not shown to anyone else
    page.goto(url)
    expect(page.locator(".answer-error")).to_contain_text("does not exist, or it is not yours")

    log_in(page, "nobody@example.com", "wrong password!")
    expect(page.locator("#auth-error")).to_have_text("wrong email or password")
    log_in(page, email)
    expect(page.locator(".account-email")).to_have_text(email)
    page.locator(".conversation-open", has_text="Where is the Russell 2000 trading?").click()
    wait_for_answer(page)
    assert page.url == url
    watched.clean(page, allow_console=("status of 401", "status of 404"))


def test_a_share_link_opens_read_only_for_a_logged_out_visitor_until_revoked(
    offline_server: Served, new_page: Any
) -> None:
    page, watched = new_page(offline_server.url, permissions=["clipboard-read", "clipboard-write"])
    register(page, f"sam-{uuid.uuid4().hex[:8]}@example.com")
    set_as_of(page, "2026-01-09")
    ask(page, "How have small caps done vs large caps this year?")
    owner_turn = wait_for_answer(page)
    answer = owner_turn.locator(".answer-body").inner_text()

    page.click("#share-conversation")
    link = page.locator("#share-url")
    expect(link).to_have_value(f"{offline_server.url}/shared/" + link.input_value().rsplit("/", 1)[1])
    shared_url = link.input_value()

    visitor, visitor_watched = new_page(offline_server.url)  # another browser context: no cookies
    visitor.goto(shared_url)
    expect(visitor.locator(".eyebrow")).to_have_text("Shared conversation · read-only")
    expect(visitor.locator("#shared-title")).to_have_text("How have small caps done vs large caps this year?")
    turn = wait_for_answer(visitor)
    assert turn.locator(".answer-body").inner_text() == answer
    expect(visitor.locator("#composer")).to_have_count(0)
    expect(turn.locator(".answer-actions")).to_have_count(0)  # nothing to do but read
    turn.locator(".answer-body .cite").first.click()
    expect(visitor.locator("#source-popover .source-card-title")).to_have_text(
        "Performance YTD: ^RUT vs ^GSPC"
    )
    expect(turn.locator("figure.chart-card canvas")).to_be_visible()
    visitor_watched.clean(visitor)

    page.click("#revoke-share")
    expect(page.locator(".dialog-body [role=status]")).to_contain_text("revoked")
    visitor.reload()
    expect(visitor.locator("#shared-title")).to_have_text("This link does not open a conversation")
    watched.clean(page)


def test_an_api_key_is_shown_once_works_and_stops_working_when_revoked(
    offline_server: Served, new_page: Any
) -> None:
    page, watched = new_page(offline_server.url, permissions=["clipboard-read", "clipboard-write"])
    page.goto("/keys")
    assert page.url.endswith("/login?next=/keys")  # logged-out visitors are sent to log in
    register(page, f"kim-{uuid.uuid4().hex[:8]}@example.com")
    page.goto("/keys")
    expect(page.locator("#key-rows")).to_contain_text("No keys yet.")
    example = page.locator("#api-example")
    expect(example).to_contain_text(f"curl -N {offline_server.url}/api/chat")
    assert len(example.inner_text().strip().splitlines()) == 3

    page.fill("#key-name", "laptop")
    page.click("text=Create key")
    secret = page.locator("#new-key-secret")
    expect(page.locator("#new-key")).to_be_visible()
    key = secret.inner_text()
    assert key.startswith("vk_") and len(key) > 20
    page.click("#copy-key")
    assert page.evaluate("navigator.clipboard.readText()") == key
    row = page.locator("#key-rows tr", has_text="laptop")
    expect(row).to_contain_text(key[:11])
    assert key not in page.locator("#key-table").inner_text()  # listed by its prefix only

    me = httpx.get(f"{offline_server.url}/api/me", headers={"Authorization": f"Bearer {key}"})
    assert me.status_code == 200 and me.json()["kind"] == "api_key"

    page.reload()
    expect(page.locator("#new-key")).to_be_hidden()  # shown once
    assert key not in page.content()
    page.locator("#key-rows tr", has_text="laptop").get_by_role("button", name="Revoke laptop").click()
    page.locator("dialog .btn-danger").click()
    expect(page.locator("#key-rows tr", has_text="laptop")).to_have_class("revoked")
    refused = httpx.get(f"{offline_server.url}/api/me", headers={"Authorization": f"Bearer {key}"})
    assert refused.status_code == 401
    watched.clean(page)
