"""`siketan` command line: serve, chat, db, rules, nlu."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Annotated

import typer

from bot.cli_nlu import nlu_app
from bot.cli_officers import admin_exists, officers_app
from bot.cli_report import report_app
from bot.cli_rules import rules_app
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
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    typer.echo(f"SIKETAN serving on http://{settings.web.host}:{settings.web.port}")
    if not asyncio.run(admin_exists(settings.database.url)):
        typer.echo("No console admin yet: siketan officers add <username> --role admin")
    uvicorn.run(
        "bot.server:create",
        factory=True,
        host=settings.web.host,
        port=settings.web.port,
        workers=workers,
        log_level="warning",
        access_log=False,
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
