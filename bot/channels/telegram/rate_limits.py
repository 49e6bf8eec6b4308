"""Telegram's flood limits as token buckets: ~1 message/s per chat (small bursts), 30/s total."""

from __future__ import annotations

import asyncio
import time


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
    """Per process: each process sends what its own outbox sender claimed."""

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
