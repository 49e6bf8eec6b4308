"""What an officer does in a held conversation: reply (form or JSON), send a file, transfer,
close. Each action is the office's handoff service; refusals come back as the page's error."""

# No `from __future__ import annotations`: FastAPI reads the Annotated aliases at import time.
import json
from typing import Annotated

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import JSONResponse, RedirectResponse, Response

from console.deps import Checked, HandoffRow, state
from console.labels import ERRORS
from office.handoff import HandoffError
from storage.files import FileRejected

router = APIRouter()


def _back(handoff: HandoffRow, error: str = "") -> RedirectResponse:
    target = f"/console/conversations/{handoff.conversation_id}"
    return RedirectResponse(f"{target}?error={error}" if error else target, 303)


@router.post("/api/handoffs/{handoff_id}/reply")
async def reply_json(request: Request, handoff_id: int, who: Checked) -> Response:
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise HTTPException(422, "JSON body expected") from None
    if not isinstance(body, dict) or not isinstance(body.get("text"), str):
        raise HTTPException(422, "send {'text': '...'}")
    try:
        message_id = await state(request).office.handoff.reply(
            handoff_id, who.officer, body["text"]
        )
    except HandoffError as exc:
        detail = ERRORS.get(exc.reason, exc.reason)
        return JSONResponse({"error": exc.reason, "detail": detail}, 409)
    return JSONResponse({"id": message_id})


@router.post("/handoffs/{handoff_id}/reply")
async def reply_form(
    request: Request, who: Checked, handoff: HandoffRow, text: Annotated[str, Form()] = ""
) -> Response:
    try:
        await state(request).office.handoff.reply(handoff.id, who.officer, text)
    except HandoffError as exc:
        return _back(handoff, exc.reason)
    return _back(handoff)


@router.post("/handoffs/{handoff_id}/file")
async def send_file(
    request: Request, who: Checked, handoff: HandoffRow, file: Annotated[UploadFile, File()]
) -> Response:
    console = state(request)
    data = await file.read(console.settings.max_upload_bytes + 1)
    try:
        await console.office.handoff.send_file(
            handoff.id, who.officer, data, file.filename or "dokumen"
        )
    except FileRejected as exc:
        return _back(handoff, f"file_{exc.reason}")
    except HandoffError as exc:
        return _back(handoff, exc.reason)
    return _back(handoff)


@router.post("/handoffs/{handoff_id}/transfer")
async def transfer(
    request: Request, who: Checked, handoff: HandoffRow, to: Annotated[str, Form()] = ""
) -> Response:
    try:
        await state(request).office.handoff.transfer(handoff.id, who.officer, to)
    except HandoffError as exc:
        return _back(handoff, exc.reason)
    return RedirectResponse("/console", 303)


@router.post("/handoffs/{handoff_id}/close")
async def close(request: Request, who: Checked, handoff: HandoffRow) -> Response:
    try:
        await state(request).office.handoff.close(handoff.id, who.officer)
    except HandoffError as exc:
        return _back(handoff, exc.reason)
    return _back(handoff)
