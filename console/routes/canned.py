"""Canned replies: every officer reads and uses them, admins edit them."""

# No `from __future__ import annotations`: FastAPI reads the Annotated aliases at import time.
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from console.deps import Admin, Who, page, state
from storage import console as repo

router = APIRouter()


@router.get("/canned", response_class=HTMLResponse)
async def canned_page(request: Request, who: Who) -> Response:
    async with state(request).office.sessions() as db:
        rows = await repo.canned_replies(db)
    return page(request, "canned.html", who=who, canned=rows)


@router.post("/canned")
async def canned_save(
    request: Request,
    who: Admin,
    title: Annotated[str, Form()],
    body: Annotated[str, Form()],
    canned_id: Annotated[int | None, Form()] = None,
    delete: Annotated[str, Form()] = "",
) -> Response:
    title, body = title.strip()[:100], body.strip()[:4000]
    async with state(request).office.sessions() as db, db.begin():
        row = await repo.get_canned(db, canned_id) if canned_id else None
        if delete and row is not None:
            await repo.delete_canned(db, row)
            repo.audit(db, who.officer, "canned.delete", f"canned:{canned_id}")
        elif title and body:
            row = await repo.save_canned(db, row, title, body)
            repo.audit(db, who.officer, "canned.save", f"canned:{row.id}")
    return RedirectResponse("/console/canned", 303)
