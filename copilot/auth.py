"""Accounts: passwords (argon2 via pwdlib), server-side sessions and API keys, in the database.

Secrets are never stored: a session token and an API key are random strings whose SHA-256 is kept
(they carry 256 bits, so a fast hash is enough; passwords, which people choose, get argon2). An
API key is shown once, at creation, and listed afterwards by its visible prefix. Anonymous
visitors get a session too (no user): their owner id is ``anon:<session id>``.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from pwdlib import PasswordHash
from sqlalchemy import select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from copilot.config import Settings
from copilot.errors import BadInputError, NotAuthenticatedError, NotFoundError
from copilot.schemas import utc_now
from copilot.storage.db import Database
from copilot.storage.models import ApiKey, SessionRow, User

KEY_PREFIX = "vk_"
MIN_PASSWORD_CHARS = 8
MAX_PASSWORD_CHARS = 1024
LAST_USED_RESOLUTION = timedelta(minutes=1)  # a key used all the time is not written on every call
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _id(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex}"


@dataclass(frozen=True)
class Caller:
    """Who is asking: the owner id every store is scoped to, and how they proved it."""

    owner: str
    kind: Literal["user", "anonymous", "api_key"]
    user_id: str | None = None
    email: str | None = None
    session_id: str | None = None
    csrf_token: str | None = None  # cookie sessions only: writes must echo it in X-CSRF-Token


@dataclass(frozen=True)
class NewSession:
    token: str  # goes into the cookie; only its hash is stored
    caller: Caller
    expires_at: datetime


@dataclass(frozen=True)
class KeyInfo:
    id: str
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked: bool


def check_email(email: str) -> str:
    address = (email or "").strip().lower()
    if not _EMAIL.match(address) or len(address) > 320:
        raise BadInputError(f"{email!r} is not an email address")
    return address


def check_password(password: str) -> str:
    if not (MIN_PASSWORD_CHARS <= len(password or "") <= MAX_PASSWORD_CHARS):
        raise BadInputError(f"a password must have {MIN_PASSWORD_CHARS} to {MAX_PASSWORD_CHARS} characters")
    return password


class Accounts:
    """Users, sessions and API keys over the database; ``hasher`` is the argon2 seam for tests."""

    def __init__(self, database: Database, settings: Settings, hasher: PasswordHash | None = None) -> None:
        self.db = database
        self.settings = settings
        self.hasher = hasher or PasswordHash.recommended()
        self._dummy: str | None = None  # hashed on first need: an unknown email costs one verification

    # --- users ----------------------------------------------------------------------------
    async def add_user(self, email: str, password: str) -> Caller:
        """Register a user; BadInputError when the email is taken or the password too short."""
        address, secret = check_email(email), check_password(password)
        user = User(id=_id("u_"), email=address, password_hash=self.hasher.hash(secret), created_at=utc_now())
        try:
            async with self.db.session() as session:
                session.add(user)
        except IntegrityError:
            raise BadInputError(f"an account for {address} already exists") from None
        return Caller(owner=user.id, kind="user", user_id=user.id, email=address)

    async def user_by_email(self, email: str) -> User:
        async with self.db.session() as session:
            user = await session.scalar(select(User).where(User.email == check_email(email)))
        if user is None:
            raise NotFoundError(f"no account for {email}")
        return user

    async def verify_password(self, email: str, password: str) -> User:
        """The user whose password this is, or NotAuthenticatedError (one message for both mistakes)."""
        async with self.db.session() as session:
            user = await session.scalar(select(User).where(User.email == (email or "").strip().lower()))
        if user is None:
            self._dummy = self._dummy or self.hasher.hash("no account has this password")
            self.hasher.verify(password or "", self._dummy)  # the same time as a wrong password
            raise NotAuthenticatedError("wrong email or password")
        if not self.hasher.verify(password or "", user.password_hash):
            raise NotAuthenticatedError("wrong email or password")
        return user

    # --- sessions -------------------------------------------------------------------------
    async def open_session(self, user: User | None) -> NewSession:
        """A new session (a user's after login, or an anonymous visitor's)."""
        token, now = secrets.token_urlsafe(32), utc_now()
        row = SessionRow(
            id=_id("s_"),
            token_hash=token_hash(token),
            csrf_token=secrets.token_urlsafe(32),
            user_id=user.id if user else None,
            created_at=now,
            expires_at=now + timedelta(days=self.settings.session_days),
        )
        async with self.db.session() as session:
            session.add(row)
        return NewSession(token, _session_caller(row, user), row.expires_at)

    async def session_caller(self, token: str) -> Caller | None:
        """The caller of a live session cookie; None when unknown or expired."""
        async with self.db.session() as session:
            row = await session.scalar(select(SessionRow).where(SessionRow.token_hash == token_hash(token)))
            if row is None or row.expires_at <= utc_now():
                return None
            user = await session.get(User, row.user_id) if row.user_id else None
            if row.user_id and user is None:
                return None
            return _session_caller(row, user)

    async def close_session(self, session_id: str) -> None:
        async with self.db.session() as session:
            row = await session.get(SessionRow, session_id)
            if row is not None:
                await session.delete(row)

    # --- API keys -------------------------------------------------------------------------
    async def create_key(self, user_id: str, name: str = "") -> tuple[str, KeyInfo]:
        """A new API key (the secret, shown once) and its listing."""
        label = " ".join((name or "default").split())[:100] or "default"
        secret = KEY_PREFIX + secrets.token_urlsafe(32)
        row = ApiKey(
            id=_id("k_"),
            user_id=user_id,
            name=label,
            prefix=secret[: len(KEY_PREFIX) + 8],
            key_hash=token_hash(secret),
            created_at=utc_now(),
        )
        async with self.db.session() as session:
            session.add(row)
        return secret, _key_info(row)

    async def keys(self, user_id: str) -> list[KeyInfo]:
        async with self.db.session() as session:
            rows = await session.scalars(
                select(ApiKey).where(ApiKey.user_id == user_id).order_by(ApiKey.created_at)
            )
            return [_key_info(r) for r in rows]

    async def revoke_key(self, user_id: str, key_id: str) -> None:
        """Revoke one of the user's keys; NotFoundError when unknown, foreign or already revoked."""
        async with self.db.session() as session:
            row = await session.get(ApiKey, key_id)
            if row is None or row.user_id != user_id or row.revoked_at is not None:
                raise NotFoundError(f"no API key {key_id!r}")
            row.revoked_at = utc_now()

    async def key_caller(self, secret: str) -> Caller | None:
        """The caller of a live API key (its last use recorded at most once a minute); else None."""
        if not secret.startswith(KEY_PREFIX):
            return None
        digest, now = token_hash(secret), utc_now()

        def work(connection: Connection) -> Caller | None:
            found = connection.execute(
                select(ApiKey.id, ApiKey.last_used_at, User.id, User.email)
                .join(User, User.id == ApiKey.user_id)
                .where(ApiKey.key_hash == digest, ApiKey.revoked_at.is_(None))
            ).first()
            if found is None:
                return None
            key_id, last_used, user_id, email = found
            if last_used is None or now - last_used > LAST_USED_RESOLUTION:
                connection.execute(update(ApiKey).where(ApiKey.id == key_id).values(last_used_at=now))
            return Caller(owner=user_id, kind="api_key", user_id=user_id, email=email)

        return await self.db.transact(work)


def _session_caller(row: SessionRow, user: User | None) -> Caller:
    if user is None:
        return Caller(owner=f"anon:{row.id}", kind="anonymous", session_id=row.id, csrf_token=row.csrf_token)
    return Caller(
        owner=user.id,
        kind="user",
        user_id=user.id,
        email=user.email,
        session_id=row.id,
        csrf_token=row.csrf_token,
    )


def _key_info(row: ApiKey) -> KeyInfo:
    return KeyInfo(
        id=row.id,
        name=row.name,
        prefix=row.prefix,
        created_at=row.created_at,
        last_used_at=row.last_used_at,
        revoked=row.revoked_at is not None,
    )
