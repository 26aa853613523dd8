"""Untrusted text stays inert, and a failure says so and loses nothing.

A stored document and a model's answer carry ``<script>``, ``<img src=x onerror=...>`` and
``javascript:`` links (so does a conversation title): nothing runs (each payload would set
``window.__pwned`` or open a dialog), nothing of it reaches the DOM as markup, and it still reads as
text. The Content-Security-Policy stops an inline handler on its own too. A model that is down gives
a clear message, keeps the conversation and puts the question back; a tool that fails shows as a
failed step.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ScriptedServer
from tests.e2e.helpers import ask, wait_for_answer

pytestmark = pytest.mark.e2e

UNTRUSTED_AREAS = ("#thread", "#source-popover", "#conversation-list", "#conversation-bar")
PAYLOAD_SELECTORS = (
    "script:not([src])",
    "[onerror]",
    "[onclick]",
    "[onload]",
    "a[href^='javascript']",
    "img[src='x']",
    "[style]",
)


def assert_inert(page: Any) -> None:
    assert page.evaluate("window.__pwned") is None
    for selector in PAYLOAD_SELECTORS:
        # where untrusted text is shown: the answers, the source card, the conversation list
        found = page.locator(", ".join(f"{where} {selector}" for where in UNTRUSTED_AREAS))
        assert found.count() == 0, selector


def test_hostile_answer_document_and_title_stay_inert_text(
    scripted_server: ScriptedServer, new_page: Any
) -> None:
    page, watched = new_page(scripted_server.url)
    page.goto("/")
    question = "hostile document <img src=x onerror=\"window.__pwned='question'\">"
    ask(page, question)
    turn = wait_for_answer(page)
    body = turn.locator(".answer-body")
    # the markup is shown as text, never run
    expect(body).to_contain_text("<script>window.__pwned='answer script'</script>")
    expect(body).to_contain_text("<img src=x onerror=")
    link = body.locator("a", has_text="the filing")  # a Markdown link to javascript: keeps no href
    expect(link).to_have_count(1)
    assert link.get_attribute("href") is None
    expect(body).to_contain_text('<a href="javascript:')  # raw HTML in an answer is text
    expect(turn.locator(".question-text")).to_have_text(question)
    expect(turn.locator(".badge")).to_contain_text("1/1 figure verified")

    # the document's card: title, publisher and the whole passage, as text
    body.locator(".cite").first.click()
    card = page.locator("#source-popover")
    expect(card.locator(".source-card-title")).to_contain_text("Quarterly outlook <img src=x onerror=")
    expect(card.locator(".source-meta")).to_contain_text("Hostile Research <b>Inc</b>")
    passage = card.locator(".passage")
    expect(passage).to_contain_text("<script>window.__pwned='document script'</script>")
    expect(passage).to_contain_text("[the filing](javascript:")
    expect(passage.locator("mark")).to_have_text("12 percent")  # the cited figure, highlighted

    # the conversation's title in the list and the bar
    expect(page.locator(".conversation-item.is-active .conversation-open")).to_have_text(question)
    expect(page.locator("#conversation-title")).to_have_text(question)
    page.keyboard.press("Escape")
    link.click()  # clicking what is left of the link does nothing
    page.wait_for_timeout(300)
    assert_inert(page)
    watched.clean(page)


def test_the_content_security_policy_blocks_inline_script_on_its_own(
    scripted_server: ScriptedServer, new_page: Any
) -> None:
    page, watched = new_page(scripted_server.url)
    response = page.goto("/")
    assert response is not None
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "unsafe-eval" not in policy
    # markup slipped into the page without the sanitiser: the browser still runs none of it
    page.evaluate(
        """() => {
          const box = document.createElement('div');
          box.innerHTML = `<img src="/static/img/logo.svg" onload="window.__pwned='inline handler'">`;
          document.body.append(box);
          const script = document.createElement('script');
          script.textContent = "window.__pwned = 'inline script'";
          document.body.append(script);
        }"""
    )
    page.wait_for_timeout(300)
    assert page.evaluate("window.__pwned") is None
    violations = page.evaluate("window.__csp")
    assert any("script-src" in v for v in violations), violations
    assert watched.page_errors == []


def test_a_model_that_is_down_says_so_and_keeps_the_conversation(
    scripted_server: ScriptedServer, new_page: Any
) -> None:
    page, watched = new_page(scripted_server.url)
    page.goto("/")
    ask(page, "hostile document")  # a first, answered turn
    wait_for_answer(page)
    ask(page, "is the model down today?")
    error = page.locator(".turn").last.locator(".answer-error")
    expect(error).to_contain_text("the model endpoint did not answer (scripted outage)")
    expect(error).to_contain_text("The language model is not answering. Your conversation is kept")
    expect(page.locator("#question")).to_have_value("is the model down today?")  # nothing lost
    expect(page.locator(".turn").first.locator(".badge")).to_be_visible()  # the earlier answer stays
    conversation = page.request.get(f"/api/conversations/{page.url.rsplit('/', 1)[1]}").json()
    assert [t["question"] for t in conversation["turns"]] == ["hostile document"]

    ask(page, "an unknown ticker please")
    turn = wait_for_answer(page)
    step = turn.locator(".step.is-failed")
    expect(step).to_contain_text("Fetched the ZZZZQ quote")
    expect(step.locator(".step-error")).to_contain_text("ZZZZQ")
    watched.clean(page)


def test_an_unverified_figure_is_marked_in_the_text_with_its_reason(
    scripted_server: ScriptedServer, new_page: Any
) -> None:
    page, watched = new_page(scripted_server.url)
    page.goto("/")
    ask(page, "an unverified figure please")
    turn = wait_for_answer(page)
    badge = turn.locator(".badge")
    expect(badge).to_contain_text("0/1 figure verified")
    expect(badge).to_have_class("badge is-partial")
    figure = turn.locator(".answer-body .unverified-figure")
    expect(figure).to_have_text("15 percent")  # the figure itself, marked where it stands
    mark = turn.locator(".answer-body .unverified-mark")
    reason = turn.locator(".answer-body .unverified-reason")
    expect(reason).to_be_hidden()
    mark.click()
    expect(reason).to_be_visible()
    expect(reason).to_contain_text("Not verified:")
    assert "(⚠ unverified)" not in turn.locator(".answer-body").inner_text()  # the mark became the button
    badge.click()
    expect(turn.locator(".badge-panel .figure-bad")).to_have_count(1)
    expect(turn.locator(".badge-panel")).to_contain_text("15 percent")
    watched.clean(page)
