"""Sending one `Outbound`: free-form inside the 24-hour customer-service window, an approved
template outside it, and a long answer resumed where a failed try stopped."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import httpx
from pywa_async import errors as wa_errors
from pywa_async.client import WhatsApp
from pywa_async.types.templates import TemplateLanguage

from bot.channels.base import Delivered, DeliveryError, SendContext
from bot.channels.whatsapp.errors import REENGAGEMENT, delivery_error
from bot.channels.whatsapp.rendering import Planner
from dialogs.messages import Outbound

if TYPE_CHECKING:
    from bot.settings import WhatsAppTemplate

log = logging.getLogger(__name__)

# Meta counts the window from its own receipt of the citizen's message; we saw it a moment later,
# so stop free-form messages a little early rather than have them refused.
SERVICE_WINDOW = timedelta(hours=24) - timedelta(minutes=5)
MAX_PROGRESS_ENTRIES = 1000


class Sender:
    def __init__(
        self, client: WhatsApp, planner: Planner, templates: Mapping[str, WhatsAppTemplate]
    ) -> None:
        self._client = client
        self._planner = planner
        self._templates = dict(templates)
        # (recipient, message fingerprint) -> (parts delivered, wamid of the primary part)
        self._progress: dict[tuple[str, str], tuple[int, str]] = {}

    async def send(self, to: str, message: Outbound, context: SendContext | None) -> Delivered:
        if context is not None and not _in_window(context.last_inbound_at):
            if message.template:
                return await self._send_template(to, message)
            raise DeliveryError("outside the 24-hour window", permanent=True, code="outside_window")
        try:
            return await self._send_free_form(to, message)
        except wa_errors.WhatsAppError as exc:
            error = delivery_error(exc)
            if error.permanent:
                self._progress.pop((to, _fingerprint(message)), None)
            if exc.code == REENGAGEMENT and message.template:
                log.info("WhatsApp window closed for a chat; sending the template instead")
                return await self._send_template(to, message)
            raise error from None
        except httpx.HTTPError as exc:
            raise DeliveryError(f"network error: {type(exc).__name__}") from None

    async def _send_template(self, to: str, message: Outbound) -> Delivered:
        template = self._templates.get(message.template)
        if template is None:
            raise DeliveryError(
                f"no WhatsApp template configured for {message.template!r} "
                f"(add whatsapp.templates.{message.template} to config.yaml)",
                permanent=True,
                code="no_template",
            )
        params: list[dict[str, Any]] | None = None
        if message.template_params:
            values = [{"type": "text", "text": _template_param(p)} for p in message.template_params]
            params = [{"type": "body", "parameters": values}]
        try:
            sent = await self._client.send_template(
                to=to,
                name=template.name,
                language=TemplateLanguage(template.language),
                params=params,
            )
        except wa_errors.WhatsAppError as exc:
            raise delivery_error(exc) from None
        except httpx.HTTPError as exc:
            raise DeliveryError(f"network error: {type(exc).__name__}") from None
        return Delivered(sent.id)

    async def _send_free_form(self, to: str, message: Outbound) -> Delivered:
        """Send the message's parts in order, resuming after the parts a failed try delivered.

        A long answer is several WhatsApp messages; a rate limit (131056 is exactly "too many
        messages to one user") may stop it half way, and the outbox then retries the whole
        Outbound. Remembering how far it got keeps the citizen from reading the first parts twice.
        """
        parts = self._planner.plan(to, message)
        progress_key = (to, _fingerprint(message))
        done, primary = self._progress.get(progress_key, (0, ""))
        last = ""
        for index, part in enumerate(parts):
            if index < done:
                continue
            wamid = await part.send()
            last = wamid
            if part.primary:
                primary = wamid
            self._progress[progress_key] = (index + 1, primary)
            while len(self._progress) > MAX_PROGRESS_ENTRIES:
                self._progress.pop(next(iter(self._progress)))
        self._progress.pop(progress_key, None)
        return Delivered(primary or last)


def _fingerprint(message: Outbound) -> str:
    data = json.dumps(message.to_json(), sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha256(data).hexdigest()


def _template_param(value: str) -> str:
    # Template parameters may not contain newlines, tabs or runs of spaces (error 132000 family).
    return " ".join(str(value).split()) or "-"


def _in_window(last_inbound_at: datetime | None) -> bool:
    if last_inbound_at is None:
        return False
    at = (
        last_inbound_at
        if last_inbound_at.tzinfo is not None
        else last_inbound_at.replace(tzinfo=UTC)
    )
    return datetime.now(UTC) - at < SERVICE_WINDOW
