"""Repository for the message path: conversation lock, inbound dedup, transcript, outbox."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased, make_transient_to_detached

from storage.models import Conversation, OutboxMessage, ProcessedInbound, TranscriptMessage
from storage.models.base import utcnow


def _is_postgres(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _insert(session: AsyncSession, model: Any) -> Any:
    if _is_postgres(session):
        return postgresql.insert(model)
    return sqlite.insert(model)


async def lock_conversation(session: AsyncSession, channel: str, chat_id: str) -> Conversation:
    """Create the conversation if new, then lock its row for this transaction.

    Taking the lock before loading the state keeps one conversation's messages in order, also
    across server processes (PostgreSQL row lock). On SQLite, BEGIN IMMEDIATE already serializes
    every writing transaction.
    """
    stmt = select(Conversation).where(
        Conversation.channel == channel, Conversation.chat_id == chat_id
    )
    if _is_postgres(session):
        stmt = stmt.with_for_update()
    stmt = stmt.execution_options(populate_existing=True)
    found = (await session.execute(stmt)).scalar_one_or_none()
    if found is not None:
        return found
    # First message of a conversation; two processes may race here, hence ON CONFLICT.
    await session.execute(
        _insert(session, Conversation)
        .values(
            channel=channel,
            chat_id=chat_id,
            mode="bot",
            locale="id",
            state={},
            sender_name="",
            blocked=False,
            created_at=utcnow(),
            updated_at=utcnow(),
        )
        .on_conflict_do_nothing(index_elements=["channel", "chat_id"])
    )
    return (await session.execute(stmt)).scalar_one()


async def get_conversation(
    session: AsyncSession, channel: str, chat_id: str
) -> Conversation | None:
    result = await session.execute(
        select(Conversation).where(Conversation.channel == channel, Conversation.chat_id == chat_id)
    )
    return result.scalar_one_or_none()


async def claim_inbound(
    session: AsyncSession, channel: str, platform_message_id: str, conversation_id: int
) -> ProcessedInbound | None:
    """Record a platform message id; None when it was processed before (a redelivery)."""
    now = utcnow()
    result = await session.execute(
        _insert(session, ProcessedInbound)
        .values(
            channel=channel,
            platform_message_id=platform_message_id,
            conversation_id=conversation_id,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["channel", "platform_message_id"])
        .returning(ProcessedInbound.id)
    )
    new_id = result.scalar_one_or_none()
    if new_id is None:
        return None
    # We know every column already: attach the row without reading it back.
    row = ProcessedInbound(
        id=new_id,
        channel=channel,
        platform_message_id=platform_message_id,
        conversation_id=conversation_id,
        transcript_id=None,
        created_at=now,
    )
    make_transient_to_detached(row)
    session.add(row)
    return row


async def find_processed(
    session: AsyncSession, channel: str, platform_message_id: str
) -> ProcessedInbound | None:
    result = await session.execute(
        select(ProcessedInbound).where(
            ProcessedInbound.channel == channel,
            ProcessedInbound.platform_message_id == platform_message_id,
        )
    )
    return result.scalar_one_or_none()


def add_transcript(
    session: AsyncSession,
    conversation_id: int,
    *,
    direction: str,
    author: str,
    text: str,
    body: dict[str, Any],
    platform_message_id: str = "",
    in_reply_to: int | None = None,
    author_id: str = "",
) -> TranscriptMessage:
    row = TranscriptMessage(
        conversation_id=conversation_id,
        direction=direction,
        author=author,
        author_id=author_id,
        text=text,
        body=body,
        platform_message_id=platform_message_id,
        in_reply_to=in_reply_to,
        created_at=utcnow(),
    )
    session.add(row)
    return row


async def replies_to(session: AsyncSession, transcript_id: int) -> Sequence[TranscriptMessage]:
    result = await session.execute(
        select(TranscriptMessage)
        .where(TranscriptMessage.in_reply_to == transcript_id, TranscriptMessage.direction == "out")
        .order_by(TranscriptMessage.id)
    )
    return result.scalars().all()


async def outgoing_after(
    session: AsyncSession, conversation_id: int, after_id: int, limit: int = 200
) -> Sequence[TranscriptMessage]:
    result = await session.execute(
        select(TranscriptMessage)
        .where(
            TranscriptMessage.conversation_id == conversation_id,
            TranscriptMessage.direction == "out",
            TranscriptMessage.id > after_id,
        )
        .order_by(TranscriptMessage.id)
        .limit(limit)
    )
    return result.scalars().all()


# -- outbox -----------------------------------------------------------------------------------


async def claim_due_outbox(
    session: AsyncSession, now: datetime, *, limit: int = 50, stale_after: float = 60.0
) -> list[OutboxMessage]:
    """Claim due messages, at most the oldest undelivered one per conversation (keeps order).

    A row left in `sending` by a crashed process becomes due again after `stale_after` seconds.
    """
    await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.status == "sending",
            OutboxMessage.claimed_at < now - timedelta(seconds=stale_after),
        )
        .values(status="pending")
    )
    earlier = aliased(OutboxMessage)
    stmt = (
        select(OutboxMessage)
        .where(
            OutboxMessage.status == "pending",
            OutboxMessage.next_attempt_at <= now,
            ~exists().where(
                and_(
                    earlier.conversation_id == OutboxMessage.conversation_id,
                    earlier.id < OutboxMessage.id,
                    earlier.status.in_(("pending", "sending")),
                )
            ),
        )
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    if _is_postgres(session):
        stmt = stmt.with_for_update(skip_locked=True, of=OutboxMessage)
    rows = list((await session.execute(stmt)).scalars().all())
    for row in rows:
        row.status = "sending"
        row.claimed_at = now
    return rows


async def last_inbound_times(
    session: AsyncSession, conversation_ids: set[int]
) -> dict[int, datetime | None]:
    if not conversation_ids:
        return {}
    result = await session.execute(
        select(Conversation.id, Conversation.last_inbound_at).where(
            Conversation.id.in_(conversation_ids)
        )
    )
    return {cid: at for cid, at in result.all()}


async def record_delivery(
    session: AsyncSession, channel: str, platform_message_id: str, status: str, error: str = ""
) -> int:
    """A platform's delivery receipt (sent, delivered, read, failed); returns rows updated."""
    result = await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.channel == channel,
            OutboxMessage.platform_message_id == platform_message_id,
        )
        .values(delivery_status=status, delivery_error=error[:2000])
    )
    return int(getattr(result, "rowcount", 0) or 0)
