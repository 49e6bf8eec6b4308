"""POST /webhooks/telegram: HTTP adapted to `bot.channels.webhook.handle_update`.

The secret-token header is checked before the body is even read (403, nothing stored).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from bot.body_limit import read_limited
from bot.channels.webhook import handle_update
from bot.web.deps import Receiver, receiver

router = APIRouter(include_in_schema=False)
Telegram = Annotated[Receiver, Depends(receiver("telegram"))]


@router.post("/webhooks/telegram")
async def telegram_webhook(request: Request, telegram: Telegram) -> Response:
    async def read_body(limit: int) -> bytes | None:
        return await read_limited(request.stream(), request.headers.get("content-length"), limit)

    text, status = await handle_update(
        telegram.channel, telegram.context, request.headers, read_body
    )
    return Response(text, status_code=status, media_type="text/plain")
