"""The WhatsApp webhook at `/webhooks/whatsapp`: Meta's verification GET and signed update POSTs.

Order matters: the signature is checked on the raw body before anything is parsed or stored.
An authentic body is always acknowledged (200) once handled, even when parts of it cannot be
read, so Meta does not redeliver it forever; only a failure of our own (database down) answers
500, and Meta's redelivery is then harmless because the pipeline drops message ids it has seen.
"""

from __future__ import annotations

import dataclasses
import logging

from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse, Response

from bot.app import App
from bot.attachments import ingest
from bot.channels.whatsapp import WhatsAppChannel
from dialogs.messages import Inbound

log = logging.getLogger(__name__)

PATH = "/webhooks/whatsapp"


def mount_whatsapp(web: FastAPI, app: App) -> None:
    channel = app.channels["whatsapp"]
    if not isinstance(channel, WhatsAppChannel):
        raise TypeError("the whatsapp channel is not a WhatsAppChannel")
    record_delivery = app.channel_context("whatsapp").record_delivery

    @web.get(PATH)
    async def whatsapp_verify(request: Request) -> Response:
        params = request.query_params
        challenge = channel.verify_challenge(
            params.get("hub.mode", ""),
            params.get("hub.verify_token", ""),
            params.get("hub.challenge", ""),
        )
        if challenge is None:
            log.warning("WhatsApp webhook verification refused (wrong mode or verify token)")
            return PlainTextResponse("forbidden", status_code=403)
        return PlainTextResponse(challenge)

    @web.post(PATH)
    async def whatsapp_update(request: Request) -> Response:
        body = await request.body()
        if not channel.verify(request.headers, body):
            log.warning("WhatsApp webhook with a missing or wrong signature refused")
            return PlainTextResponse("forbidden", status_code=403)
        parsed = channel.parse_update(body)
        failed = False
        for status in parsed.statuses:
            try:
                await record_delivery(status.message_id, status.status, status.error)
            except Exception:
                log.exception("could not record WhatsApp status for %s", status.message_id)
                failed = True
        for inbound in parsed.inbounds:
            try:
                await app.pipeline.handle(await _with_files(app, channel, inbound))
            except Exception:
                log.exception("WhatsApp message %s could not be handled", inbound.message_id)
                failed = True
        if failed:
            return PlainTextResponse("retry later", status_code=500)
        return PlainTextResponse("ok")


async def _with_files(app: App, channel: WhatsAppChannel, inbound: Inbound) -> Inbound:
    if not inbound.attachments:
        return inbound
    attachments = tuple([await ingest(channel, a, app.files) for a in inbound.attachments])
    return dataclasses.replace(inbound, attachments=attachments)
