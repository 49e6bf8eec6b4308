"""Telegram channel: python-telegram-bot 22 as a typed Bot API client and update parser.

One concept per module:

- `api`: the Bot API client (raw getUpdates), Telegram's limits, token redaction in logs
- `updates`: an update -> `TelegramReceived` (`Inbound` + what Telegram itself needs)
- `callback_data`: button payloads within Telegram's 64 bytes (the long-payload map)
- `rendering`: HTML text in parts, inline and contact keyboards
- `rate_limits`: flood limits per chat and overall
- `sending`: one `Outbound` out, errors mapped to `DeliveryError`
- `courtesy`: answering taps, telling groups once, "typing..."
- `files`: downloading a citizen's file within the limits
- `polling`: the getUpdates loop
- `channel`: `TelegramChannel`, the adapter contract put together
"""

from bot.channels.telegram.api import CHANNEL, MAX_CALLBACK_BYTES, SECRET_HEADER
from bot.channels.telegram.callback_data import CallbackData
from bot.channels.telegram.channel import TelegramChannel, build_telegram_channel
from bot.channels.telegram.rate_limits import RateLimiter
from bot.channels.telegram.rendering import split_text, to_html
from bot.channels.telegram.updates import TelegramReceived

__all__ = [
    "CHANNEL",
    "MAX_CALLBACK_BYTES",
    "SECRET_HEADER",
    "CallbackData",
    "RateLimiter",
    "TelegramChannel",
    "TelegramReceived",
    "build_telegram_channel",
    "split_text",
    "to_html",
]
