"""The database: an async SQLAlchemy engine from the settings, migrated by alembic.

SQLite (WAL, foreign keys on, a busy timeout) under the data dir by default; PostgreSQL (asyncpg)
when ``VERITY_DATABASE_URL`` is set, as ``postgresql://...`` or ``postgresql+asyncpg://...``.
Migrations run at startup (``migrate_on_start``) or with ``verity db upgrade``.

Two ways in: ``session()``, an async ORM unit of work, for everything; and ``transact(work)`` for
the hot writes of every chat turn, a synchronous Core function run in one transaction — on SQLite
in one writer thread over the plain sqlite3 driver, on PostgreSQL through the async engine — which
costs a third of the same statements through an async session (the aiosqlite adapter crosses a
thread per statement; measured in bench/bench_web.py's chat section).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from copilot.config import Settings
from copilot.errors import ConfigError, ProviderUnavailableError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
T = TypeVar("T")


def database_url(settings: Settings) -> str:
    """The async SQLAlchemy URL: the configured PostgreSQL, or SQLite under the data dir."""
    if not settings.database_url:
        return f"sqlite+aiosqlite:///{settings.data_dir / 'verity.sqlite'}"
    try:
        url = make_url(settings.database_url)
    except Exception:
        raise ConfigError("VERITY_DATABASE_URL is not a database URL") from None
    if url.get_backend_name() == "postgresql":
        return url.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)
    if url.get_backend_name() == "sqlite":
        return url.set(drivername="sqlite+aiosqlite").render_as_string(hide_password=False)
    raise ConfigError(f"VERITY_DATABASE_URL must be PostgreSQL or SQLite, not {url.get_backend_name()}")


def _sqlite_pragmas(dbapi_connection: Any, _: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL: readers never block the writer; busy_timeout: a second writer waits instead of failing
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class Database:
    """One engine and session factory per process; ``session()`` is a unit of work."""

    def __init__(self, settings: Settings, url: str | None = None) -> None:
        self.settings = settings
        self.url = url or database_url(settings)
        self.is_sqlite = self.url.startswith("sqlite")
        if self.is_sqlite:
            settings.data_dir.mkdir(parents=True, exist_ok=True)
            # every session ends in a commit or a rollback (``session()``): the pool's own rollback on
            # return would be one more trip to the SQLite thread per transaction
            self.engine: AsyncEngine = create_async_engine(self.url, pool_reset_on_return=None)
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
            # the hot writes (a chat run's end, its event batches) go through the plain sqlite3
            # driver in one writer thread: one thread hop per transaction instead of several per
            # statement, and SQLite's single writer is never contended inside this process
            self.sync_engine: Engine | None = create_engine(
                self.url.replace("sqlite+aiosqlite", "sqlite", 1), pool_reset_on_return=None
            )
            event.listen(self.sync_engine, "connect", _sqlite_pragmas)
            self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="verity-sqlite")
        else:
            self.engine = create_async_engine(self.url, pool_size=10, max_overflow=20, pool_pre_ping=True)
            self.sync_engine = None
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    async def start(self, migrate: bool = True) -> None:
        """Bring the schema to the newest migration (when asked) and check the connection."""
        if migrate:
            await self.migrate()
        await self.ping()

    async def migrate(self) -> None:
        """Apply every alembic migration not yet applied (idempotent)."""
        logging.getLogger("alembic").setLevel(logging.WARNING)  # a line per plugin and step is noise
        from alembic import command
        from alembic.config import Config

        def upgrade(connection: Connection) -> None:
            config = Config()
            config.set_main_option("script_location", str(MIGRATIONS))
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

        try:
            async with self.engine.begin() as connection:
                await connection.run_sync(upgrade)
        except (SQLAlchemyError, OSError) as exc:
            raise ProviderUnavailableError(f"the database cannot be migrated ({exc})") from exc

    async def ping(self) -> None:
        """A round trip to the database, or ProviderUnavailableError."""
        try:
            async with asyncio.timeout(5), self.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except (SQLAlchemyError, OSError, TimeoutError) as exc:
            raise ProviderUnavailableError(f"the database does not answer ({type(exc).__name__})") from exc

    async def transact(self, work: Callable[[Connection], T]) -> T:
        """Run ``work`` (synchronous SQLAlchemy Core on a Connection) in one transaction: on SQLite in
        the writer thread over the plain driver, on PostgreSQL through the async engine."""
        if self.sync_engine is None:
            async with self.engine.begin() as connection:
                return await connection.run_sync(work)
        engine = self.sync_engine

        def run() -> T:
            with engine.begin() as connection:
                return work(connection)

        return await asyncio.get_running_loop().run_in_executor(self._writer, run)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session in a transaction: committed on success, rolled back on any error."""
        async with self.sessions() as session, session.begin():
            yield session

    async def close(self) -> None:
        await self.engine.dispose()
        if self.sync_engine is not None:
            self._writer.shutdown(wait=True)
            self.sync_engine.dispose()
