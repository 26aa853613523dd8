"""No report stays "running" after a restart: a server that stops sends the reports it was writing back
to the queue with their partial reports, and the next one resumes them; a worker that died (its
heartbeat stopped) has its report taken over once the lease runs out; a report interrupted more often
than allowed is failed, keeping its partial report. The event stream stays numbered without gaps."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import update

from copilot.config import Settings
from copilot.research import ResearchFailedEvent, ResearchReport, parse_research_event
from copilot.research.job_run import JobExecutor
from copilot.research.jobs import ResearchJobs
from copilot.storage.db import Database
from copilot.storage.models import ResearchJobRow
from copilot.storage.research import ResearchJobStore
from copilot.storage.runs import StoredEvent
from tests.web.conftest import Web, open_web

TOPIC = "How is Apple doing?"


async def _section_stored(research: ResearchJobs, job_id: str) -> None:
    async with asyncio.timeout(10):
        while not any(e.type == "section" for e in (await research.store.events_after(job_id, 0))[0]):
            await asyncio.sleep(0.01)


async def _finished(research: ResearchJobs, job_id: str, owner: str, timeout: float = 15.0) -> str:
    async with asyncio.timeout(timeout):
        return (await research.wait(job_id, owner)).status


def _research(web: Web) -> ResearchJobs:
    assert web.services.research is not None
    return web.services.research


async def _all_events(research: ResearchJobs, job_id: str) -> list[StoredEvent]:
    return (await research.store.events_after(job_id, 0))[0]


@pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)
async def test_a_server_restart_resumes_the_report_it_was_writing(
    settings: Settings, database: Database
) -> None:
    async with open_web(settings, database) as first:
        first.market.delay = 0.1
        research = _research(first)
        job, _ = await research.order("u_ann", TOPIC, model="verity-offline")
        await _section_stored(research, job.id)
        await research.aclose()  # what the app's shutdown does
        stopped = await research.store.get(job.id, "u_ann")
        assert stopped.status == "queued" and stopped.worker is None and stopped.attempts == 1
        kept = await research.store.report(job.id)
        assert kept is not None and kept[0] == "partial"
        partial = ResearchReport.from_json(kept[1])
        assert partial.status == "partial" and partial.sections  # what it had written is kept

    second_db = Database(database.settings, url=database.url)
    try:
        async with open_web(settings, second_db) as second:  # the next server starts
            research = _research(second)
            assert await _finished(research, job.id, "u_ann") == "done"
            done = await research.store.get(job.id, "u_ann")
            assert done.attempts == 2 and done.percent == 100
            events = await _all_events(research, job.id)
            assert [e.seq for e in events] == list(range(1, len(events) + 1))
            jobs = [e.data for e in events if e.type == "job"]
            assert len(jobs) == 4  # queued, running (run 1), queued again (resumed), running (run 2)
            assert '"attempt":2' in jobs[3] and "again" in jobs[2]
            assert [e.type for e in events].count("done") == 1 and events[-1].type == "done"
            report, status = await research.report(job.id, "u_ann")
            assert status == "complete" and report.verification.total == report.verification.verified > 0
    finally:
        await second_db.close()


async def _dead_worker_claims(database: Database, job_id: str, age: float = 0.0) -> int:
    """A worker claims the report and dies at once: no heartbeat, no event, ever again."""
    store = ResearchJobStore(database)
    dead = await store.claim(job_id, "dead-worker", JobExecutor._running_event)
    assert dead is not None and dead.heartbeat_at is not None
    if age:
        async with database.session() as session:
            old = dead.heartbeat_at - timedelta(seconds=age)
            await session.execute(
                update(ResearchJobRow).where(ResearchJobRow.id == job_id).values(heartbeat_at=old)
            )
    return dead.attempts


async def test_a_dead_workers_report_is_taken_over_after_the_lease(
    settings: Settings, database: Database
) -> None:
    async with open_web(settings, database) as web:
        research = _research(web)
        await research.aclose()  # this server runs nothing: the report waits in the queue
        job, _ = await research.order("u_ann", TOPIC, model="verity-offline")
    assert await _dead_worker_claims(database, job.id) == 1
    async with open_web(settings, database, job_lease=0.6) as web:
        research = _research(web)
        # at start its heartbeat is fresh: the sweeper (every half lease) finds it silent, then takes it
        assert (await research.store.get(job.id, "u_ann")).status == "running"
        assert await _finished(research, job.id, "u_ann") == "done"
        done = await research.store.get(job.id, "u_ann")
        assert done.attempts == 2 and done.worker == research.executor.worker
        events = await _all_events(research, job.id)
        assert [e.seq for e in events] == list(range(1, len(events) + 1))
        assert [e.type for e in events[:4]] == [
            "job",
            "job",
            "job",
            "job",
        ]  # queued, dead run, resumed, run 2


async def test_a_report_interrupted_too_often_fails_with_its_partial_report(
    settings: Settings, database: Database
) -> None:
    async with open_web(settings, database, research_max_attempts=1) as web:
        web.market.delay = 0.1
        research = _research(web)
        job, _ = await research.order("u_ann", TOPIC, model="verity-offline")
        await _section_stored(research, job.id)
        await research.aclose()
        failed = await research.store.get(job.id, "u_ann")
        assert failed.status == "failed" and failed.error_code == "provider_unavailable"
        assert "interrupted 1 times" in (failed.error_message or "")
        events = await _all_events(research, job.id)
        assert events[-1].type == "failed" and '"code":"provider_unavailable"' in events[-1].data
        report, status = await research.report(job.id, "u_ann")
        assert status == "partial" and report.sections


async def test_a_dead_worker_on_its_last_run_fails_the_report_with_what_was_kept(
    settings: Settings, database: Database
) -> None:
    async with open_web(settings, database, research_max_attempts=2) as web:
        web.market.delay = 0.1
        research = _research(web)
        job, _ = await research.order("u_ann", TOPIC, model="verity-offline")
        await _section_stored(research, job.id)
        await research.aclose()  # run 1 interrupted: queued again with its partial report
    assert await _dead_worker_claims(database, job.id, age=60) == 2  # run 2 dies
    async with open_web(settings, database, research_max_attempts=2) as web:
        research = _research(web)  # its start's recovery finds run 2 silent, and no run left
        failed = await research.store.get(job.id, "u_ann")
        assert failed.status == "failed" and failed.worker is None
        assert (
            failed.error_message
            == "the report was interrupted 2 times (its worker stopped); the partial report is kept"
        )
        last = parse_research_event((await _all_events(research, job.id))[-1].data)
        assert isinstance(last, ResearchFailedEvent) and last.report is not None
        assert last.report.sections and last.report.status == "partial"
        assert (await research.report(job.id, "u_ann"))[0] == last.report
