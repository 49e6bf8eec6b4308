"""In-process wake-ups for live views (web chat WebSocket, officer console, outbox sender).

Only a hint: listeners always re-read the database, and poll it on a timeout, so a message written
by another server process is still seen within that timeout. The topic names live here too, so
publishers (office services, the pipeline) and listeners (web routes, the outbox sender) agree.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict

__all__ = [
    "CONSOLE_TOPIC",
    "OUTBOX_TOPIC",
    "LiveHub",
    "console_conversation_topic",
    "conversation_topic",
]

# Something changed in the officers' queue (a request, a claim, a ticket).
CONSOLE_TOPIC = "console"
# The outbox has work for a push channel.
OUTBOX_TOPIC = "outbox"


def conversation_topic(conversation_id: int) -> str:
    """A conversation's transcript grew (what the citizen's live view waits for)."""
    return f"conversation:{conversation_id}"


def console_conversation_topic(conversation_id: int) -> str:
    """A conversation changed in a way the officer looking at it should see."""
    return f"console:conversation:{conversation_id}"


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
