"""What a web chat citizen sees again: the first greeting, the whole conversation after a reload
(both sides), and the documents in it (issue 16).

A module-level router that `bot.web.create_web_app` includes. Every id in a path is looked up in the
session's own conversation, so one session can never read another's messages or files; a
document is served only to a request that carries the session's bearer token.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import FileResponse

from bot.app import App
from bot.channels.webchat import CHANNEL
from bot.web.deps import Siketan
from bot.web.webchat import Session
from dialogs.engine import DialogEngine, Turn
from dialogs.messages import ConversationKey, Inbound, Outbound
from storage import conversations as repo
from storage.models import TranscriptMessage

router = APIRouter(prefix="/api/webchat")
HISTORY_PAGE = 500
MAX_ID = 2**31 - 1  # ids beyond any row (and PostgreSQL's integer) are a 422, not a 500


MessageId = Annotated[int, Query(ge=0, le=MAX_ID)]


# -- first greeting ----------------------------------------------------------------------------


@router.get("/welcome")
async def welcome(
    request: Request, app: Siketan, locale: Literal["id", "en"] = "id"
) -> dict[str, Any]:
    """The greeting and menu a new visitor sees, without a session and without sending anything
    on their behalf: the conversation starts with the citizen's own first message or button."""
    cache: dict[str, Outbound] | None = getattr(request.app.state, "webchat_welcome", None)
    if cache is None:
        cache = request.app.state.webchat_welcome = {}
    if locale not in cache:
        cache[locale] = await _greeting(app, locale)
    message = cache[locale]
    return {"locale": locale, "messages": [_outgoing(None, message)]}


async def _greeting(app: App, locale: str) -> Outbound:
    # The dialogs' own answer to "menu" from a new citizen (greeting + menu), computed without
    # storing anything. Only the command path runs: no NLU, no repositories.
    engine = DialogEngine(app.understanding)
    visitor = Inbound(
        key=ConversationKey(CHANNEL, "welcome"), message_id="welcome", payload="cmd:menu"
    )
    outcome = await engine.handle(Turn(inbound=visitor, locale=locale, mode="bot", state={}))
    return outcome.replies[-1]


# -- history -----------------------------------------------------------------------------------


@router.get("/sessions/{session_id}/history")
async def history(session_id: Session, app: Siketan, after: MessageId = 0) -> dict[str, Any]:
    """Both sides after `after`, oldest first, at most 500 (ask again from the last id)."""
    async with app.sessions() as db:
        conv = await repo.get_conversation(db, CHANNEL, session_id)
        rows = [] if conv is None else await repo.transcript_after(db, conv.id, after, HISTORY_PAGE)
    titles: dict[str, str] = {}  # button payload -> title, to show a tapped button as its words
    entries = []
    for row in rows:
        entry = await asyncio.to_thread(_entry, app, row, titles)
        entries.append(entry)
    return {
        "locale": conv.locale if conv else "id",
        "messages": entries,
        "more": len(rows) == HISTORY_PAGE,
    }


def _entry(app: App, row: TranscriptMessage, titles: dict[str, str]) -> dict[str, Any]:
    body = row.body or {}
    if row.direction == "out":
        message = Outbound.from_json(body)
        titles.update({b.payload: b.title for b in message.buttons})
        entry = _outgoing(row.id, message)
        if message.document_ref:
            entry["document"]["size"] = _size(app, message.document_ref)
        return entry
    payload = str(body.get("payload") or "")
    entry = {
        "id": row.id,
        "author": "citizen",
        "text": row.text or titles.get(payload, ""),
        "buttons": [],
        "client_message_id": str(body.get("message_id") or ""),
    }
    attachment = _attachment(body)
    if attachment is not None:
        entry["document"] = {
            "name": str(attachment.get("file_name") or ""),
            "mime": str(attachment.get("mime_type") or ""),
            "size": attachment.get("size"),
        }
    return entry


def _outgoing(row_id: int | None, message: Outbound) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": row_id,
        "text": message.text,
        "buttons": [{"title": b.title, "payload": b.payload} for b in message.buttons],
        "author": message.author,
    }
    if message.document_ref:
        data["document"] = {"name": message.document_name, "mime": message.document_mime}
    return data


def _attachment(body: dict[str, Any]) -> dict[str, Any] | None:
    for attachment in body.get("attachments") or ():
        if isinstance(attachment, dict) and str(attachment.get("ref", "")).startswith("sha256:"):
            return attachment
    return None


def _size(app: App, ref: str) -> int | None:
    path = _stored(app, ref)
    return path.stat().st_size if path is not None else None


def _stored(app: App, ref: str) -> Path | None:
    try:
        path = app.files.path_for(ref.removeprefix("sha256:"))
    except ValueError:
        return None
    return path if path.is_file() else None


# -- documents ---------------------------------------------------------------------------------


@router.api_route("/sessions/{session_id}/documents/{message_id}", methods=["GET", "HEAD"])
async def document(session_id: Session, app: Siketan, message_id: int) -> FileResponse:
    """The file of one message of this session's conversation: a document the office sent, or
    one the citizen uploaded. The widget fetches it with the bearer token (never in the URL)."""
    if not 1 <= message_id <= MAX_ID:
        raise HTTPException(404, "no such message")
    async with app.sessions() as db:
        conv = await repo.get_conversation(db, CHANNEL, session_id)
        row = None if conv is None else await repo.transcript_message(db, conv.id, message_id)
    found = _document_of(row) if row is not None else None
    if found is None:
        raise HTTPException(404, "no document in this message")
    ref, name, mime = found
    path = _stored(app, ref)
    if path is None:
        raise HTTPException(404, "the document is no longer kept")
    return FileResponse(
        path,
        media_type=mime or "application/octet-stream",
        filename=name or "dokumen",
        headers={"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"},
    )


def _document_of(row: TranscriptMessage) -> tuple[str, str, str] | None:
    body = row.body or {}
    if row.direction == "out":
        ref = str(body.get("document_ref") or "")
        if not ref:
            return None
        return ref, str(body.get("document_name") or ""), str(body.get("document_mime") or "")
    attachment = _attachment(body)
    if attachment is None:
        return None
    return (
        str(attachment["ref"]),
        str(attachment.get("file_name") or ""),
        str(attachment.get("mime_type") or ""),
    )
