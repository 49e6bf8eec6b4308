"""Browsing rules (admins): the index with search, versions and drafts; an activity; a permit.
`?draft=N` shows a draft's rules with its edit forms, without it the active version read-only."""

# No `from __future__ import annotations`: FastAPI reads the Annotated aliases at import time.
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from console.deps import AdminView, page, state
from console.rules import drafts
from console.rules.lookup import activity_index, search_activities
from console.rules.pages import activity_view, permit_view
from storage import rule_drafts, rule_sets

router = APIRouter()
SEARCH_LIMIT = 200


@router.get("/rules", response_class=HTMLResponse)
async def rules_index(
    request: Request, who: AdminView, q: str = "", draft: int = 0, error: str = ""
) -> Response:
    async with state(request).office.sessions() as db, db.begin():
        active = await drafts.active(db)
        shown = await drafts.subject(db, draft or None)
        open_drafts = await rule_drafts.open_drafts(db)
        history = await rule_sets.history(db)
        catalog = await rule_sets.active_catalog(db)
    return page(
        request,
        "rules_index.html",
        who=who,
        q=q,
        draft=shown.draft,
        active=active.row,
        number=active.number,
        results=search_activities(shown.rules, q)[:SEARCH_LIMIT],
        drafts=open_drafts,
        history=[h for h in history if h.number is not None][::-1],
        catalog_version=catalog.version,
        catalog_size=len(catalog),
        published=request.query_params.get("published", ""),
        error=error,
    )


@router.get("/rules/activities/{key}", response_class=HTMLResponse)
async def activity_page(request: Request, key: str, who: AdminView, draft: int = 0) -> Response:
    async with state(request).office.sessions() as db, db.begin():
        shown = await drafts.subject(db, draft or None)
    index = activity_index(shown.rules, key)
    if index is None:
        raise HTTPException(404, "kegiatan tidak ada di aturan ini")
    return activity_view(request, who, shown.text, shown.rules, shown.draft, index, {})


@router.get("/rules/permits/{code}", response_class=HTMLResponse)
async def permit_page(request: Request, code: str, who: AdminView, draft: int = 0) -> Response:
    async with state(request).office.sessions() as db, db.begin():
        shown = await drafts.subject(db, draft or None)
    if code not in shown.rules.permits:
        raise HTTPException(404, "izin tidak ada di aturan ini")
    return permit_view(request, who, shown.text, shown.rules, shown.draft, code)
