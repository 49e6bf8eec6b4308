"""The message path (DESIGN.md step 3): one inbound message, one database transaction.

dedup -> conversation lock -> state -> transcript -> mode routing -> NLU + dialog step ->
state + transcript + outbox -> commit. An exception anywhere rolls everything back, the platform
id included, so the next delivery of the same message is processed normally.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from dialogs.engine import Turn, TurnResult
from dialogs.messages import ConversationKey, Inbound, Outbound
from office.handoff import HandoffService
from office.notifications import Notifications, Reply
from storage import conversations as repo
from storage.models.base import utcnow

__all__ = ["DialogHandler", "HandleResult", "Pipeline"]

log = logging.getLogger(__name__)


class DialogHandler(Protocol):
    async def handle(self, turn: Turn) -> TurnResult: ...


@dataclass
class HandleResult:
    conversation_id: int
    replies: list[Reply] = field(default_factory=list)
    duplicate: bool = False
    routed_to_officer: bool = False
    locale: str = ""  # the conversation's language after this message


class Pipeline:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        dialogs: DialogHandler,
        notifications: Notifications,
        handoff: HandoffService | None = None,
        repos_factory: Callable[[AsyncSession], Any] | None = None,
        *,
        one_at_a_time: bool = False,
        before_turn: Callable[[Inbound], Awaitable[None]] | None = None,
    ) -> None:
        """Without a `handoff` service a request for an officer keeps the bot (tests only)."""
        self._sessions = sessions
        self._dialogs = dialogs
        self._notifications = notifications
        self.handoff = handoff
        self._repos_factory = repos_factory
        # SQLite runs one transaction at a time per process anyway (one pooled connection), but
        # the pool's queue lets a newcomer take a just-freed connection ahead of the woken
        # waiter, which then queues again at the back: under load a few messages waited ten
        # times the median. asyncio.Lock hands over strictly in arrival order.
        self._turns: asyncio.Lock | None = asyncio.Lock() if one_at_a_time else None
        # Slow work on the inbound that must not hold the turn's lock or transaction (reading a
        # KTP photo takes a second or two of CPU): done first, outside both.
        self._before_turn = before_turn

    async def handle(self, inbound: Inbound) -> HandleResult:
        if self._before_turn is not None:
            await self._before_turn(inbound)
        try:
            if self._turns is None:
                result = await self._handle(inbound)
            else:
                async with self._turns:
                    result = await self._handle(inbound)
        except _Redelivered as again:
            return await self._replay(inbound.key, inbound.message_id, again.conversation_id)
        # Once per message, after the commit: live views and the sender then see the new rows.
        self._notifications.notify(result.conversation_id, inbound.key.channel)
        return result

    async def _handle(self, inbound: Inbound) -> HandleResult:
        key = inbound.key
        async with self._sessions() as session, session.begin():
            conv = await repo.lock_conversation(session, key.channel, key.chat_id)
            incoming_row = repo.transcript_row(
                conv.id,
                direction="in",
                author="citizen",
                author_id=inbound.sender_id,
                text=inbound.text,
                body=inbound.to_json(),
                platform_message_id=inbound.message_id,
            )
            (incoming_id,) = await repo.insert_transcript(session, [incoming_row])
            if not await repo.claim_inbound(
                session, key.channel, inbound.message_id, conv.id, incoming_id
            ):
                # Processed before: leaving the block rolls back the transcript row just added.
                raise _Redelivered(conv.id)

            now = utcnow()
            conv.last_inbound_at = now
            conv.blocked = False  # writing to us again means they unblocked the bot
            conv.updated_at = now
            if inbound.sender_name and not conv.sender_name:
                conv.sender_name = inbound.sender_name[:200]

            if conv.mode in ("waiting", "officer"):
                # An officer holds (or will hold) this conversation: the bot stays silent; the
                # waiting citizen may only cancel the wait, and hears "passed on" once.
                messages = await self.handoff.route(session, conv, inbound) if self.handoff else []
                replies = await self._notifications.enqueue(
                    session, conv.id, key, messages, incoming_id
                )
                result = HandleResult(
                    conversation_id=conv.id,
                    replies=replies,
                    routed_to_officer=conv.mode != "bot",
                    locale=conv.locale,
                )
            elif self.handoff and (
                kept := await self.handoff.keep_ticket_message(session, conv, inbound)
            ):
                replies = await self._notifications.enqueue(
                    session, conv.id, key, kept, incoming_id
                )
                result = HandleResult(conversation_id=conv.id, replies=replies, locale=conv.locale)
            else:
                turn = Turn(
                    inbound=inbound,
                    locale=conv.locale,
                    mode=conv.mode,
                    state=dict(conv.state or {}),
                    repos=self._repos_factory(session) if self._repos_factory else None,
                )
                outcome = await self._dialogs.handle(turn)
                conv.state = outcome.state
                conv.locale = outcome.locale
                messages = list(outcome.replies)
                if outcome.mode == "waiting" and self.handoff is not None:
                    # The dialog asked for an officer (state["handoff_reason"] says why).
                    reason = str(outcome.state.get("handoff_reason") or "asked")
                    messages += await self.handoff.request(session, conv, reason)
                else:
                    # Without a handoff service nobody would ever answer: keep the bot.
                    conv.mode = "bot" if outcome.mode == "waiting" else outcome.mode
                replies = await self._notifications.enqueue(
                    session, conv.id, key, messages, incoming_id
                )
                result = HandleResult(conversation_id=conv.id, replies=replies, locale=conv.locale)
        return result

    async def _replay(
        self, key: ConversationKey, message_id: str, conversation_id: int
    ) -> HandleResult:
        """The replies a redelivered message got the first time, without processing it again."""
        log.info("duplicate inbound %s on %s dropped", message_id, key.channel)
        replies: list[Reply] = []
        async with self._sessions() as session:
            processed = await repo.find_processed(session, key.channel, message_id)
            if processed is not None and processed.transcript_id is not None:
                for row in await repo.replies_to(session, processed.transcript_id):
                    replies.append(Reply(row.id, Outbound.from_json(row.body)))
            locale = await repo.conversation_locale(session, conversation_id)
        return HandleResult(
            conversation_id=conversation_id, replies=replies, duplicate=True, locale=locale
        )


class _Redelivered(Exception):
    def __init__(self, conversation_id: int) -> None:
        super().__init__(conversation_id)
        self.conversation_id = conversation_id
