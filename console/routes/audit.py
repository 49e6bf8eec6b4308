"""The audit log (admins): who did what, when."""

# No `from __future__ import annotations`: FastAPI reads the Annotated aliases at import time.
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from console.deps import AdminView, page, state
from storage import console as repo

router = APIRouter()


@router.get("/audit", response_class=HTMLResponse)
async def audit_page(request: Request, who: AdminView) -> Response:
    async with state(request).office.sessions() as db:
        rows = await repo.audit_entries(db)
    return page(request, "audit.html", who=who, entries=rows)
