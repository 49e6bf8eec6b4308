"""How an `Outbound` looks on Telegram: HTML text in parts that fit, inline keyboards, the
contact-request keyboard. Knows nothing about sending."""

from __future__ import annotations

import html
import re
from typing import Any

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

from bot.channels.telegram.api import MAX_INLINE_BUTTONS, MAX_TEXT
from bot.channels.telegram.callback_data import CallbackData
from bot.channels.text import split_text as fit_text
from dialogs.messages import Outbound, OutboundKind
from dialogs.texts import text as catalog_text


def u16(s: str) -> int:
    # Telegram counts message length in UTF-16 code units (an emoji may count twice).
    return len(s.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Split `text` into parts of at most `limit` UTF-16 units, at the best break."""
    return fit_text(text, limit, u16) or [""]


_BOLD = re.compile(r"\*([^*\n]+)\*")


def to_html(text: str) -> str:
    """Our catalog marks bold as *word* (WhatsApp style); Telegram gets the HTML equivalent.

    Everything is escaped first, so citizen text echoed back can never inject markup.
    """
    return _BOLD.sub(r"<b>\1</b>", html.escape(text, quote=False))


def clip(title: str, limit: int = 64) -> str:
    return title if len(title) <= limit else title[: limit - 1] + "…"


class Keyboards:
    """Inline keyboards for options; a one-time reply keyboard when asking for the contact.

    Reply-keyboard taps arrive as typed titles, so the titles last shown per chat are kept to
    map a tap back to its payload (`payload_for`).
    """

    def __init__(self, callbacks: CallbackData) -> None:
        self._callbacks = callbacks
        self._reply_titles: dict[str, dict[str, str]] = {}

    def payload_for(self, chat_id: str, typed: str) -> str:
        return self._reply_titles.get(chat_id, {}).get(typed.strip(), "")

    def markup(self, chat_id: str, message: Outbound) -> Any:
        if message.kind == OutboundKind.REQUEST_CONTACT:
            return self._contact_keyboard(chat_id, message)
        if message.buttons and len(message.buttons) <= MAX_INLINE_BUTTONS:
            return InlineKeyboardMarkup(
                [
                    [
                        InlineKeyboardButton(
                            clip(b.title), callback_data=self._callbacks.encode(b.payload)
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

    def _contact_keyboard(self, chat_id: str, message: Outbound) -> ReplyKeyboardMarkup:
        locale = message.meta.get("locale", "id")
        share = KeyboardButton(catalog_text(locale, "telegram_share_contact"), request_contact=True)
        rows = [[share]] + [[KeyboardButton(b.title)] for b in message.buttons]
        self._reply_titles[chat_id] = {b.title: b.payload for b in message.buttons}
        return ReplyKeyboardMarkup(rows, one_time_keyboard=True, resize_keyboard=True)
