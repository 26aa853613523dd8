"""The research job store on SQLite and on PostgreSQL: the migration matches the models, an idempotency
key orders once (even when two orders race), the per-owner quota holds under concurrent orders, a
queued job is claimed by one worker only, a worker that lost its job writes nothing, and cancel,
publish, delete and expiry keep the state and the event numbers consistent."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import update

from copilot.errors import BadInputError, NotFoundError, RateLimitedError
from copilot.storage.db import Database
from copilot.storage.models import Base, ResearchEventRow, ResearchJobRow, ResearchReportRow
from copilot.storage.research import Ending, NewJob, ResearchJobStore
from copilot.storage.runs import StoredEvent

pytestmark = pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)


def _new(job_id: str, owner: str = "u_a", key: str | None = None, topic: str = "Small caps") -> NewJob:
    return NewJob(job_id, owner, topic, date(2026, 1, 9), "verity-offline", f"hash-{topic}", key)


def _event(kind: str = "job") -> Callable[..., StoredEvent]:
    return lambda seq, *_: StoredEvent(seq, kind, f'{{"seq": {seq}}}')


async def _events(store: ResearchJobStore, job_id: str) -> list[int]:
    events, _ = await store.events_after(job_id, 0)
    return [e.seq for e in events]


async def test_the_migrated_schema_is_the_models_schema(database: Database) -> None:
    def diff(connection: object) -> list[object]:
        context = MigrationContext.configure(connection)
        return compare_metadata(context, Base.metadata)

    async with database.engine.connect() as connection:
        changes = await connection.run_sync(diff)
    # procrastinate's own tables (PostgreSQL, applied by its runner) are not Verity's models
    assert [c for c in changes if "procrastinate" not in repr(c)] == []


async def test_an_idempotency_key_orders_once_and_only_the_same_request(database: Database) -> None:
    store = ResearchJobStore(database)
    first, created = await store.create(_new("j1", key="k"), 3, _event())
    again, created_again = await store.create(_new("j2", key="k"), 3, _event())
    assert created and not created_again and again.id == first.id == "j1"
    with pytest.raises(BadInputError, match="different request"):
        await store.create(_new("j3", key="k", topic="Apple"), 3, _event())
    other_owner, created_other = await store.create(_new("j4", owner="u_b", key="k"), 3, _event())
    assert created_other and other_owner.id == "j4"  # keys are per owner
    racing = await asyncio.gather(*(store.create(_new(f"r{i}", key="race"), 3, _event()) for i in range(5)))
    assert len({job.id for job, _ in racing}) == 1 and sum(made for _, made in racing) == 1
    assert await _events(store, "j1") == [1]


async def test_the_quota_holds_when_orders_race(database: Database) -> None:
    store = ResearchJobStore(database)
    results = await asyncio.gather(
        *(store.create(_new(f"q{i}", topic=f"t{i}"), 3, _event()) for i in range(8)),
        return_exceptions=True,
    )
    made = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, RateLimitedError)]
    assert len(made) == 3 and len(refused) == 5, results
    assert len(await store.list_jobs("u_a")) == 3
    # a finished job frees its place; another owner has a quota of their own
    job = made[0][0]
    assert await store.claim(job.id, "w1", _event()) is not None
    claimed = await store.get(job.id, "u_a")
    assert await store.finish(claimed, Ending("done", [StoredEvent(claimed.last_seq + 1, "done", "{}")]))
    await store.create(_new("q-next", topic="next"), 3, _event())
    await store.create(_new("b1", owner="u_b"), 3, _event())


async def test_a_queued_job_is_claimed_once_and_a_lost_worker_writes_nothing(database: Database) -> None:
    store = ResearchJobStore(database)
    await store.create(_new("j1"), 3, _event())
    claims = await asyncio.gather(*(store.claim("j1", f"w{i}", _event()) for i in range(6)))
    winners = [c for c in claims if c is not None]
    assert len(winners) == 1 and winners[0].attempts == 1 and winners[0].status == "running"
    held = winners[0]
    assert await store.append(held, [StoredEvent(3, "step", "{}")], {"percent": 40}) == "ok"
    assert (await store.get("j1", "u_a")).percent == 40
    # another worker takes it over after the lease (the heartbeat is old): the first one is lost
    async with database.session() as session:
        old = held.heartbeat_at - timedelta(minutes=5)  # type: ignore[operator]
        await session.execute(update(ResearchJobRow).values(heartbeat_at=old))
    stale = await store.stale(10.0)
    assert [j.id for j in stale] == ["j1"]
    assert await store.expire(stale[0], 10.0, "queued", _event())
    assert await store.append(held, [StoredEvent(5, "step", "{}")], {}) == "lost"
    assert not await store.finish(held, Ending("done", [StoredEvent(5, "done", "{}")]))
    assert await _events(store, "j1") == [1, 2, 3, 4]
    second = await store.claim("j1", "w9", _event())
    assert second is not None and second.attempts == 2 and second.last_seq == 5


async def test_cancel_publish_and_delete(database: Database) -> None:
    store = ResearchJobStore(database)
    await store.create(_new("queued"), 3, _event())
    cancelled = await store.request_cancel("queued", "u_a", _event("failed"))
    assert cancelled.status == "cancelled" and cancelled.finished_at is not None
    assert await store.claim("queued", "w1", _event()) is None  # a cancelled job never starts
    assert await _events(store, "queued") == [1, 2]

    await store.create(_new("running"), 3, _event())
    held = await store.claim("running", "w1", _event())
    assert held is not None
    flagged = await store.request_cancel("running", "u_a", _event("failed"))
    assert flagged.status == "running" and flagged.cancel_requested
    assert await store.append(held, [], {}) == "cancel"  # the flag reaches its worker
    with pytest.raises(NotFoundError):
        await store.request_cancel("running", "u_b", _event("failed"))
    with pytest.raises(BadInputError, match="finished"):
        await store.publish("running", "u_a", True)
    report = '{"id": "running"}'
    ended = Ending(
        "done", [StoredEvent(3, "done", "{}")], report=report, claims=(4, 4), title="Small caps now"
    )
    assert await store.finish(held, ended)

    with pytest.raises(NotFoundError):
        await store.publish("running", "u_b", True)
    with pytest.raises(NotFoundError):
        await store.get("running", "u_b")
    with pytest.raises(NotFoundError):
        await store.get("running", None)
    published = await store.publish("running", "u_a", True)
    assert published.published and (await store.get("running", None)).title == "Small caps now"
    assert await store.report("running") == ("complete", report)
    private = await store.publish("running", "u_a", False)
    assert not private.published
    with pytest.raises(NotFoundError):
        await store.get("running", "u_b")

    with pytest.raises(NotFoundError):
        await store.delete("running", "u_b")
    await store.delete("running", "u_a")
    with pytest.raises(NotFoundError):
        await store.get("running", "u_a")
    assert await store.report("running") is None
    events, status = await store.events_after("running", 0)
    assert events == [] and status == "cancelled"  # a reader of a deleted job stops
    async with database.session() as session:
        for model in (ResearchEventRow, ResearchReportRow):
            rows = (await session.execute(model.__table__.select().where(model.job_id == "running"))).all()  # type: ignore[attr-defined]
            assert rows == []


async def test_an_expired_job_fails_with_the_partial_report_it_kept(database: Database) -> None:
    store = ResearchJobStore(database)
    await store.create(_new("j1"), 3, _event())
    held = await store.claim("j1", "w1", _event())
    assert held is not None
    interrupted = Ending(
        "queued", [StoredEvent(3, "job", "{}")], report='{"partial": 1}', report_status="partial"
    )
    assert await store.finish(held, interrupted)
    again = await store.claim("j1", "w2", _event())
    assert again is not None and again.attempts == 2 and again.percent == 0
    async with database.session() as session:
        await session.execute(
            update(ResearchJobRow).values(heartbeat_at=again.started_at - timedelta(hours=1))
        )  # type: ignore[operator]
    seen: list[str | None] = []

    def failed(seq: int, report: str | None) -> StoredEvent:
        seen.append(report)
        return StoredEvent(seq, "failed", "{}")

    assert await store.expire(again, 10.0, "failed", failed, ("provider_unavailable", "gone"))
    job = await store.get("j1", "u_a")
    assert job.status == "failed" and job.error_code == "provider_unavailable" and job.worker is None
    assert seen == ['{"partial": 1}'] and await store.report("j1") == ("partial", '{"partial": 1}')
    assert await _events(store, "j1") == [1, 2, 3, 4, 5]
