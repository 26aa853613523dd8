"""The database: an async SQLAlchemy engine from the settings, migrated by alembic.

SQLite (WAL, foreign keys on, a busy timeout) under the data dir by default; PostgreSQL (asyncpg)
when ``VERITY_DATABASE_URL`` is set, as ``postgresql://...`` or ``postgresql+asyncpg://...``.
Migrations run at startup (``migrate_on_start``) or with ``verity db upgrade``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from copilot.config import Settings
from copilot.errors import ConfigError, ProviderUnavailableError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


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
        else:
            self.engine = create_async_engine(self.url, pool_size=10, max_overflow=20, pool_pre_ping=True)
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

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session in a transaction: committed on success, rolled back on any error."""
        async with self.sessions() as session, session.begin():
            yield session

    async def close(self) -> None:
        await self.engine.dispose()
