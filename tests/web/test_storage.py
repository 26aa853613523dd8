"""The stores over a real database, on SQLite and on PostgreSQL: owner scoping, search, cascades,
shares, feedback, accounts (passwords, sessions, keys) and run events."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from copilot.auth import Accounts, token_hash
from copilot.config import Settings
from copilot.conversations import Conversation, Turn, TurnVerification
from copilot.errors import BadInputError, NotAuthenticatedError, NotFoundError
from copilot.events import CitedSource, FigureResult
from copilot.schemas import Fact, Source, utc_now
from copilot.storage.conversations import SqlConversationStore
from copilot.storage.db import Database
from copilot.storage.models import FeedbackRow, RunEventRow, SessionRow, ShareRow, TurnRow
from copilot.storage.runs import RunStore, StoredEvent
from tests.web.conftest import FAST_HASHER, PASSWORD

pytestmark = pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)

SOURCE = Source(
    kind="market_data",
    title="AAPL quote",
    provider="fake",
    as_of=date(2026, 1, 9),
    tool="quote",
    arguments={"symbol": "AAPL"},
    facts=[Fact(key="last_price", label="Last price", value=259.37, unit="USD", symbol="AAPL")],
)


def _turn(
    question: str, answer: str = "Apple last traded at $259.37 [1].", run_id: str | None = None
) -> Turn:
    return Turn(
        question=question,
        answer=answer,
        sources=[CitedSource(n=1, source=SOURCE)],
        verification=TurnVerification(
            summary="1/2 verified",
            total=2,
            verified=1,
            unverified=[FigureResult(text="9.9%", sentence="It rose 9.9%.", reason="no cited fact has 9.9")],
        ),
        mode="scripted",
        model="verity",
        as_of=date(2026, 1, 9),
        run_id=run_id,
        timings={"total": 0.5},
    )


async def _count(database: Database, model: type, **where: object) -> int:
    async with database.session() as session:
        statement = select(func.count()).select_from(model)
        for column, value in where.items():
            statement = statement.where(getattr(model, column) == value)
        return int(await session.scalar(statement) or 0)


async def test_a_turn_round_trips_with_sources_verification_and_timings(database: Database) -> None:
    store = SqlConversationStore(database)
    conversation = await store.create("u_a")
    stored = await store.append(conversation.id, "u_a", _turn("How is Apple?"))
    assert stored.id is not None
    loaded = await store.get(conversation.id, "u_a")
    assert loaded.title == "How is Apple?"  # the first question names a conversation without a title
    (turn,) = loaded.turns
    assert turn.id == stored.id and turn.answer == "Apple last traded at $259.37 [1]."
    assert turn.sources[0].source.id == SOURCE.id and turn.sources[0].source.facts[0].value == 259.37
    assert turn.verification.unverified[0].reason == "no cited fact has 9.9"
    assert (turn.verification.total, turn.verification.verified) == (2, 1)
    assert turn.as_of == date(2026, 1, 9) and turn.timings == {"total": 0.5}
    assert turn.created_at.tzinfo is not None  # aware UTC on both backends


async def test_a_foreign_or_unknown_conversation_is_not_found_for_every_operation(database: Database) -> None:
    store = SqlConversationStore(database)
    mine = await store.create("u_a")
    for cid in (mine.id, "no-such-id"):
        with pytest.raises(NotFoundError):
            await store.get(cid, "u_b")
        with pytest.raises(NotFoundError):
            await store.append(cid, "u_b", _turn("hijack"))
        with pytest.raises(NotFoundError):
            await store.rename(cid, "u_b", "mine now")
        with pytest.raises(NotFoundError):
            await store.delete(cid, "u_b")
        with pytest.raises(NotFoundError):
            await store.share(cid, "u_b")
    assert await store.list("u_b") == []
    assert (await store.get(mine.id, "u_a")).turns == []  # nothing was written into it


async def test_list_is_newest_first_paginated_and_searches_titles_questions_and_answers(
    database: Database,
) -> None:
    store = SqlConversationStore(database)
    ids = []
    for question in ("Apple price?", "small caps vs large caps", "Fed statement in December"):
        conversation = await store.create("u_a")
        await store.append(conversation.id, "u_a", _turn(question, answer=f"About {question} [1]."))
        ids.append(conversation.id)
    other = await store.create("u_b")
    await store.append(other.id, "u_b", _turn("Apple price?"))

    listed = await store.list("u_a")
    assert [c.id for c in listed] == ids[::-1] and all(c.turn_count == 1 for c in listed)
    assert [c.id for c in await store.list("u_a", limit=1, offset=1)] == [ids[1]]
    assert [c.id for c in await store.list("u_a", query="CAPS")] == [ids[1]]
    assert [c.id for c in await store.list("u_a", query="about fed")] == [ids[2]]  # words of the answer
    assert await store.list("u_a", query="50%_") == []  # LIKE wildcards are escaped
    assert [c.id for c in await store.list("u_b", query="apple")] == [other.id]


async def test_rename_checks_the_title_and_delete_cascades(database: Database) -> None:
    store = SqlConversationStore(database)
    conversation = await store.create("u_a")
    turn = await store.append(conversation.id, "u_a", _turn("Apple?"))
    await store.feedback(conversation.id, turn.id or 0, "u_a", -1, "wrong figure")
    token, _ = await store.share(conversation.id, "u_a")
    with pytest.raises(BadInputError):
        await store.rename(conversation.id, "u_a", "   ")
    assert (await store.rename(conversation.id, "u_a", "  My   Apple notes ")).title == "My Apple notes"
    await store.delete(conversation.id, "u_a")
    with pytest.raises(NotFoundError):
        await store.get(conversation.id, "u_a")
    with pytest.raises(NotFoundError):
        await store.shared(token)
    assert await _count(database, TurnRow) == 0
    assert await _count(database, FeedbackRow) == 0
    assert await _count(database, ShareRow) == 0


async def test_a_run_stores_its_answer_once(database: Database) -> None:
    store = SqlConversationStore(database)
    conversation = await store.create("u_a")
    runs = RunStore(database)
    await runs.create(runs.new_run("run-1", "u_a", conversation.id, "verity"), conversation)
    await store.append(conversation.id, "u_a", _turn("Apple?", run_id="run-1"))
    with pytest.raises(IntegrityError):
        await store.append(conversation.id, "u_a", _turn("Apple?", run_id="run-1"))
    assert len((await store.get(conversation.id, "u_a")).turns) == 1


async def test_shares_are_read_only_links_that_only_the_owner_revokes(database: Database) -> None:
    store = SqlConversationStore(database)
    conversation = await store.create("u_a")
    await store.append(conversation.id, "u_a", _turn("Apple?"))
    token, _ = await store.share(conversation.id, "u_a")
    shared = await store.shared(token)
    assert shared.id == conversation.id and shared.turns[0].question == "Apple?"
    with pytest.raises(NotFoundError):
        await store.revoke_share(token, "u_b")
    await store.revoke_share(token, "u_a")
    with pytest.raises(NotFoundError):
        await store.shared(token)
    with pytest.raises(NotFoundError):
        await store.revoke_share(token, "u_a")


async def test_feedback_keeps_the_last_word_of_each_owner_and_checks_the_turn(database: Database) -> None:
    store = SqlConversationStore(database)
    conversation = await store.create("u_a")
    turn = await store.append(conversation.id, "u_a", _turn("Apple?"))
    await store.feedback(conversation.id, turn.id or 0, "u_a", 1)
    await store.feedback(conversation.id, turn.id or 0, "u_a", -1, "the 52-week high is off")
    async with database.session() as session:
        rows = (await session.scalars(select(FeedbackRow))).all()
    assert [(r.rating, r.comment) for r in rows] == [(-1, "the 52-week high is off")]
    with pytest.raises(BadInputError):
        await store.feedback(conversation.id, turn.id or 0, "u_a", 5)
    with pytest.raises(NotFoundError):
        await store.feedback(conversation.id, (turn.id or 0) + 99, "u_a", 1)
    with pytest.raises(NotFoundError):
        await store.feedback(conversation.id, turn.id or 0, "u_b", 1)


async def test_passwords_are_hashed_with_argon2_and_checked(database: Database, settings: Settings) -> None:
    accounts = Accounts(database, settings, hasher=FAST_HASHER)
    caller = await accounts.add_user("Ann@Example.com", PASSWORD)
    assert caller.email == "ann@example.com" and caller.owner == caller.user_id
    user = await accounts.user_by_email("ann@example.com")
    assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash
    assert (await accounts.verify_password("ANN@example.com", PASSWORD)).id == caller.user_id
    for email, password in (("ann@example.com", "wrong password"), ("nobody@example.com", PASSWORD)):
        with pytest.raises(NotAuthenticatedError, match="wrong email or password"):
            await accounts.verify_password(email, password)
    with pytest.raises(BadInputError, match="already exists"):
        await accounts.add_user("ann@example.com", PASSWORD)
    with pytest.raises(BadInputError, match="8 to 1024"):
        await accounts.add_user("bob@example.com", "short")
    with pytest.raises(BadInputError, match="not an email"):
        await accounts.add_user("not-an-email", PASSWORD)


async def test_sessions_store_only_a_hash_and_expire(database: Database, settings: Settings) -> None:
    accounts = Accounts(database, settings, hasher=FAST_HASHER)
    await accounts.add_user("ann@example.com", PASSWORD)
    user = await accounts.verify_password("ann@example.com", PASSWORD)
    opened = await accounts.open_session(user)
    async with database.session() as session:
        row = await session.scalar(select(SessionRow))
    assert (
        row is not None and row.token_hash == token_hash(opened.token) and opened.token not in row.token_hash
    )
    caller = await accounts.session_caller(opened.token)
    assert caller is not None and caller.email == "ann@example.com" and caller.csrf_token
    async with database.session() as session:
        await session.execute(update(SessionRow).values(expires_at=utc_now() - timedelta(seconds=1)))
    assert await accounts.session_caller(opened.token) is None
    anonymous = await accounts.open_session(None)
    assert anonymous.caller.kind == "anonymous" and anonymous.caller.owner.startswith("anon:")
    await accounts.close_session(anonymous.caller.session_id or "")
    assert await accounts.session_caller(anonymous.token) is None


async def test_api_keys_are_shown_once_stored_hashed_listed_and_revocable(
    database: Database, settings: Settings
) -> None:
    accounts = Accounts(database, settings, hasher=FAST_HASHER)
    ann = await accounts.add_user("ann@example.com", PASSWORD)
    bob = await accounts.add_user("bob@example.com", PASSWORD)
    secret, info = await accounts.create_key(ann.user_id or "", "laptop")
    assert secret.startswith("vk_") and secret.startswith(info.prefix) and len(secret) > 40
    (listed,) = await accounts.keys(ann.user_id or "")
    assert (listed.id, listed.name, listed.last_used_at, listed.revoked) == (info.id, "laptop", None, False)
    caller = await accounts.key_caller(secret)
    assert caller is not None and caller.kind == "api_key" and caller.owner == ann.user_id
    assert (await accounts.keys(ann.user_id or ""))[0].last_used_at is not None
    assert await accounts.key_caller(secret + "x") is None
    assert await accounts.keys(bob.user_id or "") == []
    with pytest.raises(NotFoundError):
        await accounts.revoke_key(bob.user_id or "", info.id)
    await accounts.revoke_key(ann.user_id or "", info.id)
    assert await accounts.key_caller(secret) is None
    assert (await accounts.keys(ann.user_id or ""))[0].revoked


async def test_run_events_are_numbered_replayed_after_a_cursor_and_end_with_the_terminal_state(
    database: Database,
) -> None:
    conversation = Conversation(id="c-1", owner="u_a", title="Apple?")
    runs = RunStore(database)
    await runs.create(runs.new_run("run-1", "u_a", "c-1", "verity"), conversation, new_conversation=True)
    assert (await SqlConversationStore(database).get("c-1", "u_a")).title == "Apple?"
    with pytest.raises(NotFoundError):
        await runs.get("run-1", "u_b")
    assert not await runs.append("run-1", [StoredEvent(1, "status", "{}"), StoredEvent(2, "token", "{}")])
    events, status = await runs.events_after("run-1", 1)
    assert [e.seq for e in events] == [2] and status == "running"
    info = await runs.request_cancel("run-1", "u_a")
    assert info.cancel_requested
    assert await runs.append("run-1", [])  # the flag reaches the worker running it
    last = await runs.finish(
        "run-1",
        [StoredEvent(3, "token", "{}")],
        "done",
        lambda turn_id: StoredEvent(4, "done", f"{turn_id}"),
        turn=("c-1", "u_a", _turn("Apple?", run_id="run-1")),
    )
    turn_id = (await SqlConversationStore(database).get("c-1", "u_a")).turns[0].id
    assert last.data == str(turn_id)  # the done event names the turn stored in the same transaction
    events, status = await runs.events_after("run-1", 0)
    assert [e.seq for e in events] == [1, 2, 3, 4] and status == "done"
    final = await runs.get("run-1", "u_a")
    assert final.finished and final.last_seq == 4 and final.finished_at is not None
    assert await _count(database, RunEventRow, run_id="run-1") == 4
