"""Officer and admin console, served at /console by the same server."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import FastAPI

if TYPE_CHECKING:
    from bot.app import App


def mount_console(web: FastAPI, app: App) -> None:
    """Add the console's routes to the server (officer handoff, applications, admin)."""
    return None
