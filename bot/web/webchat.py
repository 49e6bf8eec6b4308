"""The web chat API under `/api/webchat/sessions`: sessions, messages, files.

Every route but session creation needs the session's bearer token (401/404 otherwise); what the
citizen sends goes through the same `ChannelContext.receive` as every channel, and the replies
come back in the HTTP answer.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Header, HTTPException, UploadFile
from pydantic import BaseModel, ConfigDict, Field, model_validator
from starlette.requests import HTTPConnection

from bot.app import App
from bot.channels.base import Received, ReceiveOutcome
from bot.channels.webchat import CHANNEL, RateLimiter, WebChatChannel, render
from bot.web.deps import Receiver, Siketan, receiver
from dialogs.messages import Outbound
from dialogs.texts import text
from storage import conversations as repo
from storage.files import FileRejected

PREFIX = "/api/webchat/sessions"
router = APIRouter(prefix=PREFIX)


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


def webchat_channel(app: App) -> WebChatChannel:
    channel = app.channels[CHANNEL]
    assert isinstance(channel, WebChatChannel)
    return channel


def limiter(connection: HTTPConnection) -> RateLimiter:
    limits: RateLimiter = connection.app.state.webchat_limits
    return limits


Limits = Annotated[RateLimiter, Depends(limiter)]
WebChat = Annotated[Receiver, Depends(receiver(CHANNEL))]


async def session_of(
    app: Siketan, session_id: str, authorization: Annotated[str | None, Header()] = None
) -> str:
    """The web chat session named in the path, if the bearer token matches (else 401/404)."""
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


@router.post("", status_code=201)
async def new_session(app: Siketan) -> dict[str, str]:
    async with app.sessions() as db, db.begin():
        session_id, token = await WebChatChannel.create_session(db)
    webchat_channel(app).remember(session_id, token)
    return {"session_id": session_id, "token": token}


@router.post("/{session_id}/messages")
async def post_message(
    session_id: Session, body: MessageIn, app: Siketan, webchat: WebChat, limits: Limits
) -> dict[str, Any]:
    if not limits.allow(session_id):
        return await _notice(app, session_id, "rate_limited")
    max_chars = app.settings.webchat.max_text_chars
    if body.text is not None and len(body.text) > max_chars:
        return await _notice(app, session_id, "too_long", limit=f"{max_chars:,}".replace(",", "."))
    received = WebChatChannel.message(
        session_id, body.text or "", body.payload or "", body.client_message_id or ""
    )
    return await _receive(webchat, received)


@router.get("/{session_id}/messages")
async def get_messages(session_id: Session, app: Siketan, after: int = 0) -> dict[str, Any]:
    async with app.sessions() as db:
        conv = await repo.get_conversation(db, CHANNEL, session_id)
        rows = [] if conv is None else await repo.outgoing_after(db, conv.id, after)
    return {"messages": [render(r.id, Outbound.from_json(r.body)) for r in rows]}


@router.post("/{session_id}/files")
async def post_file(
    session_id: Session,
    file: Annotated[UploadFile, File()],
    app: Siketan,
    webchat: WebChat,
    limits: Limits,
    client_message_id: str | None = None,
) -> dict[str, Any]:
    if not limits.allow(session_id):
        return await _notice(app, session_id, "rate_limited")
    try:
        stored = await app.files.store_upload(file)
    except FileRejected as exc:
        limit_mb = app.settings.files.max_bytes // (1024 * 1024)
        return await _notice(app, session_id, f"file_{exc.reason}", limit_mb=limit_mb)
    received = WebChatChannel.upload(session_id, stored, client_message_id or "")
    return await _receive(webchat, received)


async def _receive(webchat: Receiver, received: Received) -> dict[str, Any]:
    outcome: ReceiveOutcome = await webchat.context.receive(webchat.channel, received)
    if not outcome.ok:
        raise RuntimeError("the web chat message could not be handled")
    replies = [render(r.id, r.message) for res in outcome.results for r in res.replies]
    # The widget's own labels (header, placeholder, "Kirim") follow the conversation's language.
    locale = outcome.results[-1].locale if outcome.results else ""
    return {"messages": replies, "locale": locale}


async def _notice(app: App, session_id: str, key: str, **values: Any) -> dict[str, Any]:
    """A polite answer from the web layer itself (not processed, not stored)."""
    async with app.sessions() as db:
        conv = await repo.get_conversation(db, CHANNEL, session_id)
    locale = conv.locale if conv else "id"
    return {"messages": [{"id": None, "text": text(locale, key, **values), "buttons": []}]}
