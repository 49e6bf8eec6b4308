"""Applications: the list (overdue first) and one application, whose status an officer moves on
(the citizen is told at once on their channel)."""

# No `from __future__ import annotations`: FastAPI reads the Annotated aliases at import time.
import json
from datetime import date
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession

from console.application_views import ListRow, decision_view, sections
from console.deps import ApplicationRow, Checked, Signed, Who, page, state
from console.labels import ERRORS
from dialogs.ports import STATUS_LABELS
from office.status import (
    FINAL_STATUSES,
    TRANSITIONS,
    CompletionNeedsResult,
    NotCompleted,
    TransitionError,
)
from storage import console as repo
from storage import console_reads
from storage.applications import documents_of, history_of
from storage.console_reads import OPEN_STATUSES, ApplicationFilter
from storage.files import FileRejected, FileStore
from storage.models import Application
from storage.models.base import utcnow

router = APIRouter()


def _parse_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _overdue_first(rows: list[Application], today: date) -> list[Application]:
    """Overdue open applications first, then by due date."""

    def late(a: Application) -> bool:
        return a.due_date < today and a.status in OPEN_STATUSES

    return sorted(rows, key=lambda a: (not late(a), a.due_date, a.id))


@router.get("/applications", response_class=HTMLResponse)
async def applications(
    request: Request,
    who: Who,
    status: str = "",
    due_before: str = "",
    overdue: str = "",
    q: str = "",
) -> Response:
    console = state(request)
    today = console.office.hours.local(utcnow()).date()
    where = ApplicationFilter(
        status=status if status in STATUS_LABELS else "",
        due_before=_parse_date(due_before),
        overdue_on=today if overdue else None,
        search=q[:100],
    )
    async with console.office.sessions() as db:
        rows = _overdue_first(await console_reads.list_applications(db, where), today)
        officers = await console_reads.officers_in_charge(db, [a.id for a in rows])
    return page(
        request,
        "applications.html",
        who=who,
        rows=[ListRow.of(a, today, officers.get(a.id, "")) for a in rows],
        status=status,
        due_before=due_before,
        overdue=overdue,
        q=q[:100],
    )


@router.get("/applications/{application_id}", response_class=HTMLResponse)
async def application_page(
    request: Request, who: Who, row: ApplicationRow, error: str = ""
) -> Response:
    async with state(request).office.sessions() as db:
        docs = await documents_of(db, row.id)
        history = await history_of(db, row.id)
    return page(
        request,
        "application.html",
        who=who,
        a=row,
        docs=docs,
        history=history,
        transitions=sorted(TRANSITIONS.get(row.status, ())),
        sections=sections(row),
        decision=decision_view(row),
        decision_json=json.dumps(row.decision, ensure_ascii=False, indent=2),
        error=ERRORS.get(error, error if error.startswith("Status") else ""),
    )


async def _stored_document(request: Request, file: UploadFile | None, kept: str) -> str | None:
    """The issued document: a new upload, or one stored on the confirmation step before."""
    console = state(request)
    if file is not None and file.filename:
        stored = await console.office.files.store_upload(file)
        return f"sha256:{stored.sha256}"
    digest = kept.removeprefix("sha256:")
    if kept.startswith("sha256:") and _is_stored(console.office.files, digest):
        return kept
    return None


def _is_stored(files: FileStore, digest: str) -> bool:
    try:
        return files.path_for(digest).is_file()
    except ValueError:
        return False


def _audit_status(
    db: AsyncSession, who: Signed, row: Application, status: str, document_ref: str
) -> None:
    repo.audit(
        db, who.officer, "application.status", f"application:{row.id}",
        reference=row.reference, from_status=row.status, to_status=status,
        document=document_ref,
    )  # fmt: skip


@router.post("/applications/{application_id}/status")
async def change_status(
    request: Request,
    who: Checked,
    row: ApplicationRow,
    status: Annotated[str, Form()],
    note: Annotated[str, Form()] = "",
    permit_number: Annotated[str, Form()] = "",
    file: Annotated[UploadFile | None, File()] = None,
    document_ref: Annotated[str, Form()] = "",
    confirmed: Annotated[str, Form()] = "",
) -> Response:
    console = state(request)
    back = f"/console/applications/{row.id}"
    note, permit_number = note.strip()[:2000], permit_number.strip()[:100]
    try:
        document = await _stored_document(request, file, document_ref)
    except FileRejected as exc:
        return RedirectResponse(f"{back}?error=file_{exc.reason}", 303)
    if status == "completed" and not (document or permit_number or row.result_document):
        return RedirectResponse(f"{back}?error=needs_result", 303)
    if status in FINAL_STATUSES and confirmed != "1":
        # Final statuses cannot be undone: say what will happen and ask once more.
        return page(
            request, "application_confirm.html", who=who, a=row, status=status, note=note,
            permit_number=permit_number, document_ref=document or "",
        )  # fmt: skip
    try:
        await console.office.status.change_status(
            row.reference, status, by=who.officer.username, note=note,
            document_ref=document, permit_number=permit_number,
        )  # fmt: skip
    except TransitionError:
        return RedirectResponse(f"{back}?error=bad_status", 303)
    except CompletionNeedsResult:
        return RedirectResponse(f"{back}?error=needs_result", 303)
    except ValueError:
        return RedirectResponse(f"{back}?error=note_required", 303)
    async with console.office.sessions() as db, db.begin():
        _audit_status(db, who, row, status, document or "")
    return RedirectResponse(back, 303)


@router.post("/applications/{application_id}/result")
async def add_result(
    request: Request,
    who: Checked,
    row: ApplicationRow,
    permit_number: Annotated[str, Form()] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """The permit document (or number) of an application completed without it."""
    console = state(request)
    back = f"/console/applications/{row.id}"
    try:
        document = await _stored_document(request, file, "")
    except FileRejected as exc:
        return RedirectResponse(f"{back}?error=file_{exc.reason}", 303)
    try:
        await console.office.status.add_result(
            row.reference, by=who.officer.username, document_ref=document,
            permit_number=permit_number.strip()[:100],
        )  # fmt: skip
    except CompletionNeedsResult:
        return RedirectResponse(f"{back}?error=needs_result", 303)
    except NotCompleted:
        return RedirectResponse(f"{back}?error=bad_status", 303)
    async with console.office.sessions() as db, db.begin():
        repo.audit(
            db, who.officer, "application.result", f"application:{row.id}",
            reference=row.reference, document=document or "", permit_number=permit_number[:100],
        )  # fmt: skip
    return RedirectResponse(back, 303)
