"""``/api/research`` through the in-process client, with the in-process runner over the fake market:
a report's life as numbered events, exports, access rules (only users and keys order; private until
published; a published note readable by all), idempotency, the quota, cancelling and deleting."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest

from copilot.config import Settings
from copilot.research import ResearchReport
from copilot.storage.db import Database
from tests.web.conftest import Web, open_web, register
from tests.web.sse import Frame, parse_frames

TOPIC = "How is Apple doing?"
ORDER = {"topic": TOPIC, "as_of": "2026-01-09", "model": "verity-offline"}


async def order(client: httpx.AsyncClient, csrf: str, key: str | None = None, **body: Any) -> httpx.Response:
    headers = {"X-CSRF-Token": csrf, **({"Idempotency-Key": key} if key else {})}
    return await client.post("/api/research", json={**ORDER, **body}, headers=headers)


async def follow(
    client: httpx.AsyncClient, job_id: str, after: int = 0, headers: dict[str, str] | None = None
) -> list[Frame]:
    """The job's events after the cursor, until it ends (the in-process client buffers the stream)."""
    response = await client.get(f"/api/research/{job_id}/events", params={"after": after}, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/event-stream")
    return parse_frames(response.text)


async def until(client: httpx.AsyncClient, job_id: str, check: Any, timeout: float = 10.0) -> dict[str, Any]:
    async with asyncio.timeout(timeout):
        while True:
            job: dict[str, Any] = (await client.get(f"/api/research/{job_id}")).json()
            if check(job):
                return job
            await asyncio.sleep(0.02)


async def _section_stored(web: Web, job_id: str) -> None:
    """Until the job has stored a finished section (read from the store: the stream would wait)."""
    assert web.services.research is not None
    async with asyncio.timeout(10):
        while True:
            events, _ = await web.services.research.store.events_after(job_id, 0)
            if any(e.type == "section" for e in events):
                return
            await asyncio.sleep(0.01)


async def test_an_ordered_report_is_written_in_the_background_as_numbered_events(web: Web) -> None:
    csrf = await register(web.client, "ann@example.com")
    response = await order(web.client, csrf)
    assert response.status_code == 202, response.text
    job = response.json()
    assert response.headers["location"] == f"/api/research/{job['id']}" == job["links"]["self"]
    assert job["status"] in ("queued", "running") and job["mine"] and not job["published"]

    frames = await follow(web.client, job["id"])
    assert [f.id for f in frames] == list(range(1, len(frames) + 1))
    assert [(f.event, f.data["status"]) for f in frames[:2]] == [("job", "queued"), ("job", "running")]
    assert frames[2].event == "started" and frames[2].data["report_id"] == job["id"]
    percents = [f.data["percent"] for f in frames if f.event in ("step", "section")]
    assert percents == sorted(percents) and percents[-1] == 100
    sections = [f.data["section"]["key"] for f in frames if f.event == "section"]
    last = frames[-1]
    assert last.event == "done"
    report = ResearchReport.model_validate(last.data["report"])
    assert sorted(sections) == sorted(s.key for s in report.sections) and report.id == job["id"]
    assert report.owner is not None and report.owner.startswith("u_")  # Ann's user id
    assert report.verification.total > 0 and report.verification.verified == report.verification.total

    done = (await web.client.get(f"/api/research/{job['id']}")).json()
    assert done["status"] == "done" and done["percent"] == 100 and done["attempts"] == 1
    assert done["claims"] == {
        "total": report.verification.total,
        "verified": report.verification.verified,
        "summary": report.verification.summary,
    }
    assert done["title"] == report.title and done["report_as_of"] == "2026-01-09"
    # a reconnect after the end replays from its cursor, each event once
    assert [f.id for f in await follow(web.client, job["id"], after=len(frames) - 3)] == [
        len(frames) - 2,
        len(frames) - 1,
        len(frames),
    ]

    as_json = await web.client.get(done["links"]["json"])
    assert as_json.status_code == 200 and as_json.headers["x-report-status"] == "complete"
    assert ResearchReport.from_json(as_json.content) == report
    markdown = (await web.client.get(done["links"]["md"])).text
    assert report.title in markdown and report.verification.summary in markdown
    html = await web.client.get(done["links"]["html"])
    assert html.headers["content-type"].startswith("text/html") and "<script" not in html.text.lower()
    assert "default-src 'none'" in html.headers["content-security-policy"]
    pdf = await web.client.get(done["links"]["pdf"])
    assert pdf.content.startswith(b"%PDF") and "attachment" in pdf.headers["content-disposition"]
    assert (await web.client.get(f"/api/research/{job['id']}/report.docx")).status_code in (400, 404, 422)
    listed = (await web.client.get("/api/research")).json()
    assert [j["id"] for j in listed] == [job["id"]]
    assert (await web.client.get("/api/research", params={"status": "failed"})).json() == []


async def test_only_users_and_keys_order_and_reports_are_private_until_published(web: Web) -> None:
    anonymous = await web.client.post("/api/research", json=ORDER)
    assert anonymous.status_code == 401 and anonymous.json()["error"] == "not_authenticated"
    csrf = await register(web.client, "ann@example.com")
    assert (await web.client.post("/api/research", json=ORDER)).status_code == 403  # no CSRF token
    job = (await order(web.client, csrf)).json()
    await follow(web.client, job["id"])
    base = f"/api/research/{job['id']}"

    async with web.user_client() as bob, web.user_client() as visitor:
        bob_csrf = await register(bob, "bob@example.com")
        bob_writes = {"X-CSRF-Token": bob_csrf}
        for client in (bob, visitor):  # A's report is invisible to others, as if it did not exist
            for path in (base, f"{base}/events", f"{base}/report.md", f"{base}/report.pdf"):
                assert (await client.get(path)).status_code == 404, path
        assert (await bob.get("/api/research")).json() == []
        for method, path in (("POST", f"{base}/cancel"), ("POST", f"{base}/publish"), ("DELETE", base)):
            assert (await bob.request(method, path, headers=bob_writes)).status_code == 404
        assert (await visitor.get("/api/research")).status_code == 401

        published = await web.client.post(f"{base}/publish", headers={"X-CSRF-Token": csrf})
        assert published.status_code == 200 and published.json()["links"]["note"] == f"/notes/{job['id']}"
        for client in (bob, visitor):  # a published note is readable by all
            seen = (await client.get(base)).json()
            assert seen["status"] == "done" and seen["published"] and not seen["mine"]
            assert (await client.get(f"{base}/report.md")).status_code == 200
            assert (await follow(client, job["id"]))[-1].event == "done"
        for method, path in (("POST", f"{base}/cancel"), ("POST", f"{base}/publish"), ("DELETE", base)):
            assert (await bob.request(method, path, headers=bob_writes)).status_code == 404
        assert (await bob.get("/api/research")).json() == []  # published is not Bob's

        private = await web.client.post(
            f"{base}/publish", json={"published": False}, headers={"X-CSRF-Token": csrf}
        )
        assert private.status_code == 200 and not private.json()["published"]
        assert (await visitor.get(base)).status_code == 404


async def test_an_api_key_orders_without_csrf_and_an_unfinished_report_cannot_be_published(
    settings: Settings, database: Database
) -> None:
    async with open_web(settings, database) as web:
        web.market.delay = 0.2  # long enough to try publishing while it runs
        csrf = await register(web.client, "ann@example.com")
        key = (await web.client.post("/api/keys", json={"name": "x"}, headers={"X-CSRF-Token": csrf})).json()
        bearer = {"Authorization": f"Bearer {key['key']}"}
        async with web.user_client() as program:
            made = await program.post("/api/research", json=ORDER, headers=bearer)
            assert made.status_code == 202
            job_id = made.json()["id"]
            early = await program.post(f"/api/research/{job_id}/publish", headers=bearer)
            assert early.status_code == 400 and "finished" in early.json()["message"]
            assert (await follow(program, job_id, headers=bearer))[-1].event == "done"
            assert (await program.post(f"/api/research/{job_id}/publish", headers=bearer)).status_code == 200


async def test_an_idempotency_key_makes_a_retried_order_safe(web: Web) -> None:
    csrf = await register(web.client, "ann@example.com")
    first = await order(web.client, csrf, key="order-1")
    again = await order(web.client, csrf, key="order-1")
    assert first.status_code == 202 and again.status_code == 200
    assert again.headers["idempotent-replayed"] == "true" and again.json()["id"] == first.json()["id"]
    other = await order(web.client, csrf, key="order-1", topic="Is Microsoft expensive?")
    assert other.status_code == 400 and "Idempotency-Key" in other.json()["message"]
    racing = await asyncio.gather(*(order(web.client, csrf, key="order-2") for _ in range(4)))
    assert {r.json()["id"] for r in racing} == {racing[0].json()["id"]}
    assert sorted(r.status_code for r in racing) == [200, 200, 200, 202]
    assert len((await web.client.get("/api/research")).json()) == 2


async def test_the_quota_bounds_reports_in_progress(settings: Settings, database: Database) -> None:
    async with open_web(settings, database, research_quota=2) as web:
        web.market.delay = 0.2
        csrf = await register(web.client, "ann@example.com")
        made = [await order(web.client, csrf, topic=f"How is Apple doing? ({i})") for i in range(2)]
        assert [r.status_code for r in made] == [202, 202]
        refused = await order(web.client, csrf, topic="How is Microsoft doing?")
        assert refused.status_code == 429 and refused.json()["error"] == "rate_limited"
        async with web.user_client() as bob:  # the quota is per user
            assert (await order(bob, await register(bob, "bob@example.com"))).status_code == 202
        await web.client.post(f"/api/research/{made[0].json()['id']}/cancel", headers={"X-CSRF-Token": csrf})
        await until(web.client, made[0].json()["id"], lambda j: j["status"] == "cancelled")
        assert (await order(web.client, csrf, topic="How is Microsoft doing?")).status_code == 202


async def test_cancelling_keeps_what_was_finished_and_a_queued_report_never_starts(
    settings: Settings, database: Database
) -> None:
    async with open_web(settings, database, research_jobs_at_once=1) as web:
        web.market.delay = 0.15
        csrf = await register(web.client, "ann@example.com")
        writes = {"X-CSRF-Token": csrf}
        running = (await order(web.client, csrf)).json()
        waiting = (await order(web.client, csrf, topic="How is Microsoft doing?")).json()
        await _section_stored(web, running["id"])
        assert (await web.client.get(f"/api/research/{waiting['id']}")).json()["status"] == "queued"

        queued = await web.client.post(f"/api/research/{waiting['id']}/cancel", headers=writes)
        assert queued.status_code == 200 and queued.json()["status"] == "cancelled"
        frames = await follow(web.client, waiting["id"])
        assert [f.event for f in frames] == ["job", "failed"] and frames[-1].data["code"] == "cancelled"

        await web.client.post(f"/api/research/{running['id']}/cancel", headers=writes)
        frames = await follow(web.client, running["id"])
        last = frames[-1]
        assert last.event == "failed" and last.data["code"] == "cancelled"
        job = (await web.client.get(f"/api/research/{running['id']}")).json()
        assert job["status"] == "cancelled" and job["error"]["code"] == "cancelled"
        partial = await web.client.get(f"/api/research/{running['id']}/report.json")
        assert partial.status_code == 200 and partial.headers["x-report-status"] == "partial"
        kept = ResearchReport.from_json(partial.content)
        assert kept.status == "partial" and kept.model_dump(mode="json") == last.data["report"]
        written = {f.data["section"]["key"] for f in frames if f.event == "section"}
        assert written and {s.key for s in kept.sections} == written  # what was finished, and only that
        assert kept.plan is not None and len(kept.sections) < len(kept.plan.sections)
        assert all(s.verification.verified == s.verification.total for s in kept.sections)
        # a finished report stays as it is
        again = await web.client.post(f"/api/research/{running['id']}/cancel", headers=writes)
        assert again.json()["status"] == "cancelled"


async def test_deleting_a_report_stops_it_and_removes_everything(
    settings: Settings, database: Database
) -> None:
    async with open_web(settings, database) as web:
        web.market.delay = 0.2
        csrf = await register(web.client, "ann@example.com")
        writes = {"X-CSRF-Token": csrf}
        job = (await order(web.client, csrf)).json()
        await until(web.client, job["id"], lambda j: j["status"] == "running")
        assert (await web.client.delete(f"/api/research/{job['id']}", headers=writes)).status_code == 204
        assert (await web.client.get(f"/api/research/{job['id']}")).status_code == 404
        assert (await web.client.delete(f"/api/research/{job['id']}", headers=writes)).status_code == 404
        research = web.services.research
        assert research is not None
        async with asyncio.timeout(5):
            while research.executor.running():
                await asyncio.sleep(0.02)
        assert (await web.client.get("/api/research")).json() == []
        assert await research.store.report(job["id"]) is None


async def test_bad_orders_are_refused_before_anything_is_written(web: Web) -> None:
    csrf = await register(web.client, "ann@example.com")
    for body, message in (
        ({"topic": "   "}, "topic is empty"),
        ({"model": "gpt-5"}, "unknown research model"),
        ({"as_of": "2030-01-01"}, "in the future"),
        ({"topic": "x" * 600}, "the limit is 500"),
    ):
        response = await order(web.client, csrf, **body)
        assert response.status_code == 400 and message in response.json()["message"], response.text
    long_key = await order(web.client, csrf, key="k" * 201)
    assert long_key.status_code == 400
    assert (await web.client.get("/api/research")).json() == []
    unknown = await web.client.get("/api/research/nope/events")
    assert unknown.status_code == 404 and json.loads(unknown.text)["error"] == "not_found"


@pytest.mark.parametrize("header", ["abc", "-3"])
async def test_a_malformed_last_event_id_is_refused(web: Web, header: str) -> None:
    csrf = await register(web.client, "ann@example.com")
    job = (await order(web.client, csrf)).json()
    response = await web.client.get(f"/api/research/{job['id']}/events", headers={"Last-Event-ID": header})
    assert response.status_code == 400
