"""Appointments at the MPP counter: today's and tomorrow's visits with the citizen's application,
the counter's marks (arrived, served, no-show), the figures, and (admins) the services' slots."""

# No `from __future__ import annotations`: FastAPI reads the Annotated aliases at import time.
import statistics
from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from console.deps import Admin, Checked, Who, page, state
from office.appointments import AppointmentOffice, MarkError
from storage import appointments as repo
from storage import console as audit_repo
from storage.models.base import utcnow

router = APIRouter()
MARK_LABELS = {"arrived": "Datang", "served": "Dilayani", "no_show": "Tidak datang"}
STATUS_LABELS = {
    "booked": "Terjadwal",
    "arrived": "Sudah datang",
    "served": "Sudah dilayani",
    "no_show": "Tidak datang",
}


def _desk(request: Request) -> AppointmentOffice:
    desk = state(request).office.appointments
    if desk is None:
        raise HTTPException(404, "appointments are not set up")
    return desk


def _day(value: str, today: date) -> date:
    try:
        picked = date.fromisoformat(value) if value else today
    except ValueError:
        return today
    return picked if abs((picked - today).days) <= 366 else today


@router.get("/appointments", response_class=HTMLResponse)
async def appointments(request: Request, who: Who, day: str = "", told: int = -1) -> Response:
    desk = _desk(request)
    today = desk.calendar.local(utcnow()).date()
    shown = _day(day, today)
    visits = await desk.day(shown)
    services = {s.code: s for s in await desk.services()}
    async with state(request).office.sessions() as db:
        app_ids = await repo.application_ids(db, [v.application_reference for v in visits])
    stats = await desk.stats(today - timedelta(days=29), today)
    waits = sorted(stats.wait_minutes)
    return page(
        request,
        "appointments.html",
        who=who,
        day=shown,
        today=today,
        tomorrow=today + timedelta(days=1),
        visits=visits,
        services=services,
        app_ids=app_ids,
        stats=stats,
        wait_median=statistics.median(waits) if waits else None,
        wait_p90=waits[int(0.9 * (len(waits) - 1))] if waits else None,
        marks=MARK_LABELS,
        statuses=STATUS_LABELS,
        told=told,
    )


@router.post("/appointments/{appointment_id}/mark")
async def mark(
    request: Request,
    who: Checked,
    appointment_id: int,
    mark: Annotated[str, Form()],
    day: Annotated[str, Form()] = "",
) -> Response:
    desk = _desk(request)
    if mark not in MARK_LABELS:
        raise HTTPException(422, "unknown mark")
    try:
        visit = await desk.mark(appointment_id, mark, by=who.officer.username)
    except LookupError:
        raise HTTPException(404, "no such appointment") from None
    except MarkError as exc:
        raise HTTPException(409, str(exc)) from None
    async with state(request).office.sessions() as db, db.begin():
        audit_repo.audit(db, who.officer, f"appointment.{mark}", f"appointment:{visit.code}")
    return RedirectResponse(f"/console/appointments?day={_day(day, visit.starts_at.date())}", 303)


@router.post("/appointments/services/{code}")
async def service_settings(
    request: Request,
    who: Admin,
    code: str,
    slot_minutes: Annotated[int, Form()],
    capacity: Annotated[int, Form()],
    active: Annotated[str, Form()] = "",
) -> Response:
    desk = _desk(request)
    try:
        affected = await desk.update_service(
            code,
            slot_minutes=slot_minutes,
            capacity=capacity,
            active=bool(active),
            by=who.officer.username,
        )
    except LookupError:
        raise HTTPException(404, "no such service") from None
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from None
    async with state(request).office.sessions() as db, db.begin():
        audit_repo.audit(
            db, who.officer, "appointment.service", f"service:{code}", told=len(affected)
        )
    return RedirectResponse(f"/console/appointments?told={len(affected)}", 303)
