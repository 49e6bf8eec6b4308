"""`siketan` command line: serve, chat, db, rules, nlu."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer

from bot.cli_nlu import nlu_app
from bot.cli_officers import admin_exists, officers_app
from bot.cli_report import report_app
from bot.cli_rules import rules_app
from bot.invocation import siketan_command
from bot.logging_setup import configure_logging
from bot.settings import Settings, SettingsError, load_settings

__all__ = ["app", "main", "settings_or_exit"]

app = typer.Typer(
    help="SIKETAN: virtual licensing counter of DPMPTSP Kota Probolinggo.", no_args_is_help=True
)
app.add_typer(rules_app, name="rules")
app.add_typer(nlu_app, name="nlu")
app.add_typer(officers_app, name="officers")
app.add_typer(report_app, name="report")
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")

# A stopped server must be gone within 5 s (systemd, a container runtime or an operator waiting):
# requests in flight get this long, then the app shuts down (closing the database pool).
SHUTDOWN_GRACE_SECONDS = 2

ConfigOption = Annotated[
    Path | None, typer.Option("--config", help="YAML settings file (default: config.yaml).")
]


def settings_or_exit(config: Path | None, **overrides: object) -> Settings:
    try:
        return load_settings(config, **overrides)
    except SettingsError as exc:
        typer.echo(f"siketan: {exc}", err=True)
        raise typer.Exit(2) from None


@db_app.command("upgrade")
def db_upgrade(config: ConfigOption = None) -> None:
    """Apply every database migration (creates the SQLite file under var/ if needed)."""
    from storage.migrate import upgrade_sync

    settings = settings_or_exit(config)
    upgrade_sync(settings.database.url)
    typer.echo("database is up to date")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Listen address.")] = None,
    port: Annotated[int | None, typer.Option(help="Listen port.")] = None,
    config: ConfigOption = None,
    workers: Annotated[int, typer.Option(help="Server processes (PostgreSQL only).")] = 1,
) -> None:
    """Serve the web chat, the channel webhooks and the console."""
    import uvicorn

    from storage.migrate import upgrade_sync

    settings = settings_or_exit(config)
    if host:
        settings.web.host = host
    if port:
        settings.web.port = port
    if workers > 1 and settings.database.is_sqlite:
        typer.echo("siketan: several workers need PostgreSQL (database.url)", err=True)
        raise typer.Exit(2)
    upgrade_sync(settings.database.url)
    configure_logging()
    typer.echo(
        f"SIKETAN serving on http://{settings.web.host}:{settings.web.port} (Ctrl-C stops it)"
    )
    if not asyncio.run(admin_exists(settings.database.url)):
        typer.echo(
            f"No console admin yet: {siketan_command()} officers add <username> --role admin"
        )
    uvicorn.run(
        "bot.server:create",
        factory=True,
        host=settings.web.host,
        port=settings.web.port,
        workers=workers,
        log_level="warning",
        access_log=False,  # bot.request_log writes the request lines, without query strings
        # SIGTERM: whatever still runs after this is cancelled, so the process exits in time.
        timeout_graceful_shutdown=SHUTDOWN_GRACE_SECONDS,
    )


@app.command()
def chat(config: ConfigOption = None) -> None:
    """Talk to the bot in this terminal (options are numbered; type the number to pick)."""
    from bot.channels.terminal import run_terminal_chat
    from storage.migrate import upgrade_sync

    settings = settings_or_exit(config)
    upgrade_sync(settings.database.url)
    asyncio.run(run_terminal_chat(settings))


def main() -> None:
    app()
