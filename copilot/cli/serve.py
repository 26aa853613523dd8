"""``verity serve`` (the web app under uvicorn) and ``verity db upgrade`` (apply migrations).

With several workers the migrations run once, here, before uvicorn starts them (workers racing to
migrate the same database could collide); each worker then starts without migrating.
"""

from __future__ import annotations

import asyncio
import os

import typer

from copilot.cli.common import cli_errors, console
from copilot.config import Settings, get_settings

db_app = typer.Typer(no_args_is_help=True)


async def _migrate(settings: Settings) -> str:
    from copilot.storage.db import Database

    database = Database(settings)
    try:
        await database.start(migrate=True)
    finally:
        await database.close()
    return database.url.split("@")[-1] if "@" in database.url else database.url


@db_app.command("upgrade")
def upgrade() -> None:
    """Bring the database schema to the newest migration."""
    with cli_errors():
        where = asyncio.run(_migrate(get_settings()))
        console.print(f"Database up to date: {where}", highlight=False)


def serve(
    host: str | None = typer.Option(None, help="bind address (default VERITY_HOST)"),
    port: int | None = typer.Option(None, help="port (default VERITY_PORT)"),
    workers: int | None = typer.Option(None, min=1, help="worker processes (default VERITY_WORKERS)"),
) -> None:
    """Start the web app (chat, API, accounts) on embedded defaults unless settings say otherwise."""
    import uvicorn

    with cli_errors():
        settings = get_settings()
        count = workers or settings.workers
        if settings.migrate_on_start:
            asyncio.run(_migrate(settings))
        if count > 1:
            os.environ["VERITY_MIGRATE_ON_START"] = "false"  # done above, once
        bind, number = host or settings.host, port or settings.port
        console.print(f"Verity on http://{bind}:{number}", highlight=False)
    uvicorn.run(
        "web.app:create_app",
        factory=True,
        host=bind,
        port=number,
        workers=count,
        proxy_headers=True,  # behind a proxy, https reaches request.url.scheme (Secure cookies)
        log_level=settings.log_level.lower(),
    )


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    app.add_typer(db_app, name="db", help="Database: apply migrations.")
