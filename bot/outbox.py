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

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.base import Channel, DeliveryError, SendContext
from bot.settings import OutboxSettings
from dialogs.messages import ConversationKey, Outbound
from office.live import OUTBOX_TOPIC, LiveHub
from storage import conversations as repo
from storage.models import Conversation, OutboxMessage
from storage.models.base import utcnow

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
            rows = await repo.claim_due_outbox(session, utcnow(), limit=limit)
            windows = await repo.last_inbound_times(session, {r.conversation_id for r in rows})
            claimed = [
                (
                    r.id,
                    r.channel,
                    r.chat_id,
                    r.body,
                    r.attempts,
                    SendContext(windows.get(r.conversation_id), r.conversation_id),
                )
                for r in rows
            ]
        if not claimed:
            return 0
        await asyncio.gather(*(self._deliver(*row) for row in claimed))
        return len(claimed)

    async def _deliver(
        self,
        row_id: int,
        channel_name: str,
        chat_id: str,
        body: dict[str, object],
        attempts: int,
        context: SendContext,
    ) -> None:
        channel = self._channels.get(channel_name)
        attempt = attempts + 1
        if channel is None:
            await self._record_failure(row_id, attempt, f"channel {channel_name} not running", True)
            return
        try:
            delivered = await channel.send(
                ConversationKey(channel_name, chat_id), Outbound.from_json(body), context
            )
        except DeliveryError as exc:
            await self._record_failure(
                row_id, attempt, exc.reason, exc.permanent, exc.retry_after, exc.blocked
            )
            return
        except Exception as exc:  # an adapter bug must not stop the sender; retry like a 5xx
            log.exception("channel %s raised while sending outbox %s", channel_name, row_id)
            await self._record_failure(row_id, attempt, f"{type(exc).__name__}: {exc}", False)
            return
        async with self._sessions() as session, session.begin():
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == row_id)
                .values(
                    status="sent",
                    attempts=attempt,
                    sent_at=utcnow(),
                    platform_message_id=delivered.platform_message_id,
                    last_error="",
                )
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
            row = await session.get(OutboxMessage, row_id)
            if row is None:
                return
            row.attempts = attempt
            row.last_error = reason[:2000]
            row.status = "failed" if give_up else "pending"
            row.next_attempt_at = utcnow() + timedelta(seconds=delay)
            if blocked:
                await session.execute(
                    update(Conversation)
                    .where(Conversation.id == row.conversation_id)
                    .values(blocked=True)
                )
                # Nothing more will reach this citizen: fail the rest instead of retrying it.
                await session.execute(
                    update(OutboxMessage)
                    .where(
                        OutboxMessage.conversation_id == row.conversation_id,
                        OutboxMessage.status == "pending",
                    )
                    .values(status="failed", last_error="recipient blocked the bot")
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
