"""Button payloads as `callback_data`, which Telegram limits to 64 bytes."""

from __future__ import annotations

import base64
import hashlib
from collections import OrderedDict

from bot.channels.telegram.api import MAX_CALLBACK_BYTES


class CallbackData:
    """Short payloads go as they are, so a tap carries its own meaning and survives restarts and
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
