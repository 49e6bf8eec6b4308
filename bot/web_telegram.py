"""POST /webhooks/telegram: Telegram's webhook, adapted to the Telegram channel.

The secret-token header is checked before the body is even read (403, nothing stored). Every
authentic request is acknowledged with 200, also when the update cannot be parsed or is of a
kind the bot does not use: a non-2xx makes Telegram deliver the same update again and again.
Only a failure of our own (database down) answers 500, so Telegram redelivers it later and the
pipeline's redelivery check keeps that safe.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request, Response

from bot.app import App
from bot.channels.telegram import TelegramChannel

log = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024  # an update is a few kilobytes; files never travel in the webhook


def mount_telegram(web: FastAPI, app: App) -> None:
    channel = app.channels["telegram"]
    if not isinstance(channel, TelegramChannel):
        raise TypeError("the telegram channel must be a TelegramChannel")

    @web.post("/webhooks/telegram", include_in_schema=False)
    async def telegram_webhook(request: Request) -> Response:
        if not channel.verify(request.headers, b""):
            return Response(status_code=403)
        body = await request.body()
        if len(body) > MAX_BODY:
            log.warning("Telegram webhook body of %d bytes ignored", len(body))
            return Response(status_code=200)
        item = channel.parse_body(body)
        if item is None:
            return Response(status_code=200)
        try:
            await channel.process(item, app.pipeline.handle, app.files)
        except Exception:
            log.exception("Telegram update %s failed; Telegram will redeliver it", item.update_id)
            return Response(status_code=500)
        return Response(status_code=200)
