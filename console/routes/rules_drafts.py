"""Drafts (admins): start one from the active version, look at it, replace its YAML."""

# No `from __future__ import annotations`: FastAPI reads the Annotated aliases at import time.
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from console.deps import Admin, AdminView, DraftRow, state
from console.rules import drafts
from console.rules.messages import translated
from console.rules.pages import draft_view
from permit_rules import validate_rule_text
from storage import console as repo
from storage import rule_sets

router = APIRouter()


@router.post("/rules/drafts")
async def new_draft(request: Request, who: Admin) -> Response:
    async with state(request).office.sessions() as db, db.begin():
        active = await drafts.active(db)
        draft_id = await rule_sets.save_draft(
            db, active.row.content, by=who.officer.username, note=f"dari versi {active.number}"
        )
        repo.audit(db, who.officer, "rules.draft.create", f"draft:{draft_id}", base=active.number)
    return RedirectResponse(f"/console/rules/drafts/{draft_id}", 303)


@router.get("/rules/drafts/{draft_id}", response_class=HTMLResponse)
async def draft_page(request: Request, who: AdminView, row: DraftRow) -> Response:
    async with state(request).office.sessions() as db, db.begin():
        active = await drafts.active(db)
    return draft_view(request, who, row, active.row, row.content, [])


@router.post("/rules/drafts/{draft_id}/yaml")
async def save_yaml(
    request: Request, who: Admin, row: DraftRow, content: Annotated[str, Form()]
) -> Response:
    text = content.replace("\r\n", "\n")
    errors = translated(validate_rule_text(text, f"draft {row.id}"))
    async with state(request).office.sessions() as db, db.begin():
        active = await drafts.active(db)
        if errors:
            return draft_view(request, who, row, active.row, text, errors, 422)
        await drafts.store(db, row.id, text)
        repo.audit(db, who.officer, "rules.draft.yaml", f"draft:{row.id}")
    return RedirectResponse(f"/console/rules/drafts/{row.id}?saved=1", 303)
