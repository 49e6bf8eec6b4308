"""POST /webhooks/telegram: HTTP adapted to `bot.channels.webhook.handle_update`.

The secret-token header is checked before the body is even read (403, nothing stored).
"""

from __future__ import annotations

from fastapi import FastAPI, Request, Response

from bot.app import App
from bot.body_limit import read_limited
from bot.channels.webhook import handle_update


def mount_telegram(web: FastAPI, app: App) -> None:
    channel = app.channels["telegram"]
    context = app.channel_context("telegram")

    @web.post("/webhooks/telegram", include_in_schema=False)
    async def telegram_webhook(request: Request) -> Response:
        async def read_body(limit: int) -> bytes | None:
            return await read_limited(
                request.stream(), request.headers.get("content-length"), limit
            )

        text, status = await handle_update(channel, context, request.headers, read_body)
        return Response(text, status_code=status, media_type="text/plain")
