"""The WhatsApp webhook at `/webhooks/whatsapp`: HTTP adapted to `bot.channels.webhook`.

Meta's verification GET answers the challenge; a signed update POST is checked on its raw body
before anything is parsed or stored.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import PlainTextResponse, Response

from bot.body_limit import read_limited
from bot.channels.webhook import handle_challenge, handle_update
from bot.web.deps import Receiver, receiver

PATH = "/webhooks/whatsapp"
router = APIRouter(include_in_schema=False)
WhatsApp = Annotated[Receiver, Depends(receiver("whatsapp"))]


@router.get(PATH)
async def whatsapp_verify(request: Request, whatsapp: WhatsApp) -> Response:
    text, status = handle_challenge(whatsapp.channel, request.query_params)
    return PlainTextResponse(text, status_code=status)


@router.post(PATH)
async def whatsapp_update(request: Request, whatsapp: WhatsApp) -> Response:
    async def read_body(limit: int) -> bytes | None:
        return await read_limited(request.stream(), request.headers.get("content-length"), limit)

    text, status = await handle_update(
        whatsapp.channel, whatsapp.context, request.headers, read_body
    )
    return PlainTextResponse(text, status_code=status)
