"""HTTP server: web chat API and widget, health check. Channel webhooks mount here too.

Adapters never add routes themselves; this module adapts HTTP to them.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, File, Header, HTTPException, Request, UploadFile, WebSocket
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import text as sql_text
from starlette.websockets import WebSocketDisconnect

from bot.app import App
from bot.body_limit import BodyLimit
from bot.channels.webchat import CHANNEL, RateLimiter, WebChatChannel
from bot.pipeline import HandleResult
from dialogs.messages import Attachment, ConversationKey, Inbound, Outbound
from dialogs.texts import text
from office.live import conversation_topic
from storage import conversations as repo
from storage.files import FileRejected

log = logging.getLogger(__name__)
STATIC = Path(__file__).resolve().parent / "static"


class MessageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str | None = None
    payload: str | None = Field(default=None, max_length=200)
    client_message_id: str | None = Field(default=None, min_length=1, max_length=100)

    @model_validator(mode="after")
    def _one_of(self) -> MessageIn:
        if not (self.text or self.payload):
            raise ValueError("send either a non-empty 'text' or a 'payload'")
        if self.text and self.payload:
            raise ValueError("send 'text' or 'payload', not both")
        return self


def render(reply_id: int, message: Outbound) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": reply_id,
        "text": message.text,
        "buttons": [{"title": b.title, "payload": b.payload} for b in message.buttons],
        "author": message.author,
    }
    if message.document_ref:
        data["document"] = {"name": message.document_name, "mime": message.document_mime}
    return data


async def session_of(
    request: Request, session_id: str, authorization: Annotated[str | None, Header()] = None
) -> str:
    """The web chat session named in the path, if the bearer token matches (else 401/404)."""
    app: App = request.app.state.siketan
    token = ""
    if authorization and authorization.lower().startswith("bearer "):
        token = authorization[7:].strip()
    async with app.sessions() as db:
        ok = await webchat_channel(app).check_token(db, session_id, token)
    if ok is None:
        raise HTTPException(404, "unknown session")
    if not token or not ok:
        raise HTTPException(401, "missing or wrong token", {"WWW-Authenticate": "Bearer"})
    return session_id


Session = Annotated[str, Depends(session_of)]


def webchat_channel(app: App) -> WebChatChannel:
    channel = app.channels["webchat"]
    assert isinstance(channel, WebChatChannel)
    return channel


def create_web_app(
    app: App, *, run_background: bool = True, freeze_startup_heap: bool = False
) -> FastAPI:
    settings = app.settings
    limiter = RateLimiter(settings.webchat.rate_limit_per_minute)
    files = app.files

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
    session_path = r"/api/webchat/sessions/[^/]+"
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

    @web.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        reasons = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
            reasons.append(f"{where}: {err.get('msg')}" if where else str(err.get("msg")))
        return JSONResponse(status_code=422, content={"detail": "; ".join(reasons)})

    @web.get("/healthz")
    async def healthz() -> JSONResponse:
        try:
            async with app.engine.connect() as conn:
                await conn.execute(sql_text("SELECT 1"))
        except Exception:
            log.exception("health check: database unreachable")
            return JSONResponse({"status": "degraded", "database": "unreachable"}, status_code=503)
        return JSONResponse({"status": "ok", "database": "ok"})

    @web.get("/bare")
    async def bare() -> dict[str, str]:
        # Does no work: the benchmark's baseline for what the HTTP stack alone costs.
        return {"status": "ok"}

    @web.post("/api/webchat/sessions", status_code=201)
    async def new_session() -> dict[str, str]:
        async with app.sessions() as db, db.begin():
            session_id, token = await WebChatChannel.create_session(db)
        webchat_channel(app).remember(session_id, token)
        return {"session_id": session_id, "token": token}

    async def _locale(session_id: str) -> str:
        async with app.sessions() as db:
            conv = await repo.get_conversation(db, CHANNEL, session_id)
        return conv.locale if conv else "id"

    @web.post("/api/webchat/sessions/{session_id}/messages")
    async def post_message(session_id: Session, body: MessageIn) -> dict[str, Any]:
        if not limiter.allow(session_id):
            locale = await _locale(session_id)
            return {"messages": [{"id": None, "text": text(locale, "rate_limited"), "buttons": []}]}
        if body.text is not None and len(body.text) > settings.webchat.max_text_chars:
            locale = await _locale(session_id)
            limit = f"{settings.webchat.max_text_chars:,}".replace(",", ".")
            reply = text(locale, "too_long", limit=limit)
            return {"messages": [{"id": None, "text": reply, "buttons": []}]}
        message_id = body.client_message_id or f"srv-{time.time_ns()}"
        inbound = Inbound(
            key=ConversationKey(CHANNEL, session_id),
            message_id=message_id,
            text=body.text or "",
            payload=body.payload or "",
            sender_id=session_id,
        )
        result = await app.pipeline.handle(inbound)
        return _messages(result)

    @web.get("/api/webchat/sessions/{session_id}/messages")
    async def get_messages(session_id: Session, after: int = 0) -> dict[str, Any]:
        async with app.sessions() as db:
            conv = await repo.get_conversation(db, CHANNEL, session_id)
            rows = [] if conv is None else await repo.outgoing_after(db, conv.id, after)
        return {"messages": [render(r.id, Outbound.from_json(r.body)) for r in rows]}

    @web.post("/api/webchat/sessions/{session_id}/files")
    async def post_file(
        session_id: Session,
        file: Annotated[UploadFile, File()],
        client_message_id: str | None = None,
    ) -> dict[str, Any]:
        if not limiter.allow(session_id):
            locale = await _locale(session_id)
            return {"messages": [{"id": None, "text": text(locale, "rate_limited"), "buttons": []}]}
        locale = await _locale(session_id)
        try:
            stored = await files.store_upload(file)
        except FileRejected as exc:
            limit_mb = settings.files.max_bytes // (1024 * 1024)
            reply = text(locale, f"file_{exc.reason}", limit_mb=limit_mb)
            return {"messages": [{"id": None, "text": reply, "buttons": []}]}
        inbound = Inbound(
            key=ConversationKey(CHANNEL, session_id),
            message_id=client_message_id or f"srv-file-{time.time_ns()}",
            sender_id=session_id,
            attachments=(
                Attachment(
                    kind="photo" if stored.mime_type.startswith("image/") else "document",
                    ref=f"sha256:{stored.sha256}",
                    file_name=stored.file_name,
                    mime_type=stored.mime_type,
                    size=stored.size,
                ),
            ),
        )
        return _messages(await app.pipeline.handle(inbound))

    @web.websocket("/api/webchat/sessions/{session_id}/ws")
    async def live(websocket: WebSocket, session_id: str, token: str = "") -> None:
        # Browsers cannot set headers on a WebSocket: the token comes as a query parameter.
        async with app.sessions() as db:
            ok = await webchat_channel(app).check_token(db, session_id, token)
        if not ok:
            await websocket.close(code=4401 if ok is False else 4404)
            return
        await websocket.accept()
        after = int(websocket.query_params.get("after", "0") or 0)
        try:
            while True:
                async with app.sessions() as db:
                    conv = await repo.get_conversation(db, CHANNEL, session_id)
                    rows = [] if conv is None else await repo.outgoing_after(db, conv.id, after)
                for row in rows:
                    await websocket.send_json(render(row.id, Outbound.from_json(row.body)))
                    after = row.id
                topic = conversation_topic(conv.id) if conv else f"webchat:{session_id}"
                await app.hub.wait(topic, 1.0)
        except (WebSocketDisconnect, RuntimeError):
            return

    @web.get("/")
    async def widget() -> FileResponse:
        return FileResponse(STATIC / "webchat.html", media_type="text/html")

    @web.get("/static/{name}")
    async def static(name: str) -> FileResponse:
        path = (STATIC / name).resolve()
        if path.parent != STATIC or not path.is_file():
            raise HTTPException(404)
        return FileResponse(path)

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
    if "telegram" in app.channels:
        from bot.web_telegram import mount_telegram

        mount_telegram(web, app)
    if "whatsapp" in app.channels:
        from bot.web_whatsapp import mount_whatsapp

        mount_whatsapp(web, app)
    return web


def _messages(result: HandleResult) -> dict[str, Any]:
    return {"messages": [render(r.id, r.message) for r in result.replies]}
