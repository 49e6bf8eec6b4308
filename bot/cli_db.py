"""Running one CLI action against the configured database, migrated first."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import typer
from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ["database_url", "in_session", "run_in_session"]

T = TypeVar("T")


def database_url(config: Path | None) -> str:
    """The configured database URL (exit 2 with the reason on a bad setting)."""
    from bot.settings import SettingsError, load_settings

    try:
        return load_settings(config).database.url
    except SettingsError as exc:
        typer.echo(f"siketan: {exc}", err=True)
        raise typer.Exit(2) from None


async def in_session(
    url: str, action: Callable[[AsyncSession], Awaitable[T]], *, seed_rules: bool = False
) -> T:
    """Run `action` in one transaction on `url` (seeding rule-set version 1 if asked)."""
    from storage.db import create_engine, session_factory

    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session, session.begin():
            if seed_rules:
                from storage.rule_sets import seed_if_empty

                await seed_if_empty(session)
            return await action(session)
    finally:
        await engine.dispose()


def run_in_session(
    config: Path | None,
    action: Callable[[AsyncSession], Awaitable[T]],
    *,
    seed_rules: bool = False,
) -> T:
    """Migrate the configured database, then run `action` in one transaction."""
    from storage.migrate import upgrade_database

    url = database_url(config)

    async def main() -> T:
        await upgrade_database(url)
        return await in_session(url, action, seed_rules=seed_rules)

    return asyncio.run(main())
