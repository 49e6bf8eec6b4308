"""The Bot API client (python-telegram-bot's `Bot`) and the limits Telegram sets.

The token is part of every Bot API URL, so it is kept out of logs and error texts here.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Awaitable
from datetime import timedelta
from typing import Any

from telegram import Bot
from telegram.error import RetryAfter, TelegramError
from telegram.request import HTTPXRequest

CHANNEL = "telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 (a header name)
MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_BYTES = 64
GETFILE_LIMIT = 20 * 1024 * 1024  # the Bot API refuses to hand out larger files
MAX_INLINE_BUTTONS = 30  # Telegram allows 100; more than this is unreadable on a small phone
ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]
REDACTED_LOGGERS = ("httpx", "httpcore", "telegram.Bot", "telegram.request")

log = logging.getLogger(__name__)


class BotApi(Bot):
    """PTB's Bot with a getUpdates that does not parse (see `get_raw_updates`)."""

    @classmethod
    def connect(cls, token: str, base_url: str, base_file_url: str) -> BotApi:
        return cls(
            token,
            base_url=base_url,
            base_file_url=base_file_url,
            request=HTTPXRequest(connection_pool_size=64, read_timeout=15.0, write_timeout=30.0),
            get_updates_request=HTTPXRequest(connection_pool_size=2),
        )

    async def get_raw_updates(self, offset: int | None, wait_seconds: int) -> list[dict[str, Any]]:
        """getUpdates without parsing: PTB's `get_updates` fails the whole batch when one
        update does not parse, which would stall polling on that update forever."""
        data: dict[str, Any] = {"timeout": wait_seconds, "allowed_updates": ALLOWED_UPDATES}
        if offset is not None:
            data["offset"] = offset
        result = await self._post("getUpdates", data, read_timeout=wait_seconds + 10.0)
        return [u for u in result if isinstance(u, dict)] if isinstance(result, list) else []


class RedactToken(logging.Filter):
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

    def install(self) -> None:
        for name in REDACTED_LOGGERS:
            logging.getLogger(name).addFilter(self)

    def remove(self) -> None:
        for name in REDACTED_LOGGERS:
            logging.getLogger(name).removeFilter(self)


def retry_after(exc: RetryAfter) -> float:
    """Seconds Telegram asks us to wait."""
    # PTB 22 keeps a timedelta and warns when the int-or-timedelta property is read.
    stored = getattr(exc, "_retry_after", None)
    if isinstance(stored, timedelta):
        return stored.total_seconds()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


async def quietly(call: Awaitable[Any]) -> None:
    """A courtesy call (answering a tap, "typing...") that must never fail the update."""
    try:
        await call
    except TelegramError as exc:
        log.info("Telegram courtesy call failed: %s", exc)
