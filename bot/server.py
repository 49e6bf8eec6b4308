"""ASGI entry for uvicorn (also with several worker processes): settings come from the
environment and config file, as in `siketan serve`."""

from __future__ import annotations

from fastapi import FastAPI

from bot.app import build_app
from bot.settings import load_settings
from bot.web import create_web_app


def create() -> FastAPI:
    settings = load_settings()
    return create_web_app(build_app(settings), freeze_startup_heap=True)
