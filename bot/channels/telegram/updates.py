"""Telegram updates -> `TelegramReceived` (channel-neutral `Inbound` plus Telegram's own needs).

Message ids for the pipeline's redelivery check are per message, not per update:
`m<chat>:<message_id>`, `e<chat>:<message_id>:<edit_date>`, `c<callback_query_id>`. Telegram
redelivers an update unchanged, so these are stable; unlike `update_id` they also stay unique when
Telegram restarts its update numbering (it picks a random start after a week without updates).
"""

from __future__ import annotations

import dataclasses
import json
import logging
from dataclasses import dataclass
from typing import Any

from telegram import Bot, CallbackQuery, Message, Update
from telegram.constants import ChatType

from bot.channels.base import Received
from bot.channels.telegram.api import CHANNEL
from bot.channels.telegram.callback_data import CallbackData
from bot.channels.telegram.rendering import Keyboards
from dialogs.messages import Attachment, Contact, ConversationKey, Inbound, Location

log = logging.getLogger(__name__)

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


@dataclass(frozen=True, slots=True)
class TelegramReceived(Received):
    """One parsed update: the message for the pipeline plus what Telegram itself needs."""

    update_id: int = 0
    callback_query_id: str = ""  # always answered, so the tapped button stops spinning
    tapped_message: tuple[int, int] | None = None  # (chat, message) whose keyboard was tapped
    group_chat_id: int | None = None  # a non-private chat: answered once, nothing stored

    @property
    def inbound(self) -> Inbound | None:
        return self.inbounds[0] if self.inbounds else None

    @property
    def order_key(self) -> str:
        """Updates with the same key are handled in order (one chat's messages)."""
        return self.inbounds[0].key.chat_id if self.inbounds else f"g{self.group_chat_id}"


class UpdateParser:
    def __init__(self, bot: Bot, callbacks: CallbackData, keyboards: Keyboards) -> None:
        self._bot = bot
        self._callbacks = callbacks
        self._keyboards = keyboards

    def parse_body(self, body: bytes) -> TelegramReceived | None:
        try:
            data = json.loads(body)
        except ValueError:
            log.warning("Telegram webhook body is not JSON (%d bytes); acknowledged", len(body))
            return None
        return self.parse_update(data)

    def parse_update(self, data: Any) -> TelegramReceived | None:
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

    def _convert(self, update: Update) -> TelegramReceived:
        uid = update.update_id
        if update.callback_query is not None:
            return self._tap(uid, update.callback_query)
        edited = update.edited_message
        if edited is not None:
            if edited.chat.type != ChatType.PRIVATE:
                return TelegramReceived(update_id=uid)  # the group was told once already
            return TelegramReceived((self._edited(uid, edited),), update_id=uid)
        message = update.message
        if message is None:
            # Channel posts, member updates, ...: nothing to answer.
            return TelegramReceived(update_id=uid)
        if message.chat.type != ChatType.PRIVATE:
            return TelegramReceived(update_id=uid, group_chat_id=message.chat.id)
        inbound = self._message_inbound(message)
        return TelegramReceived((inbound,) if inbound else (), update_id=uid)

    def _tap(self, uid: int, query: CallbackQuery) -> TelegramReceived:
        message = query.message
        chat = message.chat if message is not None else None
        chat_id = chat.id if chat is not None else query.from_user.id
        tapped = (chat_id, message.message_id) if message is not None else None
        if chat is not None and chat.type != ChatType.PRIVATE:
            return TelegramReceived(
                update_id=uid, callback_query_id=query.id, group_chat_id=chat_id
            )
        data = query.data or ""
        payload = self._callbacks.decode(data) if data else ""
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
        return TelegramReceived(
            (inbound,), update_id=uid, callback_query_id=query.id, tapped_message=tapped
        )

    @staticmethod
    def _edited(uid: int, edited: Message) -> Inbound:
        stamp = int(edited.edit_date.timestamp()) if edited.edit_date else uid
        return Inbound(
            key=ConversationKey(CHANNEL, str(edited.chat.id)),
            message_id=f"e{edited.chat.id}:{edited.message_id}:{stamp}",
            sender_id=str(edited.from_user.id) if edited.from_user else "",
            sender_name=edited.from_user.full_name if edited.from_user else "",
            unsupported="edited_message",
            timestamp=edited.edit_date or edited.date,
        )

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
        if message.text is not None:
            typed = _command(message.text)
            payload = self._keyboards.payload_for(chat_id, typed)
            return dataclasses.replace(base, text=typed, payload=payload)
        attachment = _attachment(message)
        if attachment is not None:
            # The caption is not passed on: a file step expects a file, not a sentence.
            return dataclasses.replace(base, attachments=(attachment,))
        if message.contact is not None:
            c = message.contact
            name = " ".join(p for p in (c.first_name, c.last_name) if p)
            return dataclasses.replace(base, contact=Contact(phone=c.phone_number, name=name))
        if message.location is not None:
            return dataclasses.replace(base, location=_location(message))
        for kind in UNSUPPORTED_KINDS:
            if getattr(message, kind, None):
                return dataclasses.replace(base, unsupported=kind)
        # Service messages (pins, "allowed to write", ...) are not something the citizen said.
        return None


def _command(typed: str) -> str:
    if typed.startswith("/"):
        # "/start@SiketanBot" (menu in some clients) and "/start <deep-link>" are /start.
        command = typed.split(maxsplit=1)[0].split("@", 1)[0].lower()
        if command in COMMANDS:
            return command
    return typed


def _attachment(message: Message) -> Attachment | None:
    mid = message.message_id
    if message.photo:
        largest = max(message.photo, key=lambda p: (p.width * p.height, p.file_size or 0))
        return Attachment(
            kind="photo",
            ref=f"tg:{largest.file_id}",
            file_name=f"foto-{mid}.jpg",
            mime_type="image/jpeg",
            size=largest.file_size,
        )
    if message.document is not None:
        doc = message.document
        return Attachment(
            kind="document",
            ref=f"tg:{doc.file_id}",
            file_name=doc.file_name or f"dokumen-{mid}",
            mime_type=doc.mime_type or "",
            size=doc.file_size,
        )
    return None


def _location(message: Message) -> Location:
    assert message.location is not None
    venue = message.venue
    return Location(
        latitude=message.location.latitude,
        longitude=message.location.longitude,
        name=venue.title if venue else "",
        address=venue.address if venue else "",
    )


def _button_title(message: Any, data: str) -> str:
    markup = getattr(message, "reply_markup", None)
    for row in getattr(markup, "inline_keyboard", ()) or ():
        for button in row:
            if getattr(button, "callback_data", None) == data:
                return str(button.text)
    return ""
