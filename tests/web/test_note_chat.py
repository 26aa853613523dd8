"""The chat under a published note may cite the note itself: ``POST /api/chat`` with ``note_id`` gives the
model the note's sections as numbered sources; a figure quoted from a section with its number is
verified against the facts behind that section, and a wrong one is not. Only a note the caller may
read (published, or their own) can be opened beside the chat."""

from __future__ import annotations

import re

from langchain_core.messages import AIMessage, BaseMessage, SystemMessage

from tests.fakes import RETURNS_YTD
from tests.web.conftest import Web, register
from tests.web.sse import parse_frames

ORDER = {"topic": "How is Apple doing?", "as_of": "2026-01-09", "model": "verity-offline"}


def _quoting(figure: str) -> object:
    """A model that quotes ``figure`` from the note's market performance section, under its number."""

    def reply(messages: list[BaseMessage]) -> AIMessage:
        context = next(
            str(m.content)
            for m in messages
            if isinstance(m, SystemMessage) and "document open" in str(m.content)
        )
        n = re.search(r"^\[(\d+)\] [^\n]*: Market performance$", context, re.MULTILINE)
        assert n, context
        return AIMessage(content=f"The note reports that Apple returned {figure} this year [{n.group(1)}].")

    return reply


async def _note(web: Web, csrf: str, publish: bool = True) -> str:
    job = (await web.client.post("/api/research", json=ORDER, headers={"X-CSRF-Token": csrf})).json()
    frames = parse_frames((await web.client.get(f"/api/research/{job['id']}/events")).text)
    assert frames[-1].event == "done"
    if publish:
        published = await web.client.post(
            f"/api/research/{job['id']}/publish", headers={"X-CSRF-Token": csrf}
        )
        assert published.status_code == 200
    return str(job["id"])


async def test_a_chat_under_a_published_note_cites_the_note_and_verifies_its_figures(web: Web) -> None:
    note_id = await _note(web, await register(web.client, "ann@example.com"))
    figure = f"{RETURNS_YTD['AAPL']:+.2f}%"
    web.model.responder = _quoting(figure)  # type: ignore[assignment]
    async with web.user_client() as visitor:  # anyone may chat under a published note
        question = {"message": "What does the note say about Apple?", "note_id": note_id}
        frames = parse_frames((await visitor.post("/api/chat", json=question)).text)
        done = frames[-1]
        assert done.event == "done", done
        assert done.data["answer"] == f"The note reports that Apple returned {figure} this year [1]."
        assert done.data["verification"] == "1/1 verified"
        cited = done.data["sources"]
        assert len(cited) == 1 and cited[0]["n"] == 1
        source = cited[0]["source"]
        assert source["kind"] == "document" and source["provider"] == "Verity research note"
        assert source["url"] == f"/notes/{note_id}#section-market_performance"
        assert any(f["key"] == "price_return_ytd" and f["symbol"] == "AAPL" for f in source["facts"])

        web.model.responder = _quoting("-9.99%")  # type: ignore[assignment]
        csrf = {"X-CSRF-Token": visitor.cookies["verity_csrf"]}
        wrong = parse_frames((await visitor.post("/api/chat", json=question, headers=csrf)).text)
        verification = next(f for f in wrong if f.event == "verification")
        assert verification.data["verified"] == 0 and verification.data["unverified"][0]["text"] == "-9.99%"


async def test_only_a_readable_note_opens_beside_the_chat(web: Web) -> None:
    ann_csrf = await register(web.client, "ann@example.com")
    private = await _note(web, ann_csrf, publish=False)
    figure = f"{RETURNS_YTD['AAPL']:+.2f}%"
    web.model.responder = _quoting(figure)  # type: ignore[assignment]
    own = parse_frames(
        (
            await web.client.post(
                "/api/chat",
                json={"message": "My note?", "note_id": private},
                headers={"X-CSRF-Token": ann_csrf},
            )
        ).text
    )
    assert own[-1].event == "done" and own[-1].data["verification"] == "1/1 verified"
    async with web.user_client() as bob:
        bob_csrf = await register(bob, "bob@example.com")
        foreign = await bob.post(
            "/api/chat",
            json={"message": "Ann's note?", "note_id": private},
            headers={"X-CSRF-Token": bob_csrf},
        )
        assert foreign.status_code == 404 and foreign.json()["error"] == "not_found"
        unknown = await bob.post(
            "/api/chat", json={"message": "?", "note_id": "nope"}, headers={"X-CSRF-Token": bob_csrf}
        )
        assert unknown.status_code == 404


async def test_the_offline_analyst_answers_beside_a_note_from_its_tools(web: Web) -> None:
    note_id = await _note(web, await register(web.client, "ann@example.com"))
    async with web.user_client() as visitor:
        body = {"message": "How is Apple doing?", "note_id": note_id, "model": "verity-offline"}
        done = parse_frames((await visitor.post("/api/chat", json=body)).text)[-1]
    assert done.event == "done", done
    verified, total = done.data["verification"].split()[0].split("/")
    assert verified == total and int(total) > 0
    assert all(s["source"]["provider"] != "Verity research note" for s in done.data["sources"])
