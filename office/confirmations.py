"""Officer-confirmed risk levels: the unknowns get known (issue 13 part 3).

When a decision needs an officer (no cited risk row), the citizen asks for a confirmation in one
tap (the dialog stores it through `storage.confirmations`). Officers work the requests from
their own queue in the console, apart from live chats: they record the risk level and the
permits, and where they checked ("OSS, dicek 2 Des 2026"). The citizen is told at once on their
channel; the determination becomes a DRAFT rule row (the rule set in force plus that row) for an
admin to review, verify and publish, after which the next citizen with the same profile gets the
answer directly.
"""

from __future__ import annotations

import logging
import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from dialogs.messages import ConversationKey, Outbound
from dialogs.texts import text
from office.notifications import Notifications
from permit_rules import RiskLevel, RuleSet, load_default_catalog
from permit_rules.rule_edits import add_activity, add_risk_rule
from storage import confirmations as repo
from storage.models import Conversation, RiskConfirmation
from storage.models.base import utcnow
from storage.rule_sets import active_version, save_draft, version_content

log = logging.getLogger(__name__)
JAKARTA = ZoneInfo("Asia/Jakarta")

__all__ = [
    "AlreadyAnswered",
    "ConfirmationService",
    "Determination",
    "MonthFigures",
    "RequestNotFound",
    "monthly_figures",
]


class RequestNotFound(LookupError):
    pass


class AlreadyAnswered(ValueError):
    pass


@dataclass(frozen=True)
class Determination:
    """What the officer found: the risk level, permits beyond its outcome, where they checked."""

    risk_level: RiskLevel
    permits: tuple[str, ...]
    checked_where: str
    note: str = ""


@dataclass(frozen=True)
class Answered:
    request_id: int
    draft_id: int
    rule_id: str


class ConfirmationService:
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], notifications: Notifications
    ) -> None:
        self._sessions = sessions
        self._notifications = notifications

    async def answer(
        self, request_id: int, found: Determination, *, by: str, today: date | None = None
    ) -> Answered:
        """Record the officer's determination, turn it into a draft rule row and tell the
        citizen, in one transaction. ValueError when the determination cannot be used."""
        where = found.checked_where.strip()
        if not where:
            raise ValueError("say where the level was checked (e.g. OSS, and when)")
        day = today or utcnow().astimezone(JAKARTA).date()
        async with self._sessions() as session, session.begin():
            row = await repo.get_request(session, request_id, lock=True)
            if row is None:
                raise RequestNotFound(request_id)
            if row.status != "open":
                raise AlreadyAnswered(request_id)
            number, rules = await active_version(session)
            unknown = [p for p in found.permits if p not in rules.permits]
            if unknown:
                raise ValueError(f"unknown permit(s): {', '.join(unknown)}")
            rule = _rule_row(row, found, where, by=by, day=day)
            draft_text = _draft_text(await version_content(session, number), rules, row, rule)
            draft_id = await save_draft(
                session,
                draft_text,
                by=by,
                note=(
                    f"konfirmasi risiko #{row.id}: KBLI {row.kbli} skala {row.scale or '-'} "
                    f"{found.risk_level.display} (dicek di: {where})"
                ),
                source_name=f"konfirmasi #{row.id}",
            )
            row.status = "answered"
            row.answered_by = by
            row.answered_at = utcnow()
            row.risk_level = found.risk_level.value
            row.permits = list(found.permits)
            row.checked_where = where
            row.note = found.note.strip()
            row.draft_id = draft_id
            conv = await session.get(Conversation, row.conversation_id)
            locale = conv.locale if conv is not None else row.locale
            await self._notifications.enqueue(
                session,
                row.conversation_id,
                ConversationKey(row.channel, row.chat_id),
                [_citizen_message(row, found, rules, locale)],
                author_id=by,
            )
            conversation_id = row.conversation_id
        self._notifications.notify(conversation_id)
        log.info("risk confirmation %s answered by %s (draft %s)", request_id, by, draft_id)
        return Answered(request_id, draft_id, str(rule["id"]))


