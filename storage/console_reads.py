"""Read-only queries behind the officer console's pages: conversations, transcripts, the
applications list. The console renders what these return; it never builds SQL itself."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Application, Conversation, TranscriptMessage

__all__ = [
    "OPEN_STATUSES",
    "ApplicationFilter",
    "applications_of_conversation",
    "get_application",
    "get_conversation",
    "list_applications",
    "transcript_after",
]

# Statuses in which an application still waits for the office (due dates count).
OPEN_STATUSES = ("submitted", "in_review", "needs_revision", "processing")
LIST_LIMIT = 500


@dataclass(frozen=True, slots=True)
class ApplicationFilter:
    status: str = ""  # a status key, or "" for all
    due_before: date | None = None
    overdue_on: date | None = None  # only open applications due before this day


async def get_conversation(session: AsyncSession, conversation_id: int) -> Conversation | None:
    return await session.get(Conversation, conversation_id)


async def get_application(session: AsyncSession, application_id: int) -> Application | None:
    return await session.get(Application, application_id)


async def transcript_after(
    session: AsyncSession, conversation_id: int, after: int = 0, limit: int = 500
) -> Sequence[TranscriptMessage]:
    """A conversation's messages with an id above `after`, oldest first."""
    result = await session.execute(
        select(TranscriptMessage)
        .where(TranscriptMessage.conversation_id == conversation_id, TranscriptMessage.id > after)
        .order_by(TranscriptMessage.id)
        .limit(limit)
    )
    return result.scalars().all()


async def applications_of_conversation(
    session: AsyncSession, conversation_id: int
) -> Sequence[Application]:
    result = await session.execute(
        select(Application)
        .where(Application.conversation_id == conversation_id)
        .order_by(Application.id.desc())
    )
    return result.scalars().all()


async def list_applications(session: AsyncSession, where: ApplicationFilter) -> list[Application]:
    """Applications matching the filter (at most LIST_LIMIT), in no particular order."""
    stmt = select(Application)
    if where.status:
        stmt = stmt.where(Application.status == where.status)
    if where.due_before is not None:
        stmt = stmt.where(Application.due_date <= where.due_before)
    if where.overdue_on is not None:
        stmt = stmt.where(
            Application.due_date < where.overdue_on, Application.status.in_(OPEN_STATUSES)
        )
    return list((await session.execute(stmt.limit(LIST_LIMIT))).scalars().all())
