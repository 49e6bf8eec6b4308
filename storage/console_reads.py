"""Read-only queries behind the officer console's pages: conversations, transcripts, the
applications list. The console renders what these return; it never builds SQL itself."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Application,
    ApplicationStatusChange,
    Conversation,
    Officer,
    TranscriptMessage,
)

__all__ = [
    "OPEN_STATUSES",
    "ApplicationFilter",
    "applicant_names",
    "applications_of_conversation",
    "get_application",
    "get_conversation",
    "last_citizen_messages",
    "list_applications",
    "officers_in_charge",
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
    # A reference (or part), part of the applicant's name, or the NIK's last digits.
    search: str = ""


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
    search = " ".join(where.search.split())
    if search:
        stmt = stmt.where(_matches(search))
    stmt = stmt.order_by(Application.due_date, Application.id).limit(LIST_LIMIT)
    return list((await session.execute(stmt)).scalars().all())


def _literal(text: str) -> str:
    """The text for LIKE with its wildcards taken literally (escape character: backslash)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _matches(search: str) -> Any:
    """Reference or name containing the words, or (digits only) a NIK ending with them."""
    pattern = f"%{_literal(search.lower())}%"
    name = func.lower(Application.applicant["full_name"].as_string())
    found = [
        func.lower(Application.reference).like(pattern, escape="\\"),
        name.like(pattern, escape="\\"),
    ]
    if search.isdigit() and len(search) >= 3:
        found.append(Application.applicant["nik"].as_string().like("%" + search))
    return or_(*found)


async def officers_in_charge(session: AsyncSession, application_ids: list[int]) -> dict[int, str]:
    """The officer who last moved each application's status (display name), where one did."""
    if not application_ids:
        return {}
    result = await session.execute(
        select(ApplicationStatusChange.application_id, ApplicationStatusChange.by)
        .where(
            ApplicationStatusChange.application_id.in_(application_ids),
            ApplicationStatusChange.by != "citizen",
        )
        .order_by(ApplicationStatusChange.id)
    )
    latest = {app_id: by for app_id, by in result.all()}
    names = await session.execute(
        select(Officer.username, Officer.display_name).where(
            Officer.username.in_(set(latest.values()))
        )
    )
    display = dict(names.all())
    return {app_id: display.get(by, by) for app_id, by in latest.items()}


@dataclass(frozen=True, slots=True)
class LastMessage:
    text: str
    at: datetime


async def last_citizen_messages(
    session: AsyncSession, conversation_ids: list[int]
) -> dict[int, LastMessage]:
    """Each conversation's newest message from the citizen (what a waiting citizen said last)."""
    if not conversation_ids:
        return {}
    newest = (
        select(func.max(TranscriptMessage.id))
        .where(
            TranscriptMessage.conversation_id.in_(conversation_ids),
            TranscriptMessage.author == "citizen",
        )
        .group_by(TranscriptMessage.conversation_id)
    )
    result = await session.execute(
        select(
            TranscriptMessage.conversation_id,
            TranscriptMessage.text,
            TranscriptMessage.created_at,
        ).where(TranscriptMessage.id.in_(newest))
    )
    return {cid: LastMessage(text, at) for cid, text, at in result.all()}


async def applicant_names(session: AsyncSession, conversation_ids: list[int]) -> dict[int, str]:
    """The name a citizen gave in their newest application, by conversation."""
    if not conversation_ids:
        return {}
    result = await session.execute(
        select(Application.conversation_id, Application.applicant)
        .where(Application.conversation_id.in_(conversation_ids))
        .order_by(Application.id)
    )
    names: dict[int, str] = {}
    for cid, applicant in result.all():
        name = str((applicant or {}).get("full_name") or "")
        if name:
            names[cid] = name
    return names
