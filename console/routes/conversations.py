"""One conversation: the transcript, who holds it, the citizen's applications, canned replies."""

# No `from __future__ import annotations`: FastAPI reads the Annotated aliases at import time.
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from console.deps import ConversationRow, Who, page, state
from console.labels import ERRORS, channel_label, citizen_name
from console.routes.canned import canned_replies
from console.transcript import transcript
from storage import console as repo
from storage import console_reads
from storage.models import Handoff

router = APIRouter()
LIVE_STATUSES = ("open", "claimed", "ticket")


def _holds(who: Any, handoff: Handoff | None) -> bool:
    """May this officer write in the conversation now (held by them, or they are an admin)?"""
    return bool(
        handoff is not None
        and handoff.status == "claimed"
        and (handoff.claimed_by == who.officer.id or who.is_admin)
    )


@router.get("/conversations/{conversation_id}", response_class=HTMLResponse)
async def conversation_page(
    request: Request, who: Who, conv: ConversationRow, error: str = ""
) -> Response:
    console = state(request)
    async with console.office.sessions() as db:
        handoffs = await repo.handoffs_of(db, conv.id)
        current = next((h for h in handoffs if h.status in LIVE_STATUSES), None)
        holder = None
        if current is not None and current.claimed_by:
            holder = await repo.get_officer(db, current.claimed_by)
        apps = await console_reads.applications_of_conversation(db, conv.id)
        names = await console_reads.applicant_names(db, [conv.id])
        officers = await repo.list_officers(db, active_only=True)
    canned = await canned_replies(console)
    messages = await transcript(console, conv.id)
    return page(
        request,
        "conversation.html",
        who=who,
        conv=conv,
        citizen=citizen_name(conv.sender_name, names.get(conv.id, ""), conv.channel, conv.id),
        channel=channel_label(conv.channel),
        handoff=current,
        holder=holder,
        mine=_holds(who, current),
        applications=apps,
        messages=messages,
        last_id=messages[-1]["id"] if messages else 0,
        canned=canned,
        officers=[o for o in officers if o.id != who.officer.id],
        error=ERRORS.get(error, ""),
    )


@router.get("/api/conversations/{conversation_id}/messages")
async def messages_json(
    request: Request, who: Who, conversation_id: int, after: int = 0
) -> dict[str, Any]:
    return {"messages": await transcript(state(request), conversation_id, after)}
