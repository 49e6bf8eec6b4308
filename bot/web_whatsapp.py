"""The WhatsApp webhook at `/webhooks/whatsapp`: HTTP adapted to `bot.channels.webhook`.

Meta's verification GET answers the challenge; a signed update POST is checked on its raw body
before anything is parsed or stored.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse, Response

from bot.app import App
from bot.body_limit import read_limited
from bot.channels.webhook import handle_challenge, handle_update

PATH = "/webhooks/whatsapp"


def mount_whatsapp(web: FastAPI, app: App) -> None:
    channel = app.channels["whatsapp"]
    context = app.channel_context("whatsapp")

    @web.get(PATH)
    async def whatsapp_verify(request: Request) -> Response:
        text, status = handle_challenge(channel, request.query_params)
        return PlainTextResponse(text, status_code=status)

    @web.post(PATH)
    async def whatsapp_update(request: Request) -> Response:
        async def read_body(limit: int) -> bytes | None:
            return await read_limited(
                request.stream(), request.headers.get("content-length"), limit
            )

        text, status = await handle_update(channel, context, request.headers, read_body)
        return PlainTextResponse(text, status_code=status)
