"""Long polling (getUpdates): the same path as the webhook, one batch at a time.

Each chat's updates run in order, chats concurrently. The offset moves past a batch once it is
handled; an update that keeps failing on our side is retried a few times, then skipped, so one
message cannot stop everyone else's.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import Any

from telegram.error import Conflict, RetryAfter

from bot.channels.telegram.api import BotApi, retry_after
from bot.channels.telegram.updates import TelegramReceived, UpdateParser

log = logging.getLogger(__name__)

POLL_ATTEMPTS = 5  # with backoff 1+2+4+8 s: rides out a short database hiccup

Receive = Callable[[TelegramReceived], Awaitable[bool]]


class Poller:
    def __init__(self, bot: BotApi, parser: UpdateParser, receive: Receive, wait: int) -> None:
        self._bot = bot
        self._parser = parser
        self._receive = receive
        self._wait = wait

    async def run_forever(self) -> None:
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
                raw = await self._bot.get_raw_updates(offset, self._wait)
                delay = 1.0
            except asyncio.CancelledError:
                raise
            except RetryAfter as exc:
                await asyncio.sleep(retry_after(exc))
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
            failed = await self.process_batch(raw)
            ids = [int(u.get("update_id", 0)) for u in raw]
            if failed is None:
                offset = max(ids) + 1
                continue
            failures[failed] += 1
            if failures[failed] >= POLL_ATTEMPTS:
                log.error("Telegram update %s failed %d times; skipping it", failed, POLL_ATTEMPTS)
                offset = max(ids) + 1
                failures.clear()
            else:
                # Leave the offset: the batch comes again and processed ones are dropped as
                # duplicates by the pipeline.
                await asyncio.sleep(delay)
                delay = min(delay * 2, 60.0)

    async def process_batch(self, raw: list[dict[str, Any]]) -> int | None:
        """Process updates, each chat in order, chats concurrently; return a failed update id."""
        per_chat: dict[str, list[TelegramReceived]] = defaultdict(list)
        for data in raw:
            item = self._parser.parse_update(data)
            if item is not None:
                per_chat[item.order_key].append(item)

        async def run(items: list[TelegramReceived]) -> int | None:
            for item in items:
                if not await self._receive(item):
                    return item.update_id
            return None

        results = await asyncio.gather(*(run(items) for items in per_chat.values()))
        return next((r for r in results if r is not None), None)
