"""In-process wake-ups for live views (web chat WebSocket, outbox sender).

Only a hint: listeners always re-read the database, and poll it on a timeout, so a message written
by another server process is still seen within that timeout.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict


class LiveHub:
    def __init__(self) -> None:
        self._waiters: dict[str, set[asyncio.Event]] = defaultdict(set)

    def publish(self, topic: str) -> None:
        for event in list(self._waiters.get(topic, ())):
            event.set()

    async def wait(self, topic: str, timeout: float) -> bool:  # noqa: ASYNC109
        event = asyncio.Event()
        self._waiters[topic].add(event)
        try:
            async with asyncio.timeout(timeout):
                await event.wait()
            return True
        except TimeoutError:
            return False
        finally:
            self._waiters[topic].discard(event)
            if not self._waiters[topic]:
                self._waiters.pop(topic, None)
