"""Web chat: the office web site's widget talks to `/api/webchat/...` (see bot/web/webchat.py).

Authenticity is a bearer token per session (only its hash is stored). Replies are returned in the
HTTP response and stay readable through `GET .../messages` and the WebSocket, so the channel itself
never pushes: delivery is the transcript.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
import uuid
from collections import defaultdict, deque
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.channels.base import Capabilities, Channel, Delivered, Received, SendContext
from dialogs.messages import Attachment, ConversationKey, Inbound, Outbound
from storage.files import StoredFile
from storage.models import WebchatSession
from storage.models.base import utcnow

CHANNEL = "webchat"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class WebChatChannel(Channel):
    name = CHANNEL
    capabilities = Capabilities(max_text=4000, max_buttons=12, pull_delivery=True)

    async def send(
        self, key: ConversationKey, message: Outbound, context: SendContext | None = None
    ) -> Delivered:
        return Delivered()

    @staticmethod
    def message(session_id: str, text: str, payload: str, client_message_id: str) -> Received:
        """A typed text or a tapped button, as the widget sent it (already validated)."""
        inbound = Inbound(
            key=ConversationKey(CHANNEL, session_id),
            message_id=client_message_id or f"srv-{time.time_ns()}",
            text=text,
            payload=payload,
            sender_id=session_id,
        )
        return Received((inbound,))

    @staticmethod
    def upload(session_id: str, stored: StoredFile, client_message_id: str) -> Received:
        """An uploaded file, already checked and kept in the file store."""
        attachment = Attachment(
            kind="photo" if stored.mime_type.startswith("image/") else "document",
            ref=f"sha256:{stored.sha256}",
            file_name=stored.file_name,
            mime_type=stored.mime_type,
            size=stored.size,
        )
        inbound = Inbound(
            key=ConversationKey(CHANNEL, session_id),
            message_id=client_message_id or f"srv-file-{time.time_ns()}",
            sender_id=session_id,
            attachments=(attachment,),
        )
        return Received((inbound,))

    @staticmethod
    async def create_session(session: AsyncSession) -> tuple[str, str]:
        session_id = str(uuid.uuid4())
        token = secrets.token_urlsafe(32)
        session.add(WebchatSession(id=session_id, token_hash=_hash(token), created_at=utcnow()))
        return session_id, token

    def __init__(self) -> None:
        # session id -> token hash. Tokens never change, so a hit needs no database round trip.
        self._known: dict[str, str] = {}

    async def check_token(self, session: AsyncSession, session_id: str, token: str) -> bool | None:
        """None: no such session; False: wrong token; True: allowed."""
        token_hash = self._known.get(session_id)
        if token_hash is None:
            row = await session.get(WebchatSession, session_id)
            if row is None:
                return None
            token_hash = row.token_hash
            self._remember_hash(session_id, token_hash)
        return hmac.compare_digest(token_hash, _hash(token))

    def remember(self, session_id: str, token: str) -> None:
        """A session this process just created (and committed): its first message needs no
        database lookup, which would queue for SQLite's one connection a second time."""
        self._remember_hash(session_id, _hash(token))

    def _remember_hash(self, session_id: str, token_hash: str) -> None:
        if len(self._known) >= 100_000:
            self._known.clear()
        self._known[session_id] = token_hash


def render(reply_id: int | None, message: Outbound) -> dict[str, Any]:
    """One reply as the widget shows it."""
    data: dict[str, Any] = {
        "id": reply_id,
        "text": message.text,
        "buttons": [{"title": b.title, "payload": b.payload} for b in message.buttons],
        "author": message.author,
    }
    if message.document_ref:
        data["document"] = {"name": message.document_name, "mime": message.document_mime}
    return data


class RateLimiter:
    """At most `limit` events per `window` seconds per key (in this process)."""

    def __init__(self, limit: int, window: float = 60.0) -> None:
        self.limit = limit
        self.window = window
        self._events: dict[str, deque[float]] = defaultdict(deque)

    def allow(self, key: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        events = self._events[key]
        while events and events[0] <= now - self.window:
            events.popleft()
        if len(events) >= self.limit:
            return False
        events.append(now)
        return True
