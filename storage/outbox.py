"""Repository of the outbox: what the sender claims, what became of each attempt, and the
platforms' delivery receipts.

Writing to the outbox is part of the message path and lives with the transcript in
`storage.conversations` (`insert_outbox`); this module is the sender's side.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from storage.models import Conversation, OutboxMessage

__all__ = [
    "DueMessage",
    "claim_due",
    "record_delivery",
    "record_failure",
    "record_sent",
]


@dataclass(frozen=True, slots=True)
class DueMessage:
    """A claimed outbox row, detached from the session that claimed it."""

    id: int
    conversation_id: int
    channel: str
    chat_id: str
    body: dict[str, Any]
    attempts: int
    # The citizen's last message: WhatsApp allows free-form text only within 24 hours of it.
    last_inbound_at: datetime | None


# Run once per delivered message: built once, with bound parameters (see storage.conversations).
_RECORD_SENT = (
    update(OutboxMessage)
    .where(OutboxMessage.id == bindparam("row_id"))
    .values(
        status="sent",
        attempts=bindparam("attempt"),
        sent_at=bindparam("at"),
        platform_message_id=bindparam("delivered_id"),
        last_error="",
    )
)
_RELEASE_STALE = (
    update(OutboxMessage)
    .where(OutboxMessage.status == "sending", OutboxMessage.claimed_at < bindparam("stale_before"))
    .values(status="pending")
)
_EARLIER = aliased(OutboxMessage)
_DUE = (
    select(OutboxMessage)
    .where(
        OutboxMessage.status == "pending",
        OutboxMessage.next_attempt_at <= bindparam("now"),
        ~exists().where(
            and_(
                _EARLIER.conversation_id == OutboxMessage.conversation_id,
                _EARLIER.id < OutboxMessage.id,
                _EARLIER.status.in_(("pending", "sending")),
            )
        ),
    )
    .order_by(OutboxMessage.id)
    .limit(bindparam("limit"))
)
_DUE_BY_DIALECT = {
    # Several server processes share the outbox: each takes rows nobody else holds.
    "postgresql": _DUE.with_for_update(skip_locked=True, of=OutboxMessage),
    "sqlite": _DUE,
}


async def claim_due(
    session: AsyncSession, now: datetime, *, limit: int = 50, stale_after: float = 60.0
) -> list[DueMessage]:
    """Claim due messages, at most the oldest undelivered one per conversation (keeps order).

    A row left in `sending` by a crashed process becomes due again after `stale_after` seconds.
    """
    await session.execute(
        _RELEASE_STALE,
        {"stale_before": now - timedelta(seconds=stale_after)},
    )
    dialect = session.get_bind().dialect.name
    rows = list(
        (await session.execute(_DUE_BY_DIALECT[dialect], {"now": now, "limit": limit}))
        .scalars()
        .all()
    )
    if not rows:
        return []
    windows = await _last_inbound_times(session, {r.conversation_id for r in rows})
    for row in rows:
        row.status = "sending"
        row.claimed_at = now
    return [
        DueMessage(
            r.id,
            r.conversation_id,
            r.channel,
            r.chat_id,
            r.body,
            r.attempts,
            windows.get(r.conversation_id),
        )
        for r in rows
    ]


async def _last_inbound_times(
    session: AsyncSession, conversation_ids: set[int]
) -> dict[int, datetime | None]:
    result = await session.execute(
        select(Conversation.id, Conversation.last_inbound_at).where(
            Conversation.id.in_(conversation_ids)
        )
    )
    return {cid: at for cid, at in result.all()}


async def record_sent(
    session: AsyncSession, row_id: int, attempt: int, platform_message_id: str, at: datetime
) -> None:
    await session.execute(
        _RECORD_SENT,
        {"row_id": row_id, "attempt": attempt, "delivered_id": platform_message_id, "at": at},
    )


async def record_failure(
    session: AsyncSession,
    row_id: int,
    attempt: int,
    reason: str,
    *,
    give_up: bool,
    next_attempt_at: datetime,
    blocked: bool = False,
) -> None:
    """A failed attempt: retry at `next_attempt_at`, or give up. `blocked`: the citizen
    blocked the bot, so the conversation is marked and the rest of its outbox fails too."""
    row = await session.get(OutboxMessage, row_id)
    if row is None:
        return
    row.attempts = attempt
    row.last_error = reason[:2000]
    row.status = "failed" if give_up else "pending"
    row.next_attempt_at = next_attempt_at
    if blocked:
        await session.execute(
            update(Conversation).where(Conversation.id == row.conversation_id).values(blocked=True)
        )
        # Nothing more will reach this citizen: fail the rest instead of retrying it.
        await session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.conversation_id == row.conversation_id,
                OutboxMessage.status == "pending",
            )
            .values(status="failed", last_error="recipient blocked the bot")
        )


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
