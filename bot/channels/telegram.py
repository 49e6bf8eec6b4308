"""Telegram channel: python-telegram-bot 22 as a typed Bot API client and update parser.

Dialog state lives in our database, so PTB's Application/ConversationHandler are not used: the
adapter turns each update into one `Inbound` (the same path for webhook and long polling), and
renders each `Outbound` as Telegram messages (inline keyboards, a contact-request keyboard,
documents), within Telegram's size and rate limits.

Message ids for the pipeline's redelivery check are per message, not per update:
`m<chat>:<message_id>`, `e<chat>:<message_id>:<edit_date>`, `c<callback_query_id>`. Telegram
redelivers an update unchanged, so these are stable; unlike `update_id` they also stay unique when
Telegram restarts its update numbering (it picks a random start after a week without updates).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import dataclasses
import hashlib
import hmac
import html
import json
import logging
import re
import time
import warnings
from collections import OrderedDict, defaultdict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

import httpx
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.constants import ChatAction, ChatType, ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    RetryAfter,
    TelegramError,
)
from telegram.request import HTTPXRequest

from bot.attachments import ingest
from bot.channels.base import (
    Capabilities,
    Channel,
    ChannelContext,
    Delivered,
    DeliveryError,
    SendContext,
)
from bot.channels.text import split_text as fit_text
from bot.settings import Settings
from dialogs.messages import (
    Attachment,
    Contact,
    ConversationKey,
    Inbound,
    Location,
    Outbound,
    OutboundKind,
    numbered_text,
)
from dialogs.texts import text as catalog_text
from storage.files import FileRejected, FileStore

log = logging.getLogger(__name__)

CHANNEL = "telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 (a header name)
MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_BYTES = 64
GETFILE_LIMIT = 20 * 1024 * 1024  # the Bot API refuses to hand out larger files
MAX_INLINE_BUTTONS = 30  # Telegram allows 100; more than this is unreadable on a small phone
REDACTED_LOGGERS = ("httpx", "httpcore", "telegram.Bot", "telegram.request")
POLL_ATTEMPTS = 5  # with backoff 1+2+4+8 s: rides out a short database hiccup
ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]
COMMANDS = ("/start", "/menu", "/help", "/batal")
# Message contents the dialogs cannot use: answered politely (Inbound.unsupported = kind).
UNSUPPORTED_KINDS = (
    "sticker",
    "voice",
    "audio",
    "video",
    "video_note",
    "animation",
    "poll",
    "dice",
    "game",
    "story",
    "paid_media",
    "invoice",
    "checklist",
)

HandleInbound = Callable[[Inbound], Awaitable[Any]]
T = TypeVar("T")


# -- text --------------------------------------------------------------------------------------


def _u16(s: str) -> int:
    # Telegram counts message length in UTF-16 code units (an emoji may count twice).
    return len(s.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Split `text` into parts of at most `limit` UTF-16 units, at the best break."""
    return fit_text(text, limit, _u16) or [""]


_BOLD = re.compile(r"\*([^*\n]+)\*")


def to_html(text: str) -> str:
    """Our catalog marks bold as *word* (WhatsApp style); Telegram gets the HTML equivalent.

    Everything is escaped first, so citizen text echoed back can never inject markup.
    """
    return _BOLD.sub(r"<b>\1</b>", html.escape(text, quote=False))


# -- callback data -----------------------------------------------------------------------------


class CallbackData:
    """Button payloads as `callback_data`, which Telegram limits to 64 bytes.

    Short payloads go as they are, so a tap carries its own meaning and survives restarts and
    other server processes. A longer payload (none of today's dialogs has one) becomes `~` plus a
    deterministic hash, remembered here; a tap on a token this process does not know (after a
    restart) falls back to the button's title as typed text, which the dialogs understand the
    way they understand any typed answer.
    """

    PREFIX = "~"

    def __init__(self, capacity: int = 20_000) -> None:
        self._long: OrderedDict[str, str] = OrderedDict()
        self._capacity = capacity

    def encode(self, payload: str) -> str:
        raw = payload.encode()
        if len(raw) <= MAX_CALLBACK_BYTES and not payload.startswith(self.PREFIX):
            return payload
        digest = base64.urlsafe_b64encode(hashlib.sha256(raw).digest()[:18]).decode()
        token = self.PREFIX + digest
        self._long[token] = payload
        self._long.move_to_end(token)
        while len(self._long) > self._capacity:
            self._long.popitem(last=False)
        return token

    def decode(self, data: str) -> str | None:
        if not data.startswith(self.PREFIX):
            return data
        return self._long.get(data)


