"""Repository of re-checks: open applications, the decision each was last judged by, the history
of re-checks, and the flags officers acknowledge (issue 13 part 4)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Application, ApplicationRecheck
from storage.models.base import utcnow

__all__ = [
    "FINAL_STATUSES",
    "Judged",
    "RecheckRow",
    "acknowledge",
    "add_recheck",
    "flagged",
    "get_recheck",
    "history",
    "open_applications",
]

FINAL_STATUSES = ("completed", "rejected")


@dataclass(frozen=True, slots=True)
class Judged:
    """An open application and the decision it was last judged by."""

    application: Application
    version: int
    decision: dict[str, Any]


@dataclass(frozen=True, slots=True)
class RecheckRow:
    id: int
    reference: str
    kbli: str
    kbli_version: str
    kbli_title: str
    business_name: str
    status: str
    previous_version: int
    rule_set_version: int
    before: dict[str, Any]
    after: dict[str, Any]
    changes: dict[str, Any]
    todo: str
    created_at: datetime
    acknowledged_by: str
    acknowledged_at: datetime | None


async def open_applications(session: AsyncSession) -> list[Judged]:
    """Applications not completed or rejected, each with its latest decision: the newest
    re-check's, else the one it was submitted with."""
    latest = (
        select(ApplicationRecheck.application_id, func.max(ApplicationRecheck.id).label("last"))
        .group_by(ApplicationRecheck.application_id)
        .subquery()
    )
    rows = await session.execute(
        select(Application, ApplicationRecheck)
        .outerjoin(latest, latest.c.application_id == Application.id)
        .outerjoin(ApplicationRecheck, ApplicationRecheck.id == latest.c.last)
        .where(Application.status.not_in(FINAL_STATUSES))
        .order_by(Application.id)
    )
    out: list[Judged] = []
    for app, last in rows:
        if last is None:
            out.append(Judged(app, app.rule_set_version, dict(app.decision or {})))
        else:
            out.append(Judged(app, last.rule_set_version, dict(last.after or {})))
    return out


def add_recheck(
    session: AsyncSession,
    application_id: int,
    *,
    previous_version: int,
    rule_set_version: int,
    before: dict[str, Any],
    after: dict[str, Any],
    changes: dict[str, Any],
    todo: str,
) -> None:
    session.add(
        ApplicationRecheck(
            application_id=application_id,
            previous_version=previous_version,
            rule_set_version=rule_set_version,
            before=before,
            after=after,
            changes=changes,
            todo=todo,
            created_at=utcnow(),
        )
    )


def _row(recheck: ApplicationRecheck, app: Application) -> RecheckRow:
    return RecheckRow(
        id=recheck.id,
        reference=app.reference,
        kbli=app.kbli,
        kbli_version=app.kbli_version,
        kbli_title=app.kbli_title,
        business_name=str((app.business or {}).get("business_name") or ""),
        status=app.status,
        previous_version=recheck.previous_version,
        rule_set_version=recheck.rule_set_version,
        before=dict(recheck.before or {}),
        after=dict(recheck.after or {}),
        changes=dict(recheck.changes or {}),
        todo=recheck.todo,
        created_at=recheck.created_at,
        acknowledged_by=recheck.acknowledged_by,
        acknowledged_at=recheck.acknowledged_at,
    )


async def flagged(session: AsyncSession) -> list[RecheckRow]:
    """Re-checks no officer has acknowledged yet, oldest first."""
    rows = await session.execute(
        select(ApplicationRecheck, Application)
        .join(Application, Application.id == ApplicationRecheck.application_id)
        .where(ApplicationRecheck.acknowledged_at.is_(None))
        .order_by(ApplicationRecheck.id)
    )
    return [_row(recheck, app) for recheck, app in rows]


async def get_recheck(session: AsyncSession, recheck_id: int) -> RecheckRow | None:
    found = (
        await session.execute(
            select(ApplicationRecheck, Application)
            .join(Application, Application.id == ApplicationRecheck.application_id)
            .where(ApplicationRecheck.id == recheck_id)
        )
    ).first()
    return None if found is None else _row(found[0], found[1])


async def history(session: AsyncSession, reference: str) -> list[RecheckRow]:
    rows = await session.execute(
        select(ApplicationRecheck, Application)
        .join(Application, Application.id == ApplicationRecheck.application_id)
        .where(Application.reference == reference)
        .order_by(ApplicationRecheck.id)
    )
    return [_row(recheck, app) for recheck, app in rows]


async def acknowledge(session: AsyncSession, recheck_id: int, *, by: str) -> bool:
    """Mark a re-check seen by its officer; False when it is unknown or already acknowledged."""
    result = await session.execute(
        update(ApplicationRecheck)
        .where(ApplicationRecheck.id == recheck_id, ApplicationRecheck.acknowledged_at.is_(None))
        .values(acknowledged_by=by, acknowledged_at=utcnow())
    )
    return bool(getattr(result, "rowcount", 0))
