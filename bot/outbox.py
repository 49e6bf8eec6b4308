"""Outbox sender: delivers queued messages through their channel, with retries and backoff.

A message is claimed (status `sending`) in one transaction, sent outside any transaction, and its
result recorded in another. A process that dies between the two leaves the row in `sending`; it
becomes due again after a while, so nothing is lost (a platform that accepted the message just
before the crash may then see it twice: the only duplicate this design allows).
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Mapping
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.base import Channel, DeliveryError, SendContext
from bot.settings import OutboxSettings
from dialogs.messages import ConversationKey, Outbound
from office.live import OUTBOX_TOPIC, LiveHub
from storage import outbox as repo
from storage.models.base import utcnow

__all__ = ["OutboxSender", "backoff_delay"]

log = logging.getLogger(__name__)


def backoff_delay(attempt: int, settings: OutboxSettings, jitter: float = 0.1) -> float:
    delay = min(settings.max_delay_seconds, settings.base_delay_seconds * (2 ** (attempt - 1)))
    return float(delay * (1 + random.uniform(0, jitter)))


class OutboxSender:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        channels: Mapping[str, Channel],
        settings: OutboxSettings,
        hub: LiveHub | None = None,
    ) -> None:
        self._sessions = sessions
        self._channels = channels
        self._settings = settings
        self._hub = hub

    async def run_once(self, limit: int = 50) -> int:
        """Claim and send what is due now; return how many messages were attempted."""
        async with self._sessions() as session, session.begin():
            due = await repo.claim_due(session, utcnow(), limit=limit)
        if not due:
            return 0
        await asyncio.gather(*(self._deliver(message) for message in due))
        return len(due)

    async def _deliver(self, message: repo.DueMessage) -> None:
        channel = self._channels.get(message.channel)
        attempt = message.attempts + 1
        if channel is None:
            await self._record_failure(
                message.id, attempt, f"channel {message.channel} not running", True
            )
            return
        context = SendContext(message.last_inbound_at, message.conversation_id)
        try:
            delivered = await channel.send(
                ConversationKey(message.channel, message.chat_id),
                Outbound.from_json(message.body),
                context,
            )
        except DeliveryError as exc:
            await self._record_failure(
                message.id, attempt, exc.reason, exc.permanent, exc.retry_after, exc.blocked
            )
            return
        except Exception as exc:  # an adapter bug must not stop the sender; retry like a 5xx
            log.exception("channel %s raised while sending outbox %s", message.channel, message.id)
            await self._record_failure(message.id, attempt, f"{type(exc).__name__}: {exc}", False)
            return
        async with self._sessions() as session, session.begin():
            await repo.record_sent(
                session, message.id, attempt, delivered.platform_message_id, utcnow()
            )

    async def _record_failure(
        self,
        row_id: int,
        attempt: int,
        reason: str,
        permanent: bool,
        retry_after: float | None = None,
        blocked: bool = False,
    ) -> None:
        give_up = permanent or attempt >= self._settings.max_attempts
        delay = max(retry_after or 0.0, backoff_delay(attempt, self._settings))
        log.warning(
            "outbox %s attempt %s failed (%s)%s",
            row_id,
            attempt,
            reason,
            "; giving up" if give_up else "",
        )
        async with self._sessions() as session, session.begin():
            await repo.record_failure(
                session,
                row_id,
                attempt,
                reason,
                give_up=give_up,
                next_attempt_at=utcnow() + timedelta(seconds=delay),
                blocked=blocked,
            )

    async def run_forever(self, stop: asyncio.Event) -> None:
        interval = self._settings.poll_interval_seconds
        while not stop.is_set():
            try:
                sent = await self.run_once()
            except Exception:
                log.exception("outbox sender pass failed; retrying")
                sent = 0
            if sent:
                continue
            if self._hub is not None:
                await self._hub.wait(OUTBOX_TOPIC, interval)
            else:
                await asyncio.sleep(interval)
