"""Sending one `Outbound` to a chat: its text parts and keyboard, or a document from the file
store, one chat's messages strictly in order, within the flood limits, with Bot API errors mapped
to `DeliveryError` for the outbox."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from telegram import Bot, InputFile, Message
from telegram.constants import ChatAction, ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    RetryAfter,
    TelegramError,
)

from bot.channels.base import Delivered, DeliveryError
from bot.channels.telegram.api import MAX_CAPTION, MAX_INLINE_BUTTONS, quietly, retry_after
from bot.channels.telegram.rate_limits import RateLimiter
from bot.channels.telegram.rendering import Keyboards, split_text, to_html, u16
from dialogs.messages import Outbound, OutboundKind, numbered_text
from storage.files import FileStore

T = TypeVar("T")


class Sender:
    def __init__(self, bot: Bot, token: str, limiter: RateLimiter, keyboards: Keyboards) -> None:
        self._bot = bot
        self._token = token
        self._limiter = limiter
        self._keyboards = keyboards
        self._chat_locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self.files: FileStore | None = None  # set when the channel starts

    async def send(self, chat_id: str, message: Outbound) -> Delivered:
        # One chat's messages go out one at a time, in the order they were handed over.
        async with self._chat_locks[chat_id]:
            try:
                return await self._send(chat_id, message)
            except DeliveryError:
                raise
            except TelegramError as exc:
                raise self._delivery_error(exc) from None

    def _delivery_error(self, exc: TelegramError) -> DeliveryError:
        reason = f"{type(exc).__name__}: {exc}".replace(self._token, "<token>")
        if isinstance(exc, RetryAfter):
            return DeliveryError(reason, retry_after=retry_after(exc), code="429")
        if isinstance(exc, Forbidden):
            return DeliveryError(reason, blocked=True, code="403")
        if isinstance(exc, InvalidToken):
            return DeliveryError(reason, permanent=True, code="401")
        if isinstance(exc, (BadRequest, ChatMigrated)):
            return DeliveryError(reason, permanent=True, code="400")
        return DeliveryError(reason, code="network")  # timeouts, 5xx, 409: try again later

    async def _send(self, chat_id: str, message: Outbound) -> Delivered:
        markup = self._keyboards.markup(chat_id, message)
        fits = len(message.buttons) <= MAX_INLINE_BUTTONS
        body = message.text if fits else numbered_text(message)
        if message.kind == OutboundKind.DOCUMENT and message.document_ref:
            return await self._send_document(chat_id, message, body, markup)
        parts = split_text(body or "…")
        sent: Message | None = None
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            sent = await self._call(
                chat_id,
                lambda part=part, last=last: self._bot.send_message(  # type: ignore[misc]
                    int(chat_id),
                    to_html(part),
                    parse_mode=ParseMode.HTML,
                    reply_markup=markup if last else None,
                    disable_web_page_preview=True,
                ),
                partial=index > 0,
            )
        return Delivered(str(sent.message_id) if sent else "")

    async def _send_document(
        self, chat_id: str, message: Outbound, body: str, markup: Any
    ) -> Delivered:
        data = await self._document_bytes(message.document_ref)
        await quietly(self._bot.send_chat_action(int(chat_id), ChatAction.UPLOAD_DOCUMENT))
        caption = body if u16(body) <= MAX_CAPTION else ""
        partial = False
        if body and not caption:
            for part in split_text(body):
                await self._call(
                    chat_id,
                    lambda part=part: self._bot.send_message(  # type: ignore[misc]
                        int(chat_id), to_html(part), parse_mode=ParseMode.HTML
                    ),
                    partial=partial,
                )
                partial = True
        name = message.document_name or "dokumen.pdf"
        sent = await self._call(
            chat_id,
            lambda: self._bot.send_document(
                int(chat_id),
                InputFile(data, filename=name),
                caption=to_html(caption) if caption else None,
                parse_mode=ParseMode.HTML if caption else None,
                reply_markup=markup,
            ),
            partial=partial,
        )
        return Delivered(str(sent.message_id))

    async def _document_bytes(self, ref: str) -> bytes:
        if self.files is None:
            raise DeliveryError("Telegram channel not started: no file store", permanent=True)
        try:
            return await asyncio.to_thread(self.files.read, ref.removeprefix("sha256:"))
        except (OSError, ValueError) as exc:
            raise DeliveryError(f"document {ref} not in the file store", permanent=True) from exc

    async def _call(
        self, chat_id: str, call: Callable[[], Awaitable[T]], *, partial: bool = False
    ) -> T:
        """One API call within the rate limits.

        A 429 on the first part goes back to the outbox (which waits `retry_after`); once part
        of a long message is out, waiting here is better than the outbox sending it all again.
        """
        for _ in range(3):
            await self._limiter.wait(chat_id)
            try:
                return await call()
            except RetryAfter as exc:
                wait = retry_after(exc)
                if not partial or wait > 60:
                    raise
                await asyncio.sleep(wait)
        return await call()
