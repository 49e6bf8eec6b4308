"""The HTTP server: one router per area, all mounted here and only here (the console too).

- `health`: /healthz, /bare
- `webchat`: the web chat API (sessions, messages, files); `webchat_live`: its WebSocket;
  `webchat_history`: the greeting, the history (both sides) and the documents
- `widget`: the widget page and static files
- `telegram`, `whatsapp`: the channel webhooks (mounted when the channel is configured)
- `deps`: the app's services for routes, from `request.app.state`

Routes only adapt HTTP: channels do the platform work (`bot/channels/`), the pipeline the rest.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import AsyncIterator

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from bot.app import App
from bot.body_limit import BodyLimit
from bot.channels.webchat import RateLimiter
from bot.web import health, telegram, webchat, webchat_history, webchat_live, whatsapp, widget
from bot.web.deps import receivers
from dialogs.texts import text


def create_web_app(
    app: App, *, run_background: bool = True, freeze_startup_heap: bool = False
) -> FastAPI:
    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await app.start(run_outbox=run_background)
        if freeze_startup_heap:
            # Everything loaded so far (NLU model, rules, catalogs, ORM and locale data) lives as
            # long as the process. A full garbage collection walked all of it: 150 ms pauses
            # every few seconds under load, the whole p99. Frozen, it is no longer walked.
            gc.collect()
            gc.freeze()
        try:
            yield
        finally:
            await app.stop()

    web = FastAPI(title="SIKETAN", lifespan=lifespan, docs_url=None, redoc_url=None)
    web.state.siketan = app
    web.state.receivers = receivers(app)
    web.state.webchat_limits = RateLimiter(app.settings.webchat.rate_limit_per_minute)
    _limit_bodies(web, app)
    web.add_exception_handler(RequestValidationError, _invalid)  # type: ignore[arg-type]
    routers = (health.router, webchat.router, webchat_history.router, webchat_live.router)
    for router in (*routers, widget.router):
        web.include_router(router)
    if "telegram" in app.channels:
        web.include_router(telegram.router)
    if "whatsapp" in app.channels:
        web.include_router(whatsapp.router)

    from console import ConsoleSettings, mount_console

    mount_console(
        web,
        app.office,
        ConsoleSettings(
            session_secret=app.settings.office.session_secret.get_secret_value(),
            session_hours=app.settings.office.session_hours,
            public_url=app.settings.web.public_url,
            max_upload_bytes=app.settings.files.max_bytes,
        ),
    )
    return web


def _limit_bodies(web: FastAPI, app: App) -> None:
    settings = app.settings
    session_path = webchat.PREFIX + "/[^/]+"
    web.add_middleware(
        BodyLimit,
        limits=[
            # Room for the longest allowed text even if every character is JSON-escaped.
            (f"{session_path}/messages", 8 * settings.webchat.max_text_chars + 1024,
             text("id", "too_long", limit=f"{settings.webchat.max_text_chars:,}".replace(",", "."))),
            (f"{session_path}/files", settings.files.max_bytes + 64 * 1024,
             text("id", "file_too_large", limit_mb=settings.files.max_bytes // (1024 * 1024))),
        ],
    )  # fmt: skip


async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
    reasons = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
        reasons.append(f"{where}: {err.get('msg')}" if where else str(err.get("msg")))
    return JSONResponse(status_code=422, content={"detail": "; ".join(reasons)})
