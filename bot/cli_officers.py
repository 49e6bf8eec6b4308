"""`siketan officers add|list|disable`: console accounts (argon2id password hashes)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from bot.cli_db import in_session, run_in_session
from bot.invocation import siketan_command

__all__ = ["admin_exists", "officers_app"]

officers_app = typer.Typer(help="Officer and admin accounts for the console.", no_args_is_help=True)

ConfigOption = Annotated[
    Path | None, typer.Option("--config", help="YAML settings file (default: config.yaml).")
]


@officers_app.command("add")
def add(
    username: Annotated[str, typer.Argument(help="Sign-in name (a-z, 0-9, . _ -).")],
    name: Annotated[str, typer.Option("--name", help="Name shown to citizens.")] = "",
    role: Annotated[str, typer.Option(help="officer or admin.")] = "officer",
    password_env: Annotated[
        str,
        typer.Option(help="Read the password from this environment variable (scripts)."),
    ] = "",
    config: ConfigOption = None,
) -> None:
    """Create an account; the password is asked for (never passed on the command line)."""
    from office.accounts import AccountError, add_officer

    if password_env:
        password = os.environ.get(password_env, "")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)

    async def work(session):  # type: ignore[no-untyped-def]
        return await add_officer(session, username, name, password, role)

    try:
        officer = run_in_session(config, work)
    except AccountError as exc:
        typer.echo(f"siketan: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"created {officer.role} {officer.username!r}; sign in at /console")


@officers_app.command("list")
def list_(config: ConfigOption = None) -> None:
    """Show every account."""
    from storage.console import list_officers

    officers = run_in_session(config, list_officers)
    if not officers:
        typer.echo(f"no accounts yet: {siketan_command()} officers add <username> --role admin")
    for o in officers:
        state = "active" if o.active else "disabled"
        typer.echo(f"{o.username}\t{o.role}\t{state}\t{o.display_name}")


@officers_app.command("disable")
def disable(username: str, config: ConfigOption = None) -> None:
    """Disable an account and end its sign-ins (the account stays for the audit log)."""
    from storage.console import disable_officer, officer_by_username

    async def work(session):  # type: ignore[no-untyped-def]
        officer = await officer_by_username(session, username.strip().lower())
        if officer is None:
            return False
        await disable_officer(session, officer)
        return True

    if not run_in_session(config, work):
        typer.echo(f"siketan: no account {username!r}", err=True)
        raise typer.Exit(1)
    typer.echo(f"disabled {username!r}")


async def admin_exists(url: str) -> bool:
    from storage.console import has_active_admin

    return bool(await in_session(url, has_active_admin))
