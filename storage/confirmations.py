"""Repository of officer-confirmed risk levels (issue 13 part 3): the requests citizens make in
one tap, the officers' queue, their determinations and the figures per month."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import RequirementCheck, RiskConfirmation, RuleSetVersion
from storage.models.base import utcnow
from storage.reports import aware

__all__ = [
    "ConfirmationMoment",
    "NewRequest",
    "answered_recently",
    "check_moments",
    "confirmation_moments",
    "get_request",
    "open_requests",
    "published_versions",
    "record_request",
]


@dataclass(frozen=True, slots=True)
class NewRequest:
    conversation_id: int
    channel: str
    chat_id: str
    locale: str
    kbli: str
    kbli_version: str
    kbli_title: str
    scale: str | None
    profile: dict[str, Any]
    hints: list[Any]
    decision: dict[str, Any]
    rule_set_version: int
    due_date: date


async def record_request(session: AsyncSession, new: NewRequest) -> tuple[RiskConfirmation, bool]:
    """Store a request; a second tap for the same business while the first is open returns the
    first (False: not new)."""
    existing = (
        await session.scalars(
            select(RiskConfirmation).where(
                RiskConfirmation.channel == new.channel,
                RiskConfirmation.chat_id == new.chat_id,
                RiskConfirmation.kbli == new.kbli,
                RiskConfirmation.kbli_version == new.kbli_version,
                RiskConfirmation.scale == new.scale,
                RiskConfirmation.status == "open",
            )
        )
    ).first()
    if existing is not None:
        return existing, False
    row = RiskConfirmation(
        conversation_id=new.conversation_id,
        channel=new.channel,
        chat_id=new.chat_id,
        locale=new.locale,
        kbli=new.kbli,
        kbli_version=new.kbli_version,
        kbli_title=new.kbli_title[:300],
        scale=new.scale,
        profile=new.profile,
        hints=new.hints,
        decision=new.decision,
        rule_set_version=new.rule_set_version,
        status="open",
        requested_at=utcnow(),
        due_date=new.due_date,
    )
    session.add(row)
    await session.flush()
    return row, True


async def open_requests(session: AsyncSession) -> list[RiskConfirmation]:
    """The officers' queue, oldest first."""
    return list(
        (
            await session.scalars(
                select(RiskConfirmation)
                .where(RiskConfirmation.status == "open")
                .order_by(RiskConfirmation.requested_at, RiskConfirmation.id)
            )
        ).all()
    )


async def answered_recently(session: AsyncSession, limit: int = 50) -> list[RiskConfirmation]:
    return list(
        (
            await session.scalars(
                select(RiskConfirmation)
                .where(RiskConfirmation.status == "answered")
                .order_by(RiskConfirmation.answered_at.desc())
                .limit(limit)
            )
        ).all()
    )


async def get_request(
    session: AsyncSession, request_id: int, *, lock: bool = False
) -> RiskConfirmation | None:
    stmt = select(RiskConfirmation).where(RiskConfirmation.id == request_id)
    if lock and session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    return (await session.scalars(stmt)).first()


async def published_versions(session: AsyncSession, draft_ids: list[int]) -> dict[int, int]:
    """draft id -> the version number it was published as (drafts not yet published left out)."""
    if not draft_ids:
        return {}
    rows = await session.execute(
        select(RuleSetVersion.id, RuleSetVersion.number).where(
            RuleSetVersion.id.in_(draft_ids), RuleSetVersion.status == "published"
        )
    )
    return {draft: number for draft, number in rows if number is not None}


@dataclass(frozen=True, slots=True)
class ConfirmationMoment:
    requested_at: datetime
    answered_at: datetime | None
    due_date: date


async def check_moments(
    session: AsyncSession, lo: datetime, hi: datetime
) -> list[tuple[datetime, bool]]:
    """(when, needed an officer) of every requirements answer given in [lo, hi)."""
    rows = await session.execute(
        select(RequirementCheck.created_at, RequirementCheck.needs_officer).where(
            RequirementCheck.created_at >= lo, RequirementCheck.created_at < hi
        )
    )
    return [(aware(at), bool(officer)) for at, officer in rows]


async def confirmation_moments(
    session: AsyncSession, lo: datetime, hi: datetime
) -> list[ConfirmationMoment]:
    rows = await session.execute(
        select(
            RiskConfirmation.requested_at, RiskConfirmation.answered_at, RiskConfirmation.due_date
        ).where(RiskConfirmation.requested_at >= lo, RiskConfirmation.requested_at < hi)
    )
    return [ConfirmationMoment(aware(a), aware(b) if b else None, d) for a, b, d in rows]