# -- rate limits -------------------------------------------------------------------------------


class _Bucket:
    def __init__(self, rate: float, burst: float) -> None:
        self.rate = rate
        self.capacity = burst
        self.tokens = burst
        self.stamp = time.monotonic()

    def reserve(self, now: float) -> float:
        """Take one token (possibly from the future); return how long to wait for it."""
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        self.tokens -= 1
        return 0.0 if self.tokens >= 0 else -self.tokens / self.rate


class RateLimiter:
    """Telegram's flood limits, per process: ~1 message/s per chat (small bursts), 30/s total."""

    def __init__(self, per_chat: float, burst: int, overall: float) -> None:
        self._per_chat = per_chat
        self._burst = burst
        self._chats: dict[str, _Bucket] = {}
        self._global = _Bucket(overall, max(1.0, overall))

    async def wait(self, chat_id: str) -> None:
        now = time.monotonic()
        bucket = self._chats.get(chat_id)
        if bucket is None:
            if len(self._chats) > 50_000:  # forget idle chats; a full bucket is the default
                self._chats = {k: b for k, b in self._chats.items() if now - b.stamp < 60}
            bucket = self._chats[chat_id] = _Bucket(self._per_chat, self._burst)
        delay = max(bucket.reserve(now), self._global.reserve(now))
        if delay > 0:
            await asyncio.sleep(delay)


# -- the Bot API client ------------------------------------------------------------------------


class _Bot(Bot):
    async def get_raw_updates(self, offset: int | None, wait_seconds: int) -> list[dict[str, Any]]:
        """getUpdates without parsing: PTB's `get_updates` fails the whole batch when one
        update does not parse, which would stall polling on that update forever."""
        data: dict[str, Any] = {"timeout": wait_seconds, "allowed_updates": ALLOWED_UPDATES}
        if offset is not None:
            data["offset"] = offset
        result = await self._post("getUpdates", data, read_timeout=wait_seconds + 10.0)
        return [u for u in result if isinstance(u, dict)] if isinstance(result, list) else []


