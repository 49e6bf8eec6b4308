"""ASGI entry for uvicorn (also with several worker processes): settings come from the
environment and config file, as in `siketan serve`."""

from __future__ import annotations

from fastapi import FastAPI

from bot.app import build_app
from bot.logging_setup import configure_logging
from bot.request_log import RequestLog
from bot.settings import load_settings
from bot.web import create_web_app


def create() -> FastAPI:
    configure_logging()  # in every worker process, not only in the one that ran `siketan serve`
    settings = load_settings()
    web = create_web_app(build_app(settings), freeze_startup_heap=True)
    web.add_middleware(RequestLog)
    return web
