"""Canned replies: every officer reads and uses them, admins edit them."""

# No `from __future__ import annotations`: FastAPI reads the Annotated aliases at import time.
from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from console.canned_defaults import default_replies
from console.deps import Admin, Who, page, state
from console.state import ConsoleState
from storage import console as repo
from storage.models import CannedReply

router = APIRouter()


async def canned_replies(console: ConsoleState) -> Sequence[CannedReply]:
    """The canned replies, with the office's common answers added the first time."""
    async with console.office.sessions() as db, db.begin():
        await repo.seed_canned_once(db, default_replies())
        return await repo.canned_replies(db)


@router.get("/canned", response_class=HTMLResponse)
async def canned_page(request: Request, who: Who) -> Response:
    rows = await canned_replies(state(request))
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
