"""The ``verity`` command line: data, kb, ask, chat, eval, serve, db, user, key, research and worker."""

from __future__ import annotations

import typer

from copilot.cli.common import cli_errors
from copilot.config import Settings, get_settings
from copilot.errors import ConfigError
from copilot.logging import configure_logging

app = typer.Typer(help="Verity: a financial research copilot whose every figure is cited and verified.")


@app.callback()
def _root() -> None:
    with cli_errors():  # a bad VERITY_* variable is one error line, not a traceback
        settings = _settings()
    configure_logging(settings.log_level)


def _settings() -> Settings:
    """The settings, with a malformed environment variable as a ConfigError naming it."""
    from pydantic import ValidationError

    try:
        return get_settings()
    except ValidationError as exc:
        problems = "; ".join(
            f"VERITY_{str(err['loc'][0]).upper()}: {err['msg']}" if err["loc"] else err["msg"]
            for err in exc.errors()
        )
        raise ConfigError(f"invalid setting ({problems})") from None


def _register_subcommands() -> None:
    """Sub-apps live in their own modules; import them here so `verity --help` lists them."""
    from copilot.cli import admin, data_import
    from copilot.cli import ask as ask_cli
    from copilot.cli import data as data_cli
    from copilot.cli import eval as eval_cli
    from copilot.cli import kb as kb_cli
    from copilot.cli import research as research_cli
    from copilot.cli import serve as serve_cli
    from copilot.cli import worker as worker_cli

    app.add_typer(data_cli.app, name="data", help="Verified market data.")
    data_import.register(data_cli.app)
    ask_cli.register(app)
    app.command("eval")(eval_cli.eval_command)
    app.add_typer(kb_cli.app, name="kb", help="Knowledge base: add, list, remove and search documents.")
    serve_cli.register(app)
    admin.register(app)
    app.command("research")(research_cli.research)
    worker_cli.register(app)


_register_subcommands()