class _RedactToken(logging.Filter):
    """httpx logs every request URL at INFO, and the Bot API puts the token in the URL."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self._token = token

    def filter(self, record: logging.LogRecord) -> bool:
        if self._token:
            message = record.getMessage()
            if self._token in message:
                record.msg = message.replace(self._token, "<token>")
                record.args = ()
        return True


def _seconds(value: int | float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def _retry_after(exc: RetryAfter) -> float:
    # PTB 22 keeps a timedelta and warns when the int-or-timedelta property is read.
    stored = getattr(exc, "_retry_after", None)
    if isinstance(stored, timedelta):
        return stored.total_seconds()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _seconds(exc.retry_after)


@dataclass(frozen=True, slots=True)
class TelegramUpdate:
    """One parsed update: the message for the pipeline plus what Telegram itself needs."""

    update_id: int
    inbound: Inbound | None = None
    callback_query_id: str = ""  # always answered, so the tapped button stops spinning
    tapped_message: tuple[int, int] | None = None  # (chat, message) whose keyboard was tapped
    group_chat_id: int | None = None  # a non-private chat: answered once, nothing stored


class TelegramChannel(Channel):
    name = CHANNEL
    capabilities = Capabilities(
        max_text=MAX_TEXT,
        max_buttons=MAX_INLINE_BUTTONS,
        max_list_rows=0,
        button_title_max=64,
        documents=True,
    )

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
        self._token = token
        self.mode = mode
        self._webhook_url = webhook_url
        self._secret = secret_token
        self._poll_timeout = poll_timeout
        self._typing_after = typing_after
        self._bot = _Bot(
            token,
            base_url=base_url,
            base_file_url=base_file_url,
            request=HTTPXRequest(connection_pool_size=64, read_timeout=15.0, write_timeout=30.0),
            get_updates_request=HTTPXRequest(connection_pool_size=2),
        )
        self._limiter = RateLimiter(per_chat_per_second, per_chat_burst, global_per_second)
        self.callbacks = CallbackData()
        self._chat_locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        # Titles of reply-keyboard buttons last shown per chat: a tap there arrives as typed text.
        self._reply_titles: dict[str, dict[str, str]] = {}
        self._groups_told: set[int] = set()
        self._context: ChannelContext | None = None
        self._poller: asyncio.Task[None] | None = None
        self._http: httpx.AsyncClient | None = None
        self._redact = _RedactToken(token)
        for name in REDACTED_LOGGERS:
            logging.getLogger(name).addFilter(self._redact)

    @property
    def bot(self) -> Bot:
        return self._bot

    # -- lifecycle -----------------------------------------------------------------------------

    async def start(self, context: ChannelContext) -> None:
        self._context = context
        self._http = httpx.AsyncClient(timeout=httpx.Timeout(30.0, connect=10.0))
        try:
            await self._bot.initialize()  # getMe: a wrong token stops the start-up here
        except InvalidToken as exc:
            raise RuntimeError(
                "Telegram refused the bot token (telegram.token / SIKETAN__TELEGRAM__TOKEN)"
            ) from exc
        if self.mode == "webhook":
            await self._bot.set_webhook(
                url=self._webhook_url,
                secret_token=self._secret,
                allowed_updates=ALLOWED_UPDATES,
            )
            log.info("Telegram webhook registered at %s", self._webhook_url)
        else:
            self._poller = asyncio.create_task(self._poll_forever(context))

    async def stop(self) -> None:
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._poller
            self._poller = None
        if self._http is not None:
            await self._http.aclose()
            self._http = None
        with contextlib.suppress(Exception):
            await self._bot.shutdown()
        for name in REDACTED_LOGGERS:
            logging.getLogger(name).removeFilter(self._redact)

    # -- inbound -------------------------------------------------------------------------------

    def verify(self, headers: Mapping[str, str], body: bytes) -> bool:
        if not self._secret:
            return False  # without a secret nobody can prove to be Telegram
        wanted = SECRET_HEADER.lower()
        got = next((v for k, v in headers.items() if k.lower() == wanted), "")
        return hmac.compare_digest(got.encode(), self._secret.encode())

    def parse(self, body: bytes) -> Sequence[Inbound]:
        item = self.parse_body(body)
        return (item.inbound,) if item is not None and item.inbound is not None else ()

    def parse_body(self, body: bytes) -> TelegramUpdate | None:
        try:
            data = json.loads(body)
        except ValueError:
            log.warning("Telegram webhook body is not JSON (%d bytes); acknowledged", len(body))
            return None
        return self.parse_update(data)

    def parse_update(self, data: Any) -> TelegramUpdate | None:
        """None when the library cannot read the update (logged; the caller acknowledges it)."""
        update_id = data.get("update_id") if isinstance(data, dict) else None
        try:
            update = Update.de_json(data, self._bot)
        except Exception as exc:
            log.warning(
                "Telegram update %s could not be parsed (%s); acknowledged and dropped",
                update_id,
                type(exc).__name__,
            )
            return None
        try:
            return self._convert(update)
        except Exception:
            # Valid for the library but not what we expect: still acknowledged, never retried.
            log.exception("Telegram update %s could not be converted; dropped", update_id)
            return None

    def _convert(self, update: Update) -> TelegramUpdate:
        uid = update.update_id
        query = update.callback_query
        if query is not None:
            message = query.message
            chat = message.chat if message is not None else None
            chat_id = chat.id if chat is not None else query.from_user.id
            tapped = (chat_id, message.message_id) if message is not None else None
            if chat is not None and chat.type != ChatType.PRIVATE:
                return TelegramUpdate(uid, callback_query_id=query.id, group_chat_id=chat_id)
            data = query.data or ""
            payload = self.callbacks.decode(data) if data else ""
            typed = ""
            if payload is None:
                payload = ""
                typed = _button_title(message, data)
            inbound = Inbound(
                key=ConversationKey(CHANNEL, str(chat_id)),
                message_id=f"c{query.id}",
                text=typed,
                payload=payload,
                sender_id=str(query.from_user.id),
                sender_name=query.from_user.full_name,
                unsupported="" if (payload or typed) else "callback_game",
            )
            return TelegramUpdate(
                uid, inbound=inbound, callback_query_id=query.id, tapped_message=tapped
            )

        edited = update.edited_message
        if edited is not None:
            if edited.chat.type != ChatType.PRIVATE:
                return TelegramUpdate(uid)  # stays silent: the group was told once already
            stamp = int(edited.edit_date.timestamp()) if edited.edit_date else uid
            return TelegramUpdate(
                uid,
                inbound=Inbound(
                    key=ConversationKey(CHANNEL, str(edited.chat.id)),
                    message_id=f"e{edited.chat.id}:{edited.message_id}:{stamp}",
                    sender_id=str(edited.from_user.id) if edited.from_user else "",
                    sender_name=edited.from_user.full_name if edited.from_user else "",
                    unsupported="edited_message",
                    timestamp=edited.edit_date or edited.date,
                ),
            )

        message = update.message
        if message is None:
            return TelegramUpdate(uid)  # channel posts, member updates, ...: nothing to answer
        if message.chat.type != ChatType.PRIVATE:
            return TelegramUpdate(uid, group_chat_id=message.chat.id)
        return TelegramUpdate(uid, inbound=self._message_inbound(message))

    def _message_inbound(self, message: Message) -> Inbound | None:
        chat_id = str(message.chat.id)
        user = message.from_user
        base = Inbound(
            key=ConversationKey(CHANNEL, chat_id),
            message_id=f"m{chat_id}:{message.message_id}",
            sender_id=str(user.id) if user else chat_id,
            sender_name=user.full_name if user else "",
            timestamp=message.date,
        )
        mid = message.message_id
        if message.text is not None:
            typed = message.text
            if typed.startswith("/"):
                # "/start@SiketanBot" (menu in some clients) and "/start <deep-link>" are /start.
                command = typed.split(maxsplit=1)[0].split("@", 1)[0].lower()
                if command in COMMANDS:
                    typed = command
            payload = self._reply_titles.get(chat_id, {}).get(typed.strip(), "")
            return dataclasses.replace(base, text=typed, payload=payload)
        if message.photo:
            # The caption is not passed on: a file step expects a file, not a sentence.
            largest = max(message.photo, key=lambda p: (p.width * p.height, p.file_size or 0))
            attachment = Attachment(
                kind="photo",
                ref=f"tg:{largest.file_id}",
                file_name=f"foto-{mid}.jpg",
                mime_type="image/jpeg",
                size=largest.file_size,
            )
            return dataclasses.replace(base, attachments=(attachment,))
        if message.document is not None:
            doc = message.document
            attachment = Attachment(
                kind="document",
                ref=f"tg:{doc.file_id}",
                file_name=doc.file_name or f"dokumen-{mid}",
                mime_type=doc.mime_type or "",
                size=doc.file_size,
            )
            return dataclasses.replace(base, attachments=(attachment,))
        if message.contact is not None:
            c = message.contact
            name = " ".join(p for p in (c.first_name, c.last_name) if p)
            return dataclasses.replace(base, contact=Contact(phone=c.phone_number, name=name))
        if message.location is not None:
            venue = message.venue
            location = Location(
                latitude=message.location.latitude,
                longitude=message.location.longitude,
                name=venue.title if venue else "",
                address=venue.address if venue else "",
            )
            return dataclasses.replace(base, location=location)
        for kind in UNSUPPORTED_KINDS:
            if getattr(message, kind, None):
                return dataclasses.replace(base, unsupported=kind)
        # Service messages (pins, "allowed to write", ...) are not something the citizen said.
        return None

    async def process(
        self, item: TelegramUpdate, handle: HandleInbound, files: FileStore
    ) -> Any | None:
        """Everything after parsing, shared by the webhook and the polling loop.

        Answers the callback query, tells a group chat once that only private chats are served,
        fetches and checks attachments, and runs the pipeline. Returns the pipeline's result.
        """
        if item.callback_query_id:
            await self._quietly(self._bot.answer_callback_query(item.callback_query_id))
        if item.group_chat_id is not None:
            await self._tell_group_once(item.group_chat_id)
            return None
        if item.tapped_message is not None:
            # A stale keyboard invites double taps; the choice now shows as the next reply.
            chat, message_id = item.tapped_message
            await self._quietly(
                self._bot.edit_message_reply_markup(
                    chat_id=chat, message_id=message_id, reply_markup=None
                )
            )
        inbound = item.inbound
        if inbound is None:
            return None
        chat_id = inbound.key.chat_id
        typing = asyncio.create_task(
            self._typing_later(chat_id, 0.0 if inbound.attachments else self._typing_after)
        )
        try:
            if inbound.attachments:
                checked = [await ingest(self, a, files) for a in inbound.attachments]
                inbound = dataclasses.replace(inbound, attachments=tuple(checked))
            return await handle(inbound)
        finally:
            typing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await typing

    async def _typing_later(self, chat_id: str, after: float) -> None:
        # Honest "typing...": shown only when the answer is really taking a while.
        await asyncio.sleep(after)
        await self._quietly(self._bot.send_chat_action(int(chat_id), ChatAction.TYPING))

    async def _tell_group_once(self, chat_id: int) -> None:
        if chat_id in self._groups_told:
            return
        self._groups_told.add(chat_id)
        await self._quietly(
            self._bot.send_message(chat_id, catalog_text("id", "telegram_private_only"))
        )

    @staticmethod
    async def _quietly(call: Awaitable[Any]) -> None:
        # Courtesy calls (answering a tap, typing, ...) must never fail the update.
        try:
            await call
        except TelegramError as exc:
            log.info("Telegram courtesy call failed: %s", exc)

    async def fetch_attachment(self, attachment: Attachment, max_bytes: int) -> bytes:
        limit = min(max_bytes, GETFILE_LIMIT)
        if attachment.size is not None and attachment.size > limit:
            raise FileRejected("too_large", f"{attachment.size} bytes announced")
        try:
            tg_file = await self._bot.get_file(attachment.ref.removeprefix("tg:"))
        except BadRequest as exc:
            if "too big" in str(exc).lower():
                raise FileRejected("too_large", "over the Bot API download limit") from exc
            raise
        if tg_file.file_size is not None and tg_file.file_size > limit:
            raise FileRejected("too_large", f"{tg_file.file_size} bytes")
        if not tg_file.file_path:
            raise RuntimeError("Telegram gave no file path")
        http = self._http or httpx.AsyncClient(timeout=30.0)
        chunks: list[bytes] = []
        total = 0
        try:
            async with http.stream("GET", tg_file.file_path) as response:
                if response.status_code != 200:
                    status = response.status_code
                    raise RuntimeError(f"file download answered HTTP {status}")
                async for chunk in response.aiter_bytes():
                    total += len(chunk)
                    if total > max_bytes:
                        raise FileRejected("too_large", f"over {max_bytes} bytes")
                    chunks.append(chunk)
        except httpx.HTTPError as exc:
            # The URL holds the bot token: report the failure without it.
            raise RuntimeError(f"file download failed: {type(exc).__name__}") from None
        finally:
            if http is not self._http:
                await http.aclose()
        return b"".join(chunks)

    # -- polling -------------------------------------------------------------------------------

    async def _poll_forever(self, context: ChannelContext) -> None:
        offset: int | None = None
        delay = 1.0
        webhook_deleted = False
        failures: dict[int, int] = defaultdict(int)
        while True:
            try:
                if not webhook_deleted:
                    # getUpdates is refused while a webhook is set (409).
                    await self._bot.delete_webhook(drop_pending_updates=False)
                    webhook_deleted = True
                raw = await self._bot.get_raw_updates(offset, self._poll_timeout)
                delay = 1.0
            except asyncio.CancelledError:
                raise
            except RetryAfter as exc:
                await asyncio.sleep(_retry_after(exc))
                continue
            except Conflict as exc:
                log.warning("Telegram getUpdates conflict (%s); retrying", exc)
                webhook_deleted = False
                await asyncio.sleep(delay)
                delay = min(delay * 2, 60.0)
                continue
            except Exception as exc:
                log.warning("Telegram getUpdates failed (%s); retrying in %.0f s", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 60.0)
                continue
            if not raw:
                continue
            failed = await self._process_batch(raw, context)
            ids = [int(u.get("update_id", 0)) for u in raw]
            if failed is None:
                offset = max(ids) + 1
                continue
            failures[failed] += 1
            if failures[failed] >= POLL_ATTEMPTS:
                # A message that keeps failing must not stop everyone else's messages.
                log.error("Telegram update %s failed %d times; skipping it", failed, POLL_ATTEMPTS)
                offset = max(ids) + 1
                failures.clear()
            else:
                # Leave the offset: the batch comes again and processed ones are dropped as
                # duplicates by the pipeline.
                await asyncio.sleep(delay)
                delay = min(delay * 2, 60.0)

    async def _process_batch(
        self, raw: list[dict[str, Any]], context: ChannelContext
    ) -> int | None:
        """Process updates, each chat in order, chats concurrently; return a failed update id."""
        per_chat: dict[str, list[TelegramUpdate]] = defaultdict(list)
        for data in raw:
            item = self.parse_update(data)
            if item is None:
                continue
            key = item.inbound.key.chat_id if item.inbound else f"g{item.group_chat_id}"
            per_chat[key].append(item)

        async def run(items: list[TelegramUpdate]) -> int | None:
            for item in items:
                try:
                    await self.process(item, context.handle_inbound, context.files)
                except Exception:
                    log.exception("Telegram update %s failed", item.update_id)
                    return item.update_id
            return None

        results = await asyncio.gather(*(run(items) for items in per_chat.values()))
        return next((r for r in results if r is not None), None)

    # -- outbound ------------------------------------------------------------------------------

    async def send(
        self, key: ConversationKey, message: Outbound, context: SendContext | None = None
    ) -> Delivered:
        # One chat's messages go out one at a time, in the order they were handed over.
        async with self._chat_locks[key.chat_id]:
            try:
                return await self._send(key.chat_id, message)
            except DeliveryError:
                raise
            except TelegramError as exc:
                raise self._delivery_error(exc) from None

    def _delivery_error(self, exc: TelegramError) -> DeliveryError:
        reason = f"{type(exc).__name__}: {exc}".replace(self._token, "<token>")
        if isinstance(exc, RetryAfter):
            return DeliveryError(reason, retry_after=_retry_after(exc), code="429")
        if isinstance(exc, Forbidden):
            return DeliveryError(reason, blocked=True, code="403")
        if isinstance(exc, InvalidToken):
            return DeliveryError(reason, permanent=True, code="401")
        if isinstance(exc, (BadRequest, ChatMigrated)):
            return DeliveryError(reason, permanent=True, code="400")
        return DeliveryError(reason, code="network")  # timeouts, 5xx, 409: try again later

    async def _send(self, chat_id: str, message: Outbound) -> Delivered:
        markup = self._markup(chat_id, message)
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
        files = self._context.files if self._context else None
        if files is None:
            raise DeliveryError("Telegram channel not started: no file store", permanent=True)
        try:
            data = await asyncio.to_thread(files.read, message.document_ref.removeprefix("sha256:"))
        except (OSError, ValueError) as exc:
            raise DeliveryError(
                f"document {message.document_ref} not in the file store", permanent=True
            ) from exc
        await self._quietly(self._bot.send_chat_action(int(chat_id), ChatAction.UPLOAD_DOCUMENT))
        caption = body if _u16(body) <= MAX_CAPTION else ""
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
                wait = _retry_after(exc)
                if not partial or wait > 60:
                    raise
                await asyncio.sleep(wait)
        return await call()

    def _markup(self, chat_id: str, message: Outbound) -> Any:
        if message.kind == OutboundKind.REQUEST_CONTACT:
            locale = message.meta.get("locale", "id")
            rows = [
                [
                    KeyboardButton(
                        catalog_text(locale, "telegram_share_contact"), request_contact=True
                    )
                ]
            ]
            rows += [[KeyboardButton(b.title)] for b in message.buttons]
            # Reply-keyboard taps arrive as typed titles; remember which payload each meant.
            self._reply_titles[chat_id] = {b.title: b.payload for b in message.buttons}
            return ReplyKeyboardMarkup(rows, one_time_keyboard=True, resize_keyboard=True)
        if message.buttons and len(message.buttons) <= MAX_INLINE_BUTTONS:
            return InlineKeyboardMarkup(
                [
                    [
                        InlineKeyboardButton(
                            _clip(b.title), callback_data=self.callbacks.encode(b.payload)
                        )
                    ]
                    for b in message.buttons
                ]
            )
        if chat_id in self._reply_titles:
            # The contact keyboard was answered some other way: take it off the screen.
            self._reply_titles.pop(chat_id, None)
            return ReplyKeyboardRemove()
        return None


def _clip(title: str, limit: int = 64) -> str:
    return title if len(title) <= limit else title[: limit - 1] + "…"


def _button_title(message: Any, data: str) -> str:
    markup = getattr(message, "reply_markup", None)
    for row in getattr(markup, "inline_keyboard", ()) or ():
        for button in row:
            if getattr(button, "callback_data", None) == data:
                return str(button.text)
    return ""


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


__all__ = [
    "CHANNEL",
    "SECRET_HEADER",
    "CallbackData",
    "TelegramChannel",
    "TelegramUpdate",
    "build_telegram_channel",
    "split_text",
    "to_html",
]
