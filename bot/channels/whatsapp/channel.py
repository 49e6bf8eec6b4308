"""The WhatsApp Cloud API channel: the adapter contract (`bot/channels/base.py`) put together from
the modules of this package, with pywa as the Graph API client."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import TYPE_CHECKING

from pywa.utils import UserIdentifier
from pywa_async.client import WhatsApp

from bot.channels.base import (
    Capabilities,
    Channel,
    ChannelContext,
    Delivered,
    Received,
    SendContext,
)
from bot.channels.whatsapp.rendering import MAX_BUTTON_TITLE, MAX_LIST_ROWS, MAX_TEXT, Planner
from bot.channels.whatsapp.sending import Sender
from bot.channels.whatsapp.transport import PRODUCTION_GRAPH_URL, graph_session
from bot.channels.whatsapp.updates import CHANNEL, MEDIA_REF_PREFIX, UpdateReader
from bot.settings import SettingsError
from dialogs.messages import Attachment, ConversationKey, Outbound
from storage.files import FileRejected

if TYPE_CHECKING:
    from bot.settings import Settings, WhatsAppTemplate


class WhatsAppChannel(Channel):
    name = CHANNEL
    capabilities = Capabilities(
        max_text=MAX_TEXT,
        max_buttons=MAX_LIST_ROWS,
        max_list_rows=MAX_LIST_ROWS,
        button_title_max=MAX_BUTTON_TITLE,
        documents=True,
    )
    max_body = 3 * 1024 * 1024  # Meta batches updates; its documented maximum is 3 MB

    def __init__(
        self,
        *,
        phone_number_id: str,
        access_token: str,
        app_secret: str,
        verify_token: str,
        api_version: str = "21.0",
        graph_api_base_url: str = PRODUCTION_GRAPH_URL,
        templates: Mapping[str, WhatsAppTemplate] | None = None,
        timeout: float = 20.0,
    ) -> None:
        _require(
            phone_number_id=phone_number_id,
            access_token=access_token,
            app_secret=app_secret,
            verify_token=verify_token,
        )
        self.phone_number_id = phone_number_id
        self._app_secret = app_secret.encode()
        self._verify_token = verify_token
        self._session = graph_session(graph_api_base_url, timeout)
        self.client = WhatsApp(
            phone_id=phone_number_id,
            token=access_token,
            session=self._session,
            api_version=api_version,
            app_secret=app_secret,
            verify_token=verify_token,
            # We reply with explicit recipients; this only matters for pywa's own reply helpers.
            user_identifier_priority=(
                UserIdentifier.WA_ID,
                UserIdentifier.BSUID,
                UserIdentifier.PARENT_BSUID,
            ),
        )
        self._reader = UpdateReader(self.client, phone_number_id)
        self._planner = Planner(self.client)
        self._sender = Sender(self.client, self._planner, templates or {})

    # -- lifecycle ------------------------------------------------------------------------

    async def start(self, context: ChannelContext) -> None:
        self._planner.files = context.files

    async def stop(self) -> None:
        await self._session.aclose()

    # -- webhook ----------------------------------------------------------------------------

    def verify_challenge(self, mode: str, token: str, challenge: str) -> str | None:
        """Meta's webhook verification GET: the challenge to echo, or None to refuse (403)."""
        if mode != "subscribe" or not token or not challenge:
            return None
        if not hmac.compare_digest(token.encode(), self._verify_token.encode()):
            return None
        return challenge

    def challenge(self, params: Mapping[str, str]) -> str | None:
        return self.verify_challenge(
            params.get("hub.mode", ""),
            params.get("hub.verify_token", ""),
            params.get("hub.challenge", ""),
        )

    def signature(self, body: bytes) -> str:
        return "sha256=" + hmac.new(self._app_secret, body, hashlib.sha256).hexdigest()

    def verify(self, headers: Mapping[str, str], body: bytes) -> bool:
        given = next(
            (v.strip() for k, v in headers.items() if k.lower() == "x-hub-signature-256"), ""
        )
        if not given.startswith("sha256="):
            return False
        return hmac.compare_digest(given.encode(), self.signature(body).encode())

    def parse(self, body: bytes) -> Received:
        return self._reader.read(body)

    # -- media ------------------------------------------------------------------------------

    async def fetch_attachment(self, attachment: Attachment, max_bytes: int) -> bytes:
        if not attachment.ref.startswith(MEDIA_REF_PREFIX):
            raise ValueError(f"not a WhatsApp media reference: {attachment.ref!r}")
        media = await self.client.get_media_url(attachment.ref.removeprefix(MEDIA_REF_PREFIX))
        if media.file_size and int(media.file_size) > max_bytes:
            raise FileRejected("too_large")
        data = bytearray()
        async for chunk in self.client.stream_media(media.url):
            data += chunk
            if len(data) > max_bytes:
                raise FileRejected("too_large")
        return bytes(data)

    # -- sending ----------------------------------------------------------------------------

    async def send(
        self, key: ConversationKey, message: Outbound, context: SendContext | None = None
    ) -> Delivered:
        return await self._sender.send(key.chat_id, message, context)


def _require(**values: str) -> None:
    missing = [name for name, value in values.items() if not value]
    if missing:
        # Without the app secret nobody could tell Meta's webhooks from forged ones.
        raise SettingsError(
            "WhatsApp channel cannot start; missing: "
            + ", ".join(f"whatsapp.{m} (SIKETAN__WHATSAPP__{m.upper()})" for m in missing)
        )


def build_whatsapp_channel(settings: Settings) -> WhatsAppChannel:
    wa = settings.whatsapp
    return WhatsAppChannel(
        phone_number_id=wa.phone_number_id,
        access_token=wa.access_token.get_secret_value(),
        app_secret=wa.app_secret.get_secret_value(),
        verify_token=wa.verify_token.get_secret_value(),
        api_version=wa.api_version,
        graph_api_base_url=wa.graph_api_base_url,
        templates=wa.templates,
        timeout=wa.request_timeout_seconds,
    )
