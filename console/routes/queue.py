"""The handoff queue: who waits for an officer, why, and since when; claiming a request."""

# No `from __future__ import annotations`: FastAPI reads the Annotated aliases at import time.
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from console.deps import Checked, Who, page, state
from console.labels import ERRORS, HANDOFF_STATUSES, REASONS, channel_label, citizen_name
from console.state import ConsoleState
from console.templating import iso, local
from office.handoff import HandoffError
from storage import console as repo
from storage import console_reads
from storage.models.base import utcnow

router = APIRouter()


async def queue_items(console: ConsoleState) -> list[dict[str, Any]]:
    """The queue as the page and the live view show it (JSON-ready)."""
    async with console.office.sessions() as db:
        rows = await repo.queue(db)
        ids = [c.id for _, c, _ in rows]
        last = await console_reads.last_citizen_messages(db, ids)
        names = await console_reads.applicant_names(db, ids)
    items = []
    for h, c, o in rows:
        said = last.get(c.id)
        items.append(
            {
                "id": h.id,
                "conversation_id": c.id,
                "status": h.status,
                "status_label": HANDOFF_STATUSES.get(h.status, h.status),
                "reason": REASONS.get(h.reason, h.reason),
                "channel": channel_label(c.channel),
                "name": citizen_name(c.sender_name, names.get(c.id, ""), c.channel, c.id),
                "requested_at": iso(h.requested_at),
                "officer": o.display_name if o else "",
                "message": h.message[:200],
                "last_message": said.text[:200] if said else "",
                "last_at": iso(said.at) if said else "",
                "last_at_local": local(said.at) if said else "",
            }
        )
    return items


@router.get("", response_class=HTMLResponse)
@router.get("/", response_class=HTMLResponse)
async def queue_page(request: Request, who: Who, error: str = "") -> Response:
    console = state(request)
    hours = console.office.hours
    now = console.office.handoff.clock()
    open_now = hours.is_open(now)
    return page(
        request,
        "queue.html",
        who=who,
        items=await queue_items(console),
        error=ERRORS.get(error, ""),
        open_now=open_now,
        next_opening=None if open_now else hours.next_opening(now),
    )


@router.get("/api/queue")
async def queue_json(request: Request, who: Who) -> dict[str, Any]:
    return {"items": await queue_items(state(request)), "now": iso(utcnow())}


@router.post("/handoffs/{handoff_id}/claim")
async def claim(request: Request, handoff_id: int, who: Checked) -> Response:
    try:
        claimed = await state(request).office.handoff.claim(handoff_id, who.officer)
    except HandoffError as exc:
        return RedirectResponse(f"/console?error={exc.reason}", status_code=303)
    return RedirectResponse(f"/console/conversations/{claimed.conversation_id}", 303)
