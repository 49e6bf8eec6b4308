"""The Telegram channel: the adapter contract (`bot/channels/base.py`) put together from the
modules of this package. Dialog state lives in our database, so PTB's Application and
ConversationHandler are not used."""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
from collections.abc import Mapping

from telegram import Bot
from telegram.error import InvalidToken

from bot.channels.base import (
    Capabilities,
    Channel,
    ChannelContext,
    Delivered,
    Received,
    SendContext,
)
from bot.channels.telegram.api import (
    ALLOWED_UPDATES,
    CHANNEL,
    MAX_INLINE_BUTTONS,
    MAX_TEXT,
    SECRET_HEADER,
    BotApi,
    RedactToken,
)
from bot.channels.telegram.callback_data import CallbackData
from bot.channels.telegram.courtesy import Courtesy
from bot.channels.telegram.files import FileDownloader
from bot.channels.telegram.polling import Poller
from bot.channels.telegram.rate_limits import RateLimiter
from bot.channels.telegram.rendering import Keyboards
from bot.channels.telegram.sending import Sender
from bot.channels.telegram.updates import TelegramReceived, UpdateParser
from bot.settings import Settings
from dialogs.messages import Attachment, ConversationKey, Inbound, Outbound

log = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024  # an update is a few kilobytes; files never travel in the webhook


class TelegramChannel(Channel):
    name = CHANNEL
    capabilities = Capabilities(
        max_text=MAX_TEXT,
        max_buttons=MAX_INLINE_BUTTONS,
        max_list_rows=0,
        button_title_max=64,
        documents=True,
    )
    verifies_body = False  # the secret-token header alone proves Telegram
    max_body = MAX_BODY

    def __init__(
        self,
        token: str,
        *,
        mode: str = "polling",
        base_url: str = "https://api.telegram.org/bot",
        base_file_url: str = "https://api.telegram.org/file/bot",
        webhook_url: str = "",
        secret_token: str = "",
        poll_timeout: int = 30,
        per_chat_per_second: float = 1.0,
        per_chat_burst: int = 3,
        global_per_second: float = 30.0,
        typing_after: float = 1.0,
    ) -> None:
        if not token:
            raise ValueError("a Telegram bot token is required")
        if mode not in ("polling", "webhook"):
            raise ValueError("mode must be polling or webhook")
        self.mode = mode
        self._webhook_url = webhook_url
        self._secret = secret_token
        self._poll_timeout = poll_timeout
        self._bot = BotApi.connect(token, base_url, base_file_url)
        self.callbacks = CallbackData()
        keyboards = Keyboards(self.callbacks)
        self._parser = UpdateParser(self._bot, self.callbacks, keyboards)
        self._sender = Sender(
            self._bot,
            token,
            RateLimiter(per_chat_per_second, per_chat_burst, global_per_second),
            keyboards,
        )
        self._courtesy = Courtesy(self._bot, typing_after)
        self._files = FileDownloader(self._bot)
        self._poller: asyncio.Task[None] | None = None
        self._redact = RedactToken(token)
        self._redact.install()

    @property
    def bot(self) -> Bot:
        return self._bot

    # -- lifecycle -----------------------------------------------------------------------------

    async def start(self, context: ChannelContext) -> None:
        self._sender.files = context.files
        self._files.open()
        try:
            await self._bot.initialize()  # getMe: a wrong token stops the start-up here
        except InvalidToken as exc:
            raise RuntimeError(
                "Telegram refused the bot token (telegram.token / SIKETAN__TELEGRAM__TOKEN)"
            ) from exc
        if self.mode == "webhook":
            await self._bot.set_webhook(
                url=self._webhook_url, secret_token=self._secret, allowed_updates=ALLOWED_UPDATES
            )
            log.info("Telegram webhook registered at %s", self._webhook_url)
        else:

            async def receive(item: TelegramReceived) -> bool:
                return (await context.receive(self, item)).ok

            poller = Poller(self._bot, self._parser, receive, self._poll_timeout)
            self._poller = asyncio.create_task(poller.run_forever())

    async def stop(self) -> None:
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._poller
            self._poller = None
        await self._files.close()
        with contextlib.suppress(Exception):
            await self._bot.shutdown()
        self._redact.remove()

    # -- inbound -------------------------------------------------------------------------------

    def verify(self, headers: Mapping[str, str], body: bytes) -> bool:
        if not self._secret:
            return False  # without a secret nobody can prove to be Telegram
        wanted = SECRET_HEADER.lower()
        got = next((v for k, v in headers.items() if k.lower() == wanted), "")
        return hmac.compare_digest(got.encode(), self._secret.encode())

    def parse(self, body: bytes) -> Received:
        return self._parser.parse_body(body) or Received()

    def parse_body(self, body: bytes) -> TelegramReceived | None:
        return self._parser.parse_body(body)

    async def acknowledge(self, received: Received) -> None:
        if isinstance(received, TelegramReceived):
            await self._courtesy.acknowledge(received)

    def working_on(self, inbound: Inbound) -> contextlib.AbstractAsyncContextManager[None]:
        return self._courtesy.typing(inbound.key.chat_id, at_once=bool(inbound.attachments))

    async def fetch_attachment(self, attachment: Attachment, max_bytes: int) -> bytes:
        return await self._files.fetch(attachment, max_bytes)

    # -- outbound ------------------------------------------------------------------------------

    async def send(
        self, key: ConversationKey, message: Outbound, context: SendContext | None = None
    ) -> Delivered:
        return await self._sender.send(key.chat_id, message)


def build_telegram_channel(settings: Settings) -> TelegramChannel:
    tg = settings.telegram
    return TelegramChannel(
        tg.token.get_secret_value(),
        mode=tg.mode,
        base_url=tg.base_url,
        base_file_url=tg.base_file_url,
        webhook_url=tg.webhook_url,
        secret_token=tg.secret_token.get_secret_value(),
        poll_timeout=tg.poll_timeout_seconds,
        per_chat_per_second=tg.per_chat_per_second,
        per_chat_burst=tg.per_chat_burst,
        global_per_second=tg.global_per_second,
        typing_after=tg.typing_after_seconds,
    )
