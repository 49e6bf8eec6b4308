"""Repository for applications: references, status history, documents, surveys; and the
rule source the dialogs use. Implements the interfaces in `dialogs.ports`."""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from dialogs.ports import (
    ApplicationView,
    DocumentIn,
    NewApplication,
    Owner,
    RequirementCheck,
    SurveyAnswer,
)
from permit_rules import IN_FORCE_VERSION, RuleSet, today_jakarta
from storage.conversations import _insert, get_conversation
from storage.models import (
    Application,
    ApplicationDocument,
    ApplicationStatusChange,
    ReferenceCounter,
    RuleSetVersion,
    SurveyResponse,
)
from storage.models.base import utcnow
from storage.models.reports import RequirementCheck as RequirementCheckRow
from storage.rule_sets import seed_if_empty

# Allowed status changes (the officer console and the citizen's revision go through these).
TRANSITIONS: dict[str, frozenset[str]] = {
    "submitted": frozenset({"in_review", "needs_revision", "rejected"}),
    "in_review": frozenset({"needs_revision", "processing", "rejected"}),
    "needs_revision": frozenset({"submitted", "in_review", "rejected"}),
    "processing": frozenset({"completed", "needs_revision", "rejected"}),
    "completed": frozenset(),
    "rejected": frozenset(),
}


class TransitionError(ValueError):
    """The status change is not allowed from the application's current status."""


async def next_reference(session: AsyncSession, year: int) -> str:
    """SKT-<year>-<6 digits>, sequential per year.

    The counter row is incremented with one UPDATE, which takes the row's write lock until the
    transaction ends (PostgreSQL); on SQLite every writing transaction is already serialized
    (BEGIN IMMEDIATE). So two concurrent applications never get the same number, and a
    rolled-back transaction gives its number back.
    """
    await session.execute(
        _insert(session, ReferenceCounter)
        .values(year=year, last=0)
        .on_conflict_do_nothing(index_elements=["year"])
    )
    result = await session.execute(
        update(ReferenceCounter)
        .where(ReferenceCounter.year == year)
        .values(last=ReferenceCounter.last + 1)
        .returning(ReferenceCounter.last)
    )
    number = int(result.scalar_one())
    return f"SKT-{year}-{number:06d}"


def view(app: Application, document_kinds: tuple[str, ...] = ()) -> ApplicationView:
    return ApplicationView(
        reference=app.reference,
        status=app.status,
        status_note=app.status_note,
        kbli=app.kbli,
        kbli_version=app.kbli_version,
        kbli_title=app.kbli_title,
        business_name=str((app.business or {}).get("business_name") or ""),
        rule_set_version=app.rule_set_version,
        due_date=app.due_date,
        created_at=app.created_at,
        permit_number=app.permit_number,
        result_document=app.result_document,
        applicant=dict(app.applicant or {}),
        business=dict(app.business or {}),
        location=dict(app.location or {}),
        decision=dict(app.decision or {}),
        document_kinds=document_kinds,
    )


async def get_by_reference(
    session: AsyncSession, reference: str, *, lock: bool = False
) -> Application | None:
    stmt = select(Application).where(Application.reference == reference.strip().upper())
    if lock and session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def documents_of(session: AsyncSession, application_id: int) -> list[ApplicationDocument]:
    result = await session.execute(
        select(ApplicationDocument)
        .where(ApplicationDocument.application_id == application_id)
        .order_by(ApplicationDocument.id)
    )
    return list(result.scalars().all())


async def history_of(session: AsyncSession, application_id: int) -> list[ApplicationStatusChange]:
    result = await session.execute(
        select(ApplicationStatusChange)
        .where(ApplicationStatusChange.application_id == application_id)
        .order_by(ApplicationStatusChange.id)
    )
    return list(result.scalars().all())


def record_change(
    session: AsyncSession,
    app: Application,
    new_status: str,
    *,
    by: str,
    note: str = "",
    document_ref: str = "",
) -> None:
    """Move an application to `new_status` with a history row (caller holds the transaction)."""
    if new_status not in TRANSITIONS.get(app.status, frozenset()):
        raise TransitionError(f"{app.status} -> {new_status} is not allowed")
    now = utcnow()
    session.add(
        ApplicationStatusChange(
            application_id=app.id,
            from_status=app.status,
            to_status=new_status,
            by=by[:100],
            note=note,
            document_ref=document_ref,
            created_at=now,
        )
    )
    app.status = new_status
    app.status_note = note
    app.updated_at = now
    if new_status == "completed":
        app.completed_at = now


def record_result(
    session: AsyncSession, app: Application, *, by: str, document_ref: str = ""
) -> None:
    """A history row for a result given to a completed application afterwards (no status change)."""
    session.add(
        ApplicationStatusChange(
            application_id=app.id,
            from_status=app.status,
            to_status=app.status,
            by=by[:100],
            note="dokumen/nomor izin ditambahkan",
            document_ref=document_ref,
            created_at=utcnow(),
        )
    )
    app.updated_at = utcnow()


def _add_document(session: AsyncSession, application_id: int, doc: DocumentIn) -> None:
    session.add(
        ApplicationDocument(
            application_id=application_id,
            kind=doc.kind,
            sha256=doc.ref.removeprefix("sha256:"),
            mime=doc.mime,
            size=doc.size,
            file_name=doc.file_name[:200],
            created_at=utcnow(),
        )
    )


class SqlApplicationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def _conversation_id(self, owner: Owner) -> int:
        conv = await get_conversation(self._session, owner.channel, owner.chat_id)
        if conv is None:
            raise LookupError("the conversation of this turn does not exist")
        return conv.id

    async def create(self, application: NewApplication) -> ApplicationView:
        session = self._session
        now = utcnow()
        reference = await next_reference(session, today_jakarta().year)
        app = Application(
            reference=reference,
            conversation_id=await self._conversation_id(application.owner),
            channel=application.owner.channel,
            chat_id=application.owner.chat_id,
            locale=application.locale,
            applicant=application.applicant,
            business=application.business,
            location=application.location,
            kbli=application.kbli,
            kbli_version=application.kbli_version,
            kbli_title=application.kbli_title[:300],
            decision=application.decision,
            rule_set_version=application.rule_set_version,
            status="submitted",
            due_date=application.due_date,
            created_at=now,
            updated_at=now,
        )
        session.add(app)
        await session.flush()
        session.add(
            ApplicationStatusChange(
                application_id=app.id,
                from_status="",
                to_status="submitted",
                by="citizen",
                note="",
                created_at=now,
            )
        )
        for doc in application.documents:
            _add_document(session, app.id, doc)
        await session.flush()
        return view(app, tuple(d.kind for d in application.documents))

    async def find(self, reference: str, owner: Owner) -> ApplicationView | None:
        app = await get_by_reference(self._session, reference)
        if app is None or app.channel != owner.channel or app.chat_id != owner.chat_id:
            return None  # someone else's reference looks exactly like a missing one
        docs = await documents_of(self._session, app.id)
        return view(app, tuple(d.kind for d in docs if not d.replaced))

    async def list_for(self, owner: Owner, limit: int = 5) -> list[ApplicationView]:
        result = await self._session.execute(
            select(Application)
            .where(Application.channel == owner.channel, Application.chat_id == owner.chat_id)
            .order_by(Application.id.desc())
            .limit(limit)
        )
        return [view(a) for a in result.scalars().all()]

    async def attach_receipt(self, reference: str, document_ref: str) -> None:
        app = await get_by_reference(self._session, reference)
        if app is not None:
            app.receipt_document = document_ref

    async def resubmit(
        self,
        reference: str,
        owner: Owner,
        *,
        changes: dict[str, dict[str, Any]],
        documents: tuple[DocumentIn, ...],
        note: str,
    ) -> ApplicationView | None:
        app = await get_by_reference(self._session, reference, lock=True)
        if app is None or app.channel != owner.channel or app.chat_id != owner.chat_id:
            return None
        if app.status != "needs_revision":
            return None
        for section, values in changes.items():
            current = dict(getattr(app, section) or {})
            current.update(values)
            setattr(app, section, current)  # a new dict, so the JSON column is saved
        if documents:
            kinds = {d.kind for d in documents}
            for old in await documents_of(self._session, app.id):
                if old.kind in kinds:
                    old.replaced = True
            for doc in documents:
                _add_document(self._session, app.id, doc)
        changed = sorted({*(k for v in changes.values() for k in v), *(d.kind for d in documents)})
        record_change(
            self._session, app, "submitted", by="citizen", note=f"{note}: {', '.join(changed)}"
        )
        await self._session.flush()
        return view(app)

    async def save_survey(self, owner: Owner, answer: SurveyAnswer) -> None:
        application_id: int | None = None
        if answer.reference:
            app = await get_by_reference(self._session, answer.reference)
            if app is not None and app.channel == owner.channel and app.chat_id == owner.chat_id:
                application_id = app.id
        conv = await get_conversation(self._session, owner.channel, owner.chat_id)
        ratings = {k: v for k, v in answer.ratings.items() if 1 <= int(v) <= 4}
        self._session.add(
            SurveyResponse(
                application_id=application_id,
                conversation_id=conv.id if conv is not None else None,
                service=answer.service[:40] or "application",
                requirements=ratings.get("requirements"),
                speed=ratings.get("speed"),
                clarity=ratings.get("clarity"),
                manner=ratings.get("manner"),
                comment=answer.comment,
                created_at=utcnow(),
            )
        )


class SqlCheckLog:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record(self, check: RequirementCheck) -> None:
        conv = await get_conversation(self._session, check.owner.channel, check.owner.chat_id)
        self._session.add(
            RequirementCheckRow(
                conversation_id=conv.id if conv is not None else None,
                channel=check.owner.channel,
                kbli=check.kbli[:10],
                kbli_version=check.kbli_version,
                rule_set_version=check.rule_set_version,
                scale=check.scale,
                risk_level=check.risk_level,
                needs_officer=check.needs_officer,
                created_at=utcnow(),
            )
        )


# Parsed rule sets by content hash: a published version never changes, so parsing once is enough.
_RULES_CACHE: dict[str, RuleSet] = {}
_RULES_LOCK = threading.Lock()


class DbRuleSource:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def active(self) -> tuple[int, RuleSet]:
        row = await self._active_row()
        if row is None or row.kbli_version != IN_FORCE_VERSION:
            await seed_if_empty(self._session)
            row = await self._active_row()
        if row is None or row.number is None:  # pragma: no cover - seeding always publishes
            raise LookupError("no published rule set")
        with _RULES_LOCK:
            rules = _RULES_CACHE.get(row.content_sha256)
        if rules is None:
            rules = RuleSet.from_yaml(row.content, f"version {row.number}")
            with _RULES_LOCK:
                _RULES_CACHE[row.content_sha256] = rules
        return row.number, rules

    async def _active_row(self) -> RuleSetVersion | None:
        stmt = (
            select(RuleSetVersion)
            .where(RuleSetVersion.status == "published")
            .order_by(RuleSetVersion.number.desc())
            .limit(1)
        )
        return (await self._session.scalars(stmt)).first()
