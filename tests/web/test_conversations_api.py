"""``/api/conversations`` per resource: the owner reads, lists, searches, renames, deletes, shares and
rates; another user gets 404 for each of those, and a revoked share stops working."""

from __future__ import annotations

import httpx

from tests.fakes import tool_calls
from tests.web.conftest import Web, register
from tests.web.sse import parse_frames

ANSWER = "Apple last traded at $259.37 [1]."


async def _ask(web: Web, client: httpx.AsyncClient, csrf: str, question: str) -> dict[str, object]:
    web.model.enqueue(tool_calls(("get_quote", {"symbol": "AAPL"})), ANSWER)
    response = await client.post("/api/chat", json={"message": question}, headers={"X-CSRF-Token": csrf})
    assert response.status_code == 200, response.text
    return parse_frames(response.text)[-1].data


async def test_the_owner_lists_searches_renames_and_deletes(web: Web) -> None:
    csrf = await register(web.client, "ann@example.com")
    headers = {"X-CSRF-Token": csrf}
    first = await _ask(web, web.client, csrf, "How is Apple doing?")
    second = await _ask(web, web.client, csrf, "Microsoft valuation?")
    listed = (await web.client.get("/api/conversations")).json()
    assert [c["id"] for c in listed] == [second["conversation_id"], first["conversation_id"]]
    assert listed[1]["title"] == "How is Apple doing?"
    found = (await web.client.get("/api/conversations", params={"q": "microsoft"})).json()
    assert [c["id"] for c in found] == [second["conversation_id"]]
    page = (await web.client.get("/api/conversations", params={"limit": 1, "offset": 1})).json()
    assert [c["id"] for c in page] == [first["conversation_id"]]
    bad = await web.client.get("/api/conversations", params={"limit": 0})
    assert bad.status_code == 400 and bad.json()["error"] == "bad_input"

    cid = first["conversation_id"]
    renamed = await web.client.patch(f"/api/conversations/{cid}", json={"title": "Apple"}, headers=headers)
    assert renamed.status_code == 200 and renamed.json()["title"] == "Apple"
    empty = await web.client.patch(f"/api/conversations/{cid}", json={"title": " "}, headers=headers)
    assert empty.status_code == 400
    assert (await web.client.delete(f"/api/conversations/{cid}", headers=headers)).status_code == 204
    assert (await web.client.get(f"/api/conversations/{cid}")).status_code == 404


async def test_another_user_cannot_touch_a_conversation_its_share_or_its_feedback(web: Web) -> None:
    ann_csrf = await register(web.client, "ann@example.com")
    ann = {"X-CSRF-Token": ann_csrf}
    done = await _ask(web, web.client, ann_csrf, "How is Apple doing?")
    cid, turn = done["conversation_id"], done["turn_id"]
    share = await web.client.post(f"/api/conversations/{cid}/share", headers=ann)
    assert share.status_code == 201
    token = share.json()["token"]

    async with web.user_client() as bob:
        bob_csrf = await register(bob, "bob@example.com")
        b = {"X-CSRF-Token": bob_csrf}
        assert (await bob.get("/api/conversations")).json() == []
        assert (await bob.get(f"/api/conversations/{cid}")).status_code == 404
        assert (
            await bob.patch(f"/api/conversations/{cid}", json={"title": "x"}, headers=b)
        ).status_code == 404
        assert (await bob.post(f"/api/conversations/{cid}/share", headers=b)).status_code == 404
        assert (await bob.delete(f"/api/shares/{token}", headers=b)).status_code == 404
        feedback = {"rating": -1, "comment": "spam"}
        url = f"/api/conversations/{cid}/turns/{turn}/feedback"
        assert (await bob.post(url, json=feedback, headers=b)).status_code == 404
        assert (await bob.delete(f"/api/conversations/{cid}", headers=b)).status_code == 404
        # the share link itself is readable by anyone who has it, read-only
        shared = await bob.get(f"/api/shared/{token}")
        assert shared.status_code == 200 and shared.json()["turns"][0]["answer"] == ANSWER
        assert "owner" not in shared.json()

    rated = await web.client.post(
        f"/api/conversations/{cid}/turns/{turn}/feedback", json={"rating": 1, "comment": "good"}, headers=ann
    )
    assert rated.status_code == 204
    bad = await web.client.post(
        f"/api/conversations/{cid}/turns/{turn}/feedback", json={"rating": 3}, headers=ann
    )
    assert bad.status_code == 400
    assert (await web.client.delete(f"/api/shares/{token}", headers=ann)).status_code == 204
    assert (await web.client.get(f"/api/shared/{token}")).status_code == 404
    assert len((await web.client.get(f"/api/conversations/{cid}")).json()["turns"]) == 1
