"""Risk confirmations: the officers' own queue of citizens' requests that an officer confirm a
risk level the rules could not give (issue 13 part 3), apart from live chats. An officer records
the level, the permits and where they checked; the citizen is told at once, and the
determination becomes a draft rule row that an admin reviews, verifies and publishes in the
rules editor. The page also shows, per month, how often answers needed an officer and how long
confirmations took."""

# No `from __future__ import annotations`: FastAPI reads the Annotated aliases at import time.
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from console.deps import Checked, Who, page, state
from office.confirmations import (
    AlreadyAnswered,
    Determination,
    RequestNotFound,
    monthly_figures,
)
from permit_rules import RiskLevel, version_label
from storage import confirmations as repo
from storage import console as audit_repo
from storage.models.base import utcnow
from storage.reports import aware
from storage.rule_sets import active_version

router = APIRouter()
MONTHS = 6


def _age(requested_at: datetime) -> str:
    hours = int((utcnow() - aware(requested_at)).total_seconds() // 3600)
    return f"{hours // 24} hari {hours % 24} jam" if hours >= 24 else f"{hours} jam"


@router.get("/confirmations", response_class=HTMLResponse)
async def confirmations_page(request: Request, who: Who) -> Response:
    office = state(request).office
    today = office.hours.local(utcnow()).date()
    first = (today.replace(day=1) - timedelta(days=31 * (MONTHS - 1))).replace(day=1)
    async with office.sessions() as db:
        waiting = await repo.open_requests(db)
        answered = await repo.answered_recently(db)
        published = await repo.published_versions(db, [r.draft_id for r in answered if r.draft_id])
        figures = await monthly_figures(db, first, today)
    return page(
        request,
        "confirmations.html",
        who=who,
        waiting=waiting,
        answered=answered,
        published=published,
        figures=figures,
        age=_age,
        today=today,
        version_label=version_label,
    )


@router.get("/confirmations/{request_id}", response_class=HTMLResponse)
async def confirmation_page(
    request: Request, request_id: int, who: Who, error: str = ""
) -> Response:
    async with state(request).office.sessions() as db:
        row = await repo.get_request(db, request_id)
        if row is None:
            raise HTTPException(404, "tidak ditemukan")
        _number, rules = await active_version(db)
        published = await repo.published_versions(db, [row.draft_id] if row.draft_id else [])
    extra = {code: p.name for code, p in rules.permits.items() if p.kind == "pb_umku"}
    return page(
        request,
        "confirmation.html",
        status_code=422 if error else 200,
        who=who,
        r=row,
        levels=list(RiskLevel),
        permits=extra,
        error=error,
        published=published.get(row.draft_id or 0),
        age=_age,
        version_label=version_label,
    )


@router.post("/confirmations/{request_id}")
async def confirmation_answer(
    request: Request,
    request_id: int,
    who: Checked,
    risk_level: Annotated[str, Form()] = "",
    checked_where: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
    permits: Annotated[list[str] | None, Form()] = None,
) -> Response:
    office = state(request).office
    try:
        level = RiskLevel(risk_level)
    except ValueError:
        return await confirmation_page(request, request_id, who, "Pilih tingkat risiko.")
    found = Determination(
        risk_level=level,
        permits=tuple(dict.fromkeys(permits or ())),
        checked_where=checked_where[:300],
        note=note[:1000],
    )
    try:
        done = await office.confirmations.answer(request_id, found, by=who.officer.username)
    except RequestNotFound:
        raise HTTPException(404, "tidak ditemukan") from None
    except AlreadyAnswered:
        raise HTTPException(409, "permintaan ini sudah dijawab") from None
    except ValueError as exc:
        message = str(exc)
        if "where" in message:
            message = "Tulis di mana tingkat risiko dicek (mis. OSS, dan tanggalnya)."
        return await confirmation_page(request, request_id, who, message)
    async with office.sessions() as db, db.begin():
        audit_repo.audit(
            db, who.officer, "confirmation.answer", f"confirmation:{request_id}",
            risk_level=level.value, draft=done.draft_id,
        )  # fmt: skip
    return RedirectResponse(f"/console/confirmations?answered={request_id}", 303)
