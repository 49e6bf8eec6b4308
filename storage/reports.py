"""Repository of the admin reports: what happened between two instants, as plain typed values.

The arithmetic (sessions, percentiles, satisfaction index, effectiveness) is
`office.report_math`'s; the report itself is put together in `office.reports`. Every instant
returned here is timezone-aware (UTC).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Literal

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    Application,
    Conversation,
    Handoff,
    ReportSetting,
    RequirementCheck,
    SurveyResponse,
    TranscriptMessage,
)
from storage.models.base import utcnow

__all__ = [
    "CheckCount",
    "CompletedApplication",
    "InboundMessage",
    "SurveyAnswers",
    "check_counts",
    "completed_applications",
    "handoff_count",
    "handoff_durations",
    "inbound_messages",
    "put_setting",
    "settings",
    "status_counts",
    "survey_answers",
]


@dataclass(frozen=True, slots=True)
class InboundMessage:
    channel: str
    conversation_id: int
    at: datetime


@dataclass(frozen=True, slots=True)
class CheckCount:
    kbli: str
    kbli_version: str
    checks: int
    needs_officer: int


@dataclass(frozen=True, slots=True)
class CompletedApplication:
    created_at: datetime
    completed_at: datetime
    due_date: date
    scale: str  # the decision's business scale ("mikro", "kecil", ...), "" when unknown


@dataclass(frozen=True, slots=True)
class SurveyAnswers:
    """One survey response: each element scored 1-4, None when skipped."""

    requirements: int | None
    speed: int | None
    clarity: int | None
    manner: int | None


def aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes for timezone=True columns; they were stored in UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


async def settings(session: AsyncSession) -> dict[str, Any]:
    """Every report setting: key -> JSON value (None values left out)."""
    rows = (await session.scalars(select(ReportSetting))).all()
    return {row.key: row.value for row in rows if row.value is not None}


async def put_setting(session: AsyncSession, key: str, value: Any, *, by: str) -> None:
    row = await session.get(ReportSetting, key)
    if row is None:
        session.add(ReportSetting(key=key, value=value, updated_by=by[:50], updated_at=utcnow()))
    else:
        row.value, row.updated_by, row.updated_at = value, by[:50], utcnow()
    await session.flush()


async def inbound_messages(
    session: AsyncSession, lo: datetime, hi: datetime
) -> list[InboundMessage]:
    """Every citizen message in [lo, hi) with its channel and conversation."""
    rows = await session.execute(
        select(
            Conversation.channel, TranscriptMessage.conversation_id, TranscriptMessage.created_at
        )
        .join(Conversation, Conversation.id == TranscriptMessage.conversation_id)
        .where(
            TranscriptMessage.direction == "in",
            TranscriptMessage.created_at >= lo,
            TranscriptMessage.created_at < hi,
        )
    )
    return [InboundMessage(channel, cid, aware(at)) for channel, cid, at in rows]


async def check_counts(session: AsyncSession, lo: datetime, hi: datetime) -> list[CheckCount]:
    """Requirement checks in [lo, hi) per KBLI code and version (the same digits mean other
    activities in KBLI 2020 and 2025), and how many of them needed an officer."""
    officer = func.sum(case((RequirementCheck.needs_officer.is_(True), 1), else_=0))
    rows = await session.execute(
        select(RequirementCheck.kbli, RequirementCheck.kbli_version, func.count(), officer)
        .where(RequirementCheck.created_at >= lo, RequirementCheck.created_at < hi)
        .group_by(RequirementCheck.kbli, RequirementCheck.kbli_version)
    )
    return [CheckCount(kbli, version, int(n), int(o or 0)) for kbli, version, n, o in rows]


async def status_counts(session: AsyncSession, lo: datetime, hi: datetime) -> dict[str, int]:
    """Applications made in [lo, hi) per current status (statuses without any left out)."""
    rows = await session.execute(
        select(Application.status, func.count())
        .where(Application.created_at >= lo, Application.created_at < hi)
        .group_by(Application.status)
    )
    return {status: int(n) for status, n in rows}


async def completed_applications(
    session: AsyncSession, lo: datetime, hi: datetime
) -> list[CompletedApplication]:
    """Applications completed in [lo, hi)."""
    rows = await session.execute(
        select(
            Application.created_at,
            Application.completed_at,
            Application.due_date,
            Application.decision,
        ).where(
            Application.status == "completed",
            Application.completed_at >= lo,
            Application.completed_at < hi,
        )
    )
    return [
        CompletedApplication(
            aware(created), aware(completed), due, str((decision or {}).get("scale") or "")
        )
        for created, completed, due, decision in rows
        if completed is not None
    ]


async def handoff_count(session: AsyncSession, lo: datetime, hi: datetime) -> int:
    """Requests for an officer made in [lo, hi)."""
    stmt = select(func.count()).where(Handoff.requested_at >= lo, Handoff.requested_at < hi)
    return int(await session.scalar(stmt) or 0)


async def handoff_durations(
    session: AsyncSession,
    lo: datetime,
    hi: datetime,
    until: Literal["claimed", "first_response"],
) -> list[tuple[datetime, datetime]]:
    """(requested, claimed or first answered) of the requests made in [lo, hi) that got there."""
    end = Handoff.claimed_at if until == "claimed" else Handoff.first_response_at
    rows = await session.execute(
        select(Handoff.requested_at, end).where(
            Handoff.requested_at >= lo, Handoff.requested_at < hi, end.is_not(None)
        )
    )
    return [(aware(a), aware(b)) for a, b in rows if b is not None]


async def survey_answers(session: AsyncSession, lo: datetime, hi: datetime) -> list[SurveyAnswers]:
    """Survey responses given in [lo, hi)."""
    rows = await session.execute(
        select(
            SurveyResponse.requirements,
            SurveyResponse.speed,
            SurveyResponse.clarity,
            SurveyResponse.manner,
        ).where(SurveyResponse.created_at >= lo, SurveyResponse.created_at < hi)
    )
    return [SurveyAnswers(*row) for row in rows]
