"""Repository for the message path: conversation lock, inbound dedup, transcript, outbox rows.

The outbox sender's side (claiming, recording deliveries) is `storage.outbox`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Conversation, OutboxMessage, ProcessedInbound, TranscriptMessage
from storage.models.base import utcnow

# The message path runs these statements for every message. They are built once, with bound
# parameters, because building one per call made SQLAlchemy recompute its cache key each time
# (a visible share of a message's cost under load).
_WHERE_KEY = (
    Conversation.channel == bindparam("channel"),
    Conversation.chat_id == bindparam("chat_id"),
)
_FIND_CONVERSATION = select(Conversation).where(*_WHERE_KEY)
_LOCK_CONVERSATION = {
    # populate_existing: the state is reloaded even if this session saw the row before.
    "postgresql": _FIND_CONVERSATION.with_for_update().execution_options(populate_existing=True),
    # On SQLite, BEGIN IMMEDIATE already holds the database's only write lock.
    "sqlite": _FIND_CONVERSATION.execution_options(populate_existing=True),
}
_BY_ID = select(Conversation).where(Conversation.id == bindparam("conversation_id"))
_LOCK_BY_ID = {
    "postgresql": _BY_ID.with_for_update().execution_options(populate_existing=True),
    "sqlite": _BY_ID.execution_options(populate_existing=True),
}
# Dialect-specific for ON CONFLICT DO NOTHING (two processes may insert the same key).
_DIALECTS = {"postgresql": postgresql, "sqlite": sqlite}
_NEW_CONVERSATION = {
    name: dialect.insert(Conversation.__table__).on_conflict_do_nothing(
        index_elements=["channel", "chat_id"]
    )
    for name, dialect in _DIALECTS.items()
}
_CLAIM_INBOUND = {
    name: dialect.insert(ProcessedInbound.__table__)
    .on_conflict_do_nothing(index_elements=["channel", "platform_message_id"])
    .returning(ProcessedInbound.__table__.c.id)
    for name, dialect in _DIALECTS.items()
}
_TRANSCRIPT = cast(Table, TranscriptMessage.__table__)
_INSERT_TRANSCRIPT = insert(_TRANSCRIPT).returning(_TRANSCRIPT.c.id)
_INSERT_TRANSCRIPTS = insert(_TRANSCRIPT).returning(_TRANSCRIPT.c.id, sort_by_parameter_order=True)
_INSERT_OUTBOX = insert(cast(Table, OutboxMessage.__table__))


def _dialect(session: AsyncSession) -> str:
    return session.get_bind().dialect.name


def _insert(session: AsyncSession, model: Any) -> Any:
    """INSERT with this database's ON CONFLICT support (also used by storage.applications)."""
    return _DIALECTS[_dialect(session)].insert(model)


async def _execute_core(session: AsyncSession, stmt: Any, params: Any) -> Any:
    # A Core statement flushes the session's pending ORM changes first (SQLAlchemy #9809).
    # These inserts never depend on them, so the conversation's row is written once, at commit,
    # instead of once here and again after the dialog step.
    with session.no_autoflush:
        return await session.execute(stmt, params)


async def lock_conversation(session: AsyncSession, channel: str, chat_id: str) -> Conversation:
    """Create the conversation if new, then lock its row for this transaction.

    Taking the lock before loading the state keeps one conversation's messages in order, also
    across server processes (PostgreSQL row lock). On SQLite, BEGIN IMMEDIATE already serializes
    every writing transaction.
    """
    dialect = _dialect(session)
    key = {"channel": channel, "chat_id": chat_id}
    found = (await session.execute(_LOCK_CONVERSATION[dialect], key)).scalar_one_or_none()
    if found is not None:
        return found
    # First message of a conversation; two processes may race here, hence ON CONFLICT.
    now = utcnow()
    await session.execute(
        _NEW_CONVERSATION[dialect],
        {
            **key,
            "mode": "bot",
            "locale": "id",
            "state": {},
            "sender_name": "",
            "blocked": False,
            "created_at": now,
            "updated_at": now,
        },
    )
    return (await session.execute(_LOCK_CONVERSATION[dialect], key)).scalar_one()


async def lock_conversation_by_id(session: AsyncSession, conversation_id: int) -> Conversation:
    """Lock an existing conversation's row (an officer's action on it), reloading its state."""
    stmt = _LOCK_BY_ID[_dialect(session)]
    result = await session.execute(stmt, {"conversation_id": conversation_id})
    return result.scalar_one()


async def get_conversation(
    session: AsyncSession, channel: str, chat_id: str
) -> Conversation | None:
    key = {"channel": channel, "chat_id": chat_id}
    return (await session.execute(_FIND_CONVERSATION, key)).scalar_one_or_none()


async def claim_inbound(
    session: AsyncSession,
    channel: str,
    platform_message_id: str,
    conversation_id: int,
    transcript_id: int,
) -> bool:
    """Record a platform message id; False when it was processed before (a redelivery)."""
    result = await _execute_core(
        session,
        _CLAIM_INBOUND[_dialect(session)],
        {
            "channel": channel,
            "platform_message_id": platform_message_id,
            "conversation_id": conversation_id,
            "transcript_id": transcript_id,
            "created_at": utcnow(),
        },
    )
    return result.scalar_one_or_none() is not None


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


def transcript_row(
    conversation_id: int,
    *,
    direction: str,
    author: str,
    text: str,
    body: dict[str, Any],
    platform_message_id: str = "",
    in_reply_to: int | None = None,
    author_id: str = "",
) -> dict[str, Any]:
    return {
        "conversation_id": conversation_id,
        "direction": direction,
        "author": author,
        "author_id": author_id,
        "text": text,
        "body": body,
        "platform_message_id": platform_message_id,
        "in_reply_to": in_reply_to,
        "created_at": utcnow(),
    }


async def insert_transcript(session: AsyncSession, rows: list[dict[str, Any]]) -> list[int]:
    """Append transcript rows (see `transcript_row`); their ids, in the order given.

    Core statements, not ORM objects: the message path writes these rows and never reads them
    back, and the unit of work cost more than SQLite itself did (profiled under load).
    """
    if len(rows) == 1:
        return [int((await _execute_core(session, _INSERT_TRANSCRIPT, rows[0])).scalar_one())]
    if not rows:
        return []
    result = await _execute_core(session, _INSERT_TRANSCRIPTS, rows)
    return [int(i) for i in result.scalars()]


async def insert_outbox(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    if rows:
        await _execute_core(session, _INSERT_OUTBOX, rows)


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


async def conversation_locale(session: AsyncSession, conversation_id: int) -> str:
    conv = await session.get(Conversation, conversation_id)
    return conv.locale if conv is not None else ""


async def transcript_after(
    session: AsyncSession, conversation_id: int, after_id: int, limit: int = 500
) -> Sequence[TranscriptMessage]:
    """Both sides of a conversation after `after_id`, oldest first (a web chat reloaded)."""
    result = await session.execute(
        select(TranscriptMessage)
        .where(
            TranscriptMessage.conversation_id == conversation_id,
            TranscriptMessage.id > after_id,
        )
        .order_by(TranscriptMessage.id)
        .limit(limit)
    )
    return result.scalars().all()


async def transcript_message(
    session: AsyncSession, conversation_id: int, message_id: int
) -> TranscriptMessage | None:
    """One message, only if it belongs to the conversation (ids are never trusted alone)."""
    row = await session.get(TranscriptMessage, message_id)
    return row if row is not None and row.conversation_id == conversation_id else None