def _rule_row(
    row: RiskConfirmation, found: Determination, where: str, *, by: str, day: date
) -> dict[str, Any]:
    scale = row.scale
    rule: dict[str, Any] = {
        "id": f"{row.kbli}-{scale or 'semua'}-petugas-{row.id}",
        "when": {"scale": [scale]} if scale else {},
        "risk_level": found.risk_level.value,
    }
    if found.permits:
        rule["extra_permits"] = list(found.permits)
    if found.note.strip():
        rule["note"] = found.note.strip()
    rule["legal_basis"] = {
        "regulation": "PP 28/2025",
        "article": f"Lampiran I (KBLI 2025 {row.kbli}" + (f", skala {scale})" if scale else ")"),
        # The officer read the level in the official system that applies the annex.
        "source": f"{where}; dipastikan petugas {by} pada {day.isoformat()} "
        f"(permintaan konfirmasi #{row.id})",
        "status": "verified",
    }
    rule["verified_by"] = None
    rule["verified_on"] = None
    return rule


def _draft_text(content: str, rules: RuleSet, row: RiskConfirmation, rule: dict[str, Any]) -> str:
    """The rule set in force plus the new row: under its activity, or in a new activity when the
    rules had none for the code (titled by the catalog)."""
    if rules.meta.kbli_version == row.kbli_version and any(
        a.kbli == row.kbli for a in rules.activities
    ):
        return add_risk_rule(content, row.kbli, rule)
    entry = load_default_catalog().get(row.kbli)
    title = entry.display_title if entry is not None else (row.kbli_title or row.kbli)
    return add_activity(
        content,
        {
            "kbli": row.kbli,
            "title": title,
            "everyday_words": [],
            "support": [],
            "risk_rules": [rule],
        },
    )


def _citizen_message(
    row: RiskConfirmation, found: Determination, rules: RuleSet, locale: str
) -> Outbound:
    level = found.risk_level
    names = [
        rules.permits[c].name
        for c in (*level.outcome_permits, *found.permits)
        if c in rules.permits
    ]
    body = text(
        locale,
        "confirm_answered",
        number=row.id,
        activity=row.kbli_title or row.kbli,
        kbli=row.kbli,
        risk=text(locale, f"risk_{level.value}"),
        where=row.checked_where or found.checked_where,
    )
    if names:
        body += "\n" + text(locale, "confirm_answered_permits", permits="; ".join(names))
    if found.note.strip():
        body += "\n" + text(locale, "confirm_answered_note", note=found.note.strip())
    body += "\n\n" + text(locale, "confirm_answered_next")
    return Outbound(body, author="system")


# ---------------------------------------------------------------------- figures per month
@dataclass(frozen=True)
class MonthFigures:
    month: str  # "2026-12"
    decisions: int
    needed_officer: int
    requested: int
    answered: int
    answered_on_time: int
    median_hours: float | None
    mean_hours: float | None

    @property
    def officer_share(self) -> float | None:
        return 100.0 * self.needed_officer / self.decisions if self.decisions else None


def _month(moment: datetime) -> str:
    return moment.astimezone(JAKARTA).strftime("%Y-%m")


async def monthly_figures(session: AsyncSession, first: date, last: date) -> list[MonthFigures]:
    """Per month (Asia/Jakarta) from `first` to `last`: the share of requirement answers that
    needed an officer, and how long officers' risk confirmations took."""
    lo = datetime.combine(first, time.min, JAKARTA).astimezone(UTC)
    hi = datetime.combine(last + timedelta(days=1), time.min, JAKARTA).astimezone(UTC)
    decisions: dict[str, list[bool]] = defaultdict(list)
    for at, officer in await repo.check_moments(session, lo, hi):
        decisions[_month(at)].append(officer)
    asked: dict[str, list[repo.ConfirmationMoment]] = defaultdict(list)
    for moment in await repo.confirmation_moments(session, lo, hi):
        asked[_month(moment.requested_at)].append(moment)
    out = []
    for month in sorted(set(decisions) | set(asked)):
        done = [m for m in asked[month] if m.answered_at is not None]
        hours = [
            (m.answered_at - m.requested_at).total_seconds() / 3600 for m in done if m.answered_at
        ]
        on_time = sum(
            1
            for m in done
            if m.answered_at and m.answered_at.astimezone(JAKARTA).date() <= m.due_date
        )
        out.append(
            MonthFigures(
                month=month,
                decisions=len(decisions[month]),
                needed_officer=sum(decisions[month]),
                requested=len(asked[month]),
                answered=len(done),
                answered_on_time=on_time,
                median_hours=round(statistics.median(hours), 1) if hours else None,
                mean_hours=round(statistics.fmean(hours), 1) if hours else None,
            )
        )
    return out
