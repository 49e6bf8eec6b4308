"""Applications: the list (overdue first) and one application, whose status an officer moves on
(the citizen is told at once on their channel)."""

# No `from __future__ import annotations`: FastAPI reads the Annotated aliases at import time.
import json
from datetime import date
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from console.deps import ApplicationRow, Checked, Who, page, state
from console.labels import ERRORS
from dialogs.ports import STATUS_LABELS
from office.status import TRANSITIONS, TransitionError
from storage import console as repo
from storage import console_reads
from storage.applications import documents_of, history_of
from storage.console_reads import OPEN_STATUSES, ApplicationFilter
from storage.files import FileRejected
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
    request: Request, who: Who, status: str = "", due_before: str = "", overdue: str = ""
) -> Response:
    console = state(request)
    today = console.office.hours.local(utcnow()).date()
    where = ApplicationFilter(
        status=status if status in STATUS_LABELS else "",
        due_before=_parse_date(due_before),
        overdue_on=today if overdue else None,
    )
    async with console.office.sessions() as db:
        rows = await console_reads.list_applications(db, where)
    return page(
        request,
        "applications.html",
        who=who,
        applications=_overdue_first(rows, today),
        today=today,
        open_statuses=OPEN_STATUSES,
        status=status,
        due_before=due_before,
        overdue=overdue,
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
        decision_json=json.dumps(row.decision, ensure_ascii=False, indent=2),
        error=ERRORS.get(error, error if error.startswith("Status") else ""),
    )


@router.post("/applications/{application_id}/status")
async def change_status(
    request: Request,
    who: Checked,
    row: ApplicationRow,
    status: Annotated[str, Form()],
    note: Annotated[str, Form()] = "",
    permit_number: Annotated[str, Form()] = "",
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    console = state(request)
    back = f"/console/applications/{row.id}"
    document_ref = None
    if file is not None and file.filename:
        try:
            stored = await console.office.files.store_upload(file)
        except FileRejected as exc:
            return RedirectResponse(f"{back}?error=file_{exc.reason}", 303)
        document_ref = f"sha256:{stored.sha256}"
    try:
        await console.office.status.change_status(
            row.reference,
            status,
            by=who.officer.username,
            note=note.strip()[:2000],
            document_ref=document_ref,
            permit_number=permit_number.strip()[:100],
        )
    except TransitionError:
        return RedirectResponse(f"{back}?error=bad_status", 303)
    except ValueError:
        return RedirectResponse(f"{back}?error=note_required", 303)
    async with console.office.sessions() as db, db.begin():
        repo.audit(
            db,
            who.officer,
            "application.status",
            f"application:{row.id}",
            reference=row.reference,
            from_status=row.status,
            to_status=status,
            document=document_ref or "",
        )
    return RedirectResponse(back, 303)
