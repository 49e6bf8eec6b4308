"""Telling a citizen something on the channel they use: the transcript plus the outbox.

Every office operation that speaks to a citizen (the dialog's replies, an officer's message, a
status change) writes through `Notifications.enqueue` inside its own transaction, and calls
`notify` once after the commit so live views and the outbox sender wake up.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from dialogs.messages import ConversationKey, Outbound
from office.live import OUTBOX_TOPIC, LiveHub, conversation_topic
from storage import conversations as repo
from storage.models.base import utcnow

__all__ = ["Notifications", "Reply"]


@dataclass(frozen=True)
class Reply:
    """An outgoing message as written to the transcript (its row id and its content)."""

    id: int
    message: Outbound


class Notifications:
    def __init__(self, hub: LiveHub, pulls: Callable[[str], bool]) -> None:
        """`pulls(channel)` is true for channels that deliver by being read (web chat,
        terminal) and for unknown ones: nothing is pushed to them through the outbox."""
        self._hub = hub
        self._pulls = pulls

    async def enqueue(
        self,
        session: AsyncSession,
        conversation_id: int,
        key: ConversationKey,
        messages: list[Outbound],
        in_reply_to: int | None = None,
        author_id: str = "",
    ) -> list[Reply]:
        """Write outgoing messages to the transcript and, to be pushed, the outbox."""
        bodies = [message.to_json() for message in messages]
        ids = await repo.insert_transcript(
            session,
            [
                repo.transcript_row(
                    conversation_id,
                    direction="out",
                    author=message.author,
                    author_id=author_id,
                    text=message.text,
                    body=body,
                    in_reply_to=in_reply_to,
                )
                for message, body in zip(messages, bodies, strict=True)
            ],
        )
        # Pull channels (web chat, terminal) deliver by being read: the transcript is their
        # delivery (HTTP answer, GET ?after=, WebSocket), so they have nothing to push.
        if not self._pulls(key.channel):
            now = utcnow()
            await repo.insert_outbox(
                session,
                [
                    {
                        "conversation_id": conversation_id,
                        "transcript_id": transcript_id,
                        "channel": key.channel,
                        "chat_id": key.chat_id,
                        "body": body,
                        "status": "pending",
                        "next_attempt_at": now,
                        "created_at": now,
                    }
                    for transcript_id, body in zip(ids, bodies, strict=True)
                ],
            )
        return [Reply(i, message) for i, message in zip(ids, messages, strict=True)]

    def notify(self, conversation_id: int, channel: str | None = None) -> None:
        """Wake what waits for this conversation, and the outbox sender if it has work."""
        self._hub.publish(conversation_topic(conversation_id))
        # Pull channels have nothing to push: waking the sender would cost a database pass
        # (the single SQLite connection included) after every web chat message.
        if channel is None or not self._pulls(channel):
            self._hub.publish(OUTBOX_TOPIC)
