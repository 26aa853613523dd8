"""Administration without a browser: ``verity user add EMAIL --password-stdin`` and
``verity key create EMAIL [--name NAME]``, which prints the new key alone on its last line (shown once)."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TypeVar

import typer

from copilot.cli.common import cli_errors, console
from copilot.config import Settings, get_settings
from copilot.errors import BadInputError

if TYPE_CHECKING:
    from copilot.auth import Accounts

user_app = typer.Typer(no_args_is_help=True)
key_app = typer.Typer(no_args_is_help=True)
T = TypeVar("T")


async def _with_accounts(settings: Settings, work: Callable[[Accounts], Awaitable[T]]) -> T:
    """Run ``work`` on the accounts of the configured database (migrated first when the settings say so)."""
    from copilot.auth import Accounts
    from copilot.storage.db import Database

    database = Database(settings)
    try:
        await database.start(migrate=settings.migrate_on_start)
        return await work(Accounts(database, settings))
    finally:
        await database.close()


@user_app.command("add")
def add_user(
    email: str = typer.Argument(..., help="the account's email"),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="read the password from standard input (one line)"
    ),
) -> None:
    """Create an account (the password comes on standard input, never on the command line)."""
    with cli_errors():
        if not password_stdin:
            raise BadInputError("pass --password-stdin and the password on standard input")
        password = sys.stdin.readline().rstrip("\r\n")
        caller = asyncio.run(_with_accounts(get_settings(), lambda a: a.add_user(email, password)))
        console.print(f"Created {caller.email} ({caller.user_id})", highlight=False)


@key_app.command("create")
def create_key(
    email: str = typer.Argument(..., help="the account the key acts as"),
    name: str = typer.Option("default", "--name", help="a label shown in key lists"),
) -> None:
    """Create an API key for an account; the key is printed once, alone on the last line."""
    with cli_errors():

        async def work(accounts: Accounts) -> tuple[str, str]:
            user = await accounts.user_by_email(email)
            secret, info = await accounts.create_key(user.id, name)
            return secret, f"API key {info.prefix}… ({info.name}) for {user.email}; shown once:"

        secret, note = asyncio.run(_with_accounts(get_settings(), work))
        console.print(note, highlight=False)
        typer.echo(secret)


def register(app: typer.Typer) -> None:
    app.add_typer(user_app, name="user", help="Accounts: add a user.")
    app.add_typer(key_app, name="key", help="API keys: create one for a user.")
