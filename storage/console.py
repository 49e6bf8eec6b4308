"""Repository for the officer console: officers, sessions, handoffs/tickets, canned replies, audit."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    AuditEntry,
    CannedReply,
    ConsoleSession,
    Conversation,
    Handoff,
    Officer,
)
from storage.models.base import utcnow

ACTIVE = ("open", "claimed")
QUEUED = ("open", "ticket")

# -- officers ---------------------------------------------------------------------------------


async def create_officer(
    session: AsyncSession, username: str, display_name: str, password_hash: str, role: str
) -> Officer:
    officer = Officer(
        username=username,
        display_name=display_name,
        password_hash=password_hash,
        role=role,
        active=True,
        created_at=utcnow(),
    )
    session.add(officer)
    await session.flush()
    return officer


async def officer_by_username(session: AsyncSession, username: str) -> Officer | None:
    result = await session.execute(select(Officer).where(Officer.username == username))
    return result.scalar_one_or_none()


async def list_officers(session: AsyncSession, *, active_only: bool = False) -> Sequence[Officer]:
    stmt = select(Officer).order_by(Officer.username)
    if active_only:
        stmt = stmt.where(Officer.active.is_(True))
    return (await session.execute(stmt)).scalars().all()


async def has_active_admin(session: AsyncSession) -> bool:
    result = await session.execute(
        select(func.count())
        .select_from(Officer)
        .where(Officer.role == "admin", Officer.active.is_(True))
    )
    return int(result.scalar_one()) > 0


async def disable_officer(session: AsyncSession, officer: Officer) -> None:
    officer.active = False
    await session.execute(delete(ConsoleSession).where(ConsoleSession.officer_id == officer.id))


# -- console sessions --------------------------------------------------------------------------


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create_session(
    session: AsyncSession, officer: Officer, token: str, csrf_token: str, lifetime: timedelta
) -> ConsoleSession:
    now = utcnow()
    row = ConsoleSession(
        id=token_digest(token),
        officer_id=officer.id,
        csrf_token=csrf_token,
        created_at=now,
        last_seen_at=now,
        expires_at=now + lifetime,
    )
    session.add(row)
    officer.last_login_at = now
    return row


async def session_officer(
    session: AsyncSession, token: str, lifetime: timedelta
) -> tuple[ConsoleSession, Officer] | None:
    """The signed-in officer for a cookie token; slides the expiry; None if unknown/expired."""
    result = await session.execute(
        select(ConsoleSession, Officer)
        .join(Officer, Officer.id == ConsoleSession.officer_id)
        .where(ConsoleSession.id == token_digest(token))
    )
    row = result.one_or_none()
    if row is None:
        return None
    console_session, officer = row
    now = utcnow()
    if _aware(console_session.expires_at) <= now or not officer.active:
        await session.delete(console_session)
        return None
    # Writing on every request would serialize reads behind SQLite's writer lock; a minute is fine.
    if now - _aware(console_session.last_seen_at) > timedelta(minutes=1):
        console_session.last_seen_at = now
        console_session.expires_at = now + lifetime
    return console_session, officer


async def delete_session(session: AsyncSession, token: str) -> None:
    await session.execute(delete(ConsoleSession).where(ConsoleSession.id == token_digest(token)))


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes even for timezone=True columns; they were stored in UTC.
    from datetime import UTC

    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


aware = _aware

# -- handoffs ----------------------------------------------------------------------------------


async def active_handoff(session: AsyncSession, conversation_id: int) -> Handoff | None:
    result = await session.execute(
        select(Handoff)
        .where(Handoff.conversation_id == conversation_id, Handoff.status.in_(ACTIVE))
        .order_by(Handoff.id.desc())
        .limit(1)
    )
    return result.scalar_one_or_none()


async def open_ticket(session: AsyncSession, conversation_id: int) -> Handoff | None:
    result = await session.execute(
        select(Handoff)
        .where(Handoff.conversation_id == conversation_id, Handoff.status == "ticket")
        .order_by(Handoff.id.desc())
        .limit(1)
    )
    return result.scalar_one_or_none()


def add_handoff(
    session: AsyncSession, conversation_id: int, reason: str, status: str, now: datetime
) -> Handoff:
    row = Handoff(
        conversation_id=conversation_id,
        reason=reason[:40],
        status=status,
        requested_at=now,
        ticket_at=now if status == "ticket" else None,
        message="",
        acknowledged=False,
    )
    session.add(row)
    return row


async def queue_position(session: AsyncSession, handoff: Handoff) -> int:
    """1 = next in line among waiting (open) requests."""
    result = await session.execute(
        select(func.count())
        .select_from(Handoff)
        .where(Handoff.status == "open", Handoff.id <= handoff.id)
    )
    return max(1, int(result.scalar_one()))


async def recent_waits(session: AsyncSession, since: datetime, limit: int = 30) -> list[timedelta]:
    """How long recent live requests waited before an officer claimed them (newest first)."""
    result = await session.execute(
        select(Handoff.requested_at, Handoff.claimed_at)
        .where(
            Handoff.claimed_at.is_not(None),
            Handoff.ticket_at.is_(None),
            Handoff.requested_at >= since,
        )
        .order_by(Handoff.claimed_at.desc())
        .limit(limit)
    )
    waits = []
    for requested_at, claimed_at in result.all():
        if claimed_at is not None:
            waits.append(_aware(claimed_at) - _aware(requested_at))
    return waits


async def claim_handoff(
    session: AsyncSession, handoff_id: int, officer_id: int, now: datetime
) -> bool:
    """Atomic: only one officer can move a request from the queue to `claimed`."""
    result = await session.execute(
        update(Handoff)
        .where(Handoff.id == handoff_id, Handoff.status.in_(QUEUED))
        .values(status="claimed", claimed_by=officer_id, claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0) == 1  # type: ignore[attr-defined]


async def set_handoff_status(
    session: AsyncSession,
    handoff_id: int,
    *,
    expected: Sequence[str],
    values: dict[str, Any],
    officer_id: int | None = None,
) -> bool:
    """Conditional transition: True only if the row was still in one of `expected`."""
    stmt = update(Handoff).where(Handoff.id == handoff_id, Handoff.status.in_(tuple(expected)))
    if officer_id is not None:
        stmt = stmt.where(Handoff.claimed_by == officer_id)
    result = await session.execute(
        stmt.values(**values).execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0) == 1  # type: ignore[attr-defined]


async def get_handoff(session: AsyncSession, handoff_id: int) -> Handoff | None:
    result = await session.execute(
        select(Handoff).where(Handoff.id == handoff_id).execution_options(populate_existing=True)
    )
    return result.scalar_one_or_none()


async def queue(session: AsyncSession) -> list[tuple[Handoff, Conversation, Officer | None]]:
    """Everything an officer should see: waiting, tickets, and conversations held now."""
    result = await session.execute(
        select(Handoff, Conversation, Officer)
        .join(Conversation, Conversation.id == Handoff.conversation_id)
        .outerjoin(Officer, Officer.id == Handoff.claimed_by)
        .where(Handoff.status.in_(("open", "ticket", "claimed")))
        .order_by(Handoff.requested_at, Handoff.id)
    )
    return [(h, c, o) for h, c, o in result.all()]


async def overdue_waiting(session: AsyncSession, before: datetime) -> Sequence[Handoff]:
    result = await session.execute(
        select(Handoff)
        .where(Handoff.status == "open", Handoff.requested_at < before)
        .order_by(Handoff.id)
    )
    return result.scalars().all()


async def handoffs_of(session: AsyncSession, conversation_id: int) -> Sequence[Handoff]:
    result = await session.execute(
        select(Handoff)
        .where(Handoff.conversation_id == conversation_id)
        .order_by(Handoff.id.desc())
    )
    return result.scalars().all()


async def queue_fingerprint(session: AsyncSession) -> str:
    """Changes whenever the queue does (cheap to poll across processes)."""
    result = await session.execute(
        select(func.count(), func.max(Handoff.id), func.coalesce(func.sum(Handoff.id * 7), 0))
        .select_from(Handoff)
        .where(Handoff.status.in_(("open", "ticket", "claimed")))
    )
    count, max_id, weighted = result.one()
    claimed = await session.execute(
        select(func.count(), func.coalesce(func.sum(Handoff.claimed_by), 0)).where(
            Handoff.status == "claimed"
        )
    )
    c_count, c_sum = claimed.one()
    return f"{count}:{max_id}:{weighted}:{c_count}:{c_sum}"


async def get_officer(session: AsyncSession, officer_id: int) -> Officer | None:
    return await session.get(Officer, officer_id)


# -- canned replies ----------------------------------------------------------------------------


async def canned_replies(session: AsyncSession) -> Sequence[CannedReply]:
    return (await session.execute(select(CannedReply).order_by(CannedReply.title))).scalars().all()


SEEDED = "canned.seed"


async def seed_canned_once(session: AsyncSession, replies: Sequence[tuple[str, str]]) -> bool:
    """Add the default canned replies unless they were added before (an audit entry records
    it, so replies an admin deleted do not come back). True when added now."""
    done = await session.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.action == SEEDED)
    )
    if done:
        return False
    for title, body in replies:
        session.add(CannedReply(title=title[:100], body=body[:4000], updated_at=utcnow()))
    audit(session, None, SEEDED, "canned", count=len(replies))
    return True


async def get_canned(session: AsyncSession, canned_id: int) -> CannedReply | None:
    return await session.get(CannedReply, canned_id)


async def save_canned(
    session: AsyncSession, row: CannedReply | None, title: str, body: str
) -> CannedReply:
    """Add a canned reply (row None) or change one; returns it with its id."""
    if row is None:
        row = CannedReply(title=title, body=body)
        session.add(row)
    else:
        row.title, row.body = title, body
    row.updated_at = utcnow()
    await session.flush()
    return row


async def delete_canned(session: AsyncSession, row: CannedReply) -> None:
    await session.delete(row)


# -- audit -------------------------------------------------------------------------------------


def audit(
    session: AsyncSession,
    officer: Officer | None,
    action: str,
    target: str = "",
    **detail: Any,
) -> AuditEntry:
    entry = AuditEntry(
        officer_id=officer.id if officer else None,
        username=officer.username if officer else "",
        action=action,
        target=target,
        detail=detail,
        created_at=utcnow(),
    )
    session.add(entry)
    return entry


async def audit_entries(session: AsyncSession, limit: int = 200) -> Sequence[AuditEntry]:
    result = await session.execute(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit))
    return result.scalars().all()
