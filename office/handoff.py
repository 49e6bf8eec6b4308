"""Officer handoff: queue, claim, live reply, files, transfer, close, timeouts, tickets.

A request for an officer puts the conversation in `waiting` mode (the bot stays silent) during
office hours, or keeps it with the bot and records a ticket outside them. An officer claims it
(atomically), talks to the citizen through the outbox (so it reaches any channel), and closes it;
the bot then answers again. Everything an officer does is written to the audit log.
"""

from __future__ import annotations

import asyncio
import logging
import math
import re
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from dialogs.messages import Button, ConversationKey, Inbound, Outbound, OutboundKind
from dialogs.office_hours import OfficeHours, format_when
from dialogs.texts import text
from office.live import CONSOLE_TOPIC, LiveHub, console_conversation_topic
from office.notifications import Notifications
from storage import console as repo
from storage import conversations
from storage.files import FileStore
from storage.models import Conversation, Handoff, Officer
from storage.models.base import utcnow

log = logging.getLogger(__name__)

__all__ = [
    "CANCEL_WORDS",
    "P_CANCEL_WAIT",
    "HandoffError",
    "HandoffService",
    "WaitEstimate",
    "estimate_from",
]

P_CANCEL_WAIT = "handoff:cancel"
# Exact words that end the wait (normalized lower-case); anything else goes to the officer.
CANCEL_WORDS = frozenset({"batal", "/batal", "cancel", "batalkan", "kembali ke bot", "menu"})
# Below this many recent claims the wait estimate would be a guess: say so instead.
MIN_SAMPLES = 3
HISTORY = timedelta(days=14)
# Officers get whole minutes, rounded up to these steps, not false precision.
ROUND_TO_MINUTES = 5


class HandoffError(Exception):
    """An officer action that cannot happen (already claimed, not yours, closed); `reason` says."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class WaitEstimate:
    minutes: int | None  # None: too little history to say honestly


def _normalize(s: str) -> str:
    return re.sub(r"\s+", " ", s.strip().lower())


def estimate_from(waits: list[timedelta], position: int) -> WaitEstimate:
    """Median of recent waits scaled by the place in the queue; None without enough history."""
    if len(waits) < MIN_SAMPLES:
        return WaitEstimate(None)
    median = statistics.median(w.total_seconds() for w in waits) / 60
    minutes = max(1.0, median) * max(1, position)
    return WaitEstimate(int(math.ceil(minutes / ROUND_TO_MINUTES) * ROUND_TO_MINUTES))


class HandoffService:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        notifications: Notifications,
        hub: LiveHub,
        hours: OfficeHours,
        timeout: timedelta,
        files: FileStore,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        """`timeout`: how long a request may wait unclaimed before it becomes a ticket."""
        self._sessions = sessions
        self._notifications = notifications
        self._hub = hub
        self.hours = hours
        self.timeout = timeout
        self._files = files
        self.clock = clock

    # -- inside the pipeline's transaction ------------------------------------------------------

    async def request(
        self, session: AsyncSession, conv: Conversation, reason: str
    ) -> list[Outbound]:
        """The citizen needs an officer: queue them (office hours) or keep a ticket (outside).

        Sets `conv.mode`; returns what to tell the citizen. The caller holds the conversation lock.
        """
        now = self.clock()
        locale = conv.locale
        state = dict(conv.state or {})
        state.pop("handoff_reason", None)
        current = await repo.active_handoff(session, conv.id)
        if current is not None and current.status == "open":
            conv.mode = "waiting"
            conv.state = state
            position = await repo.queue_position(session, current)
            return [self._waiting_message(locale, "handoff_already_waiting", position=position)]
        if current is not None and current.status == "claimed":
            conv.mode = "officer"
            conv.state = state
            return []
        if not self.hours.is_open(now):
            conv.mode = "bot"
            ticket = await repo.open_ticket(session, conv.id)
            key = "handoff_ticket_exists"
            if ticket is None:
                ticket = repo.add_handoff(session, conv.id, reason, "ticket", now)
                await session.flush()
                key = "handoff_office_closed"
            # The citizen's next free text is kept as the message for the officers.
            state["ticket_note"] = ticket.id
            conv.state = state
            self._hub.publish(CONSOLE_TOPIC)
            when = format_when(self.hours.next_opening(now), self.hours, locale)
            return [Outbound(text(locale, key, when=when))]
        handoff = repo.add_handoff(session, conv.id, reason, "open", now)
        await session.flush()
        conv.mode = "waiting"
        conv.state = state
        position = await repo.queue_position(session, handoff)
        estimate = await self.estimate(session, position)
        if estimate.minutes is None:
            estimate_text = text(locale, "handoff_estimate_unknown")
        else:
            estimate_text = text(locale, "handoff_estimate", minutes=estimate.minutes)
        self._hub.publish(CONSOLE_TOPIC)
        return [
            self._waiting_message(
                locale, "handoff_queued", position=position, estimate=estimate_text
            )
        ]

    async def estimate(self, session: AsyncSession, position: int) -> WaitEstimate:
        waits = await repo.recent_waits(session, self.clock() - HISTORY)
        return estimate_from(waits, position)

    async def route(
        self, session: AsyncSession, conv: Conversation, inbound: Inbound
    ) -> list[Outbound]:
        """A citizen message while an officer holds or will hold the conversation."""
        self._hub.publish(CONSOLE_TOPIC)
        self._hub.publish(console_conversation_topic(conv.id))
        if conv.mode != "waiting":
            return []
        handoff = await repo.active_handoff(session, conv.id)
        wants_out = inbound.payload == P_CANCEL_WAIT or (
            not inbound.payload and _normalize(inbound.text) in CANCEL_WORDS
        )
        if handoff is None or handoff.status != "open":
            if handoff is None:
                conv.mode = "bot"  # an orphaned wait (should not happen): give the bot back
            return []
        if wants_out:
            ok = await repo.set_handoff_status(
                session,
                handoff.id,
                expected=("open",),
                values={"status": "cancelled", "closed_at": self.clock()},
            )
            if ok:
                conv.mode = "bot"
                return [Outbound(text(conv.locale, "handoff_cancelled"))]
            return []
        if not handoff.acknowledged:
            handoff.acknowledged = True
            return [Outbound(text(conv.locale, "handoff_waiting_ack"))]
        return []

    async def keep_ticket_message(
        self, session: AsyncSession, conv: Conversation, inbound: Inbound
    ) -> list[Outbound] | None:
        """Outside office hours the text after a request is the citizen's message for officers.

        Returns None when this message is not such a note (a button, a command, no ticket).
        """
        state = dict(conv.state or {})
        ticket_id = state.get("ticket_note")
        if ticket_id is None:
            return None
        state.pop("ticket_note", None)
        conv.state = state
        if inbound.payload or not inbound.text.strip() or _is_command(inbound.text):
            return None
        ticket = await session.get(Handoff, int(ticket_id))
        if ticket is None or ticket.status != "ticket":
            return None
        joined = f"{ticket.message}\n{inbound.text.strip()}" if ticket.message else inbound.text
        ticket.message = joined.strip()[:4000]
        self._hub.publish(CONSOLE_TOPIC)
        return [Outbound(text(conv.locale, "handoff_message_kept"))]

    # -- officer actions (each its own transaction) ---------------------------------------------

    async def claim(self, handoff_id: int, officer: Officer) -> Handoff:
        """Atomic claim: when two officers claim at once, one wins and the other gets
        HandoffError("taken")."""
        async with self._sessions() as session, session.begin():
            handoff = await repo.get_handoff(session, handoff_id)
            if handoff is None:
                raise HandoffError("not_found")
            conv = await conversations.lock_conversation_by_id(session, handoff.conversation_id)
            if not await repo.claim_handoff(session, handoff_id, officer.id, self.clock()):
                raise HandoffError("taken")
            conv.mode = "officer"
            # A ticket's "leave a message" hint ends once an officer holds the chat.
            conv.state = {k: v for k, v in (conv.state or {}).items() if k != "ticket_note"}
            message = Outbound(
                text(conv.locale, "handoff_claimed", officer=officer.display_name),
                author="system",
            )
            await self._notifications.enqueue(session, conv.id, _key(conv), [message])
            repo.audit(session, officer, "handoff.claim", f"handoff:{handoff_id}")
            handoff = await repo.get_handoff(session, handoff_id)
            assert handoff is not None
        self._changed(conv.id)
        return handoff

    async def reply(self, handoff_id: int, officer: Officer, body: str) -> int:
        """Send the officer's text to the citizen, whatever their channel; returns transcript id."""
        body = body.strip()
        if not body:
            raise HandoffError("empty")
        async with self._sessions() as session, session.begin():
            handoff, conv = await self._held(session, handoff_id, officer)
            replies = await self._notifications.enqueue(
                session,
                conv.id,
                _key(conv),
                [Outbound(body[:4000], author="officer")],
                author_id=officer.username,
            )
            if handoff.first_response_at is None:
                handoff.first_response_at = self.clock()
            repo.audit(session, officer, "handoff.reply", f"handoff:{handoff_id}", chars=len(body))
        self._changed(conv.id)
        return replies[0].id

    async def send_file(self, handoff_id: int, officer: Officer, data: bytes, name: str) -> int:
        """Store the file (type and size checked) and send it as a document."""
        stored = await self._files.store_bytes(data, name)
        async with self._sessions() as session, session.begin():
            handoff, conv = await self._held(session, handoff_id, officer)
            message = Outbound(
                stored.file_name,
                kind=OutboundKind.DOCUMENT,
                document_ref=f"sha256:{stored.sha256}",
                document_name=stored.file_name,
                document_mime=stored.mime_type,
                author="officer",
            )
            replies = await self._notifications.enqueue(
                session, conv.id, _key(conv), [message], author_id=officer.username
            )
            if handoff.first_response_at is None:
                handoff.first_response_at = self.clock()
            repo.audit(
                session,
                officer,
                "handoff.file",
                f"handoff:{handoff_id}",
                file=stored.file_name,
                sha256=stored.sha256,
            )
        self._changed(conv.id)
        return replies[0].id

    async def transfer(self, handoff_id: int, officer: Officer, to_username: str) -> Officer:
        async with self._sessions() as session, session.begin():
            handoff, conv = await self._held(session, handoff_id, officer)
            target = await repo.officer_by_username(session, to_username)
            if target is None or not target.active:
                raise HandoffError("unknown_officer")
            if target.id == handoff.claimed_by:
                raise HandoffError("same_officer")
            ok = await repo.set_handoff_status(
                session,
                handoff_id,
                expected=("claimed",),
                values={"claimed_by": target.id},
                officer_id=handoff.claimed_by,
            )
            if not ok:
                raise HandoffError("taken")
            message = Outbound(
                text(conv.locale, "handoff_transferred", officer=target.display_name),
                author="system",
            )
            await self._notifications.enqueue(session, conv.id, _key(conv), [message])
            repo.audit(
                session, officer, "handoff.transfer", f"handoff:{handoff_id}", to=target.username
            )
        self._changed(conv.id)
        return target

    async def close(self, handoff_id: int, officer: Officer) -> None:
        """Give the conversation back to the bot, say so, and offer the survey."""
        async with self._sessions() as session, session.begin():
            _, conv = await self._held(session, handoff_id, officer)
            ok = await repo.set_handoff_status(
                session,
                handoff_id,
                expected=("claimed",),
                values={"status": "closed", "closed_at": self.clock()},
            )
            if not ok:
                raise HandoffError("closed")
            conv.mode = "bot"
            conv.state = {}
            messages = [Outbound(text(conv.locale, "handoff_closed"), author="system")]
            invitation = _survey_invitation(conv.locale)
            if invitation is not None:
                messages.append(invitation)
            await self._notifications.enqueue(session, conv.id, _key(conv), messages)
            repo.audit(session, officer, "handoff.close", f"handoff:{handoff_id}")
        self._changed(conv.id)

    async def expire_waiting(self) -> int:
        """Requests nobody claimed in time: tell the citizen, keep them as tickets, free the bot."""
        now = self.clock()
        expired = 0
        async with self._sessions() as session:
            candidates = [h.id for h in await repo.overdue_waiting(session, now - self.timeout)]
        for handoff_id in candidates:
            async with self._sessions() as session, session.begin():
                handoff = await repo.get_handoff(session, handoff_id)
                if handoff is None:
                    continue
                conv = await conversations.lock_conversation_by_id(session, handoff.conversation_id)
                ok = await repo.set_handoff_status(
                    session,
                    handoff_id,
                    expected=("open",),
                    values={"status": "ticket", "ticket_at": now},
                )
                if not ok:
                    continue  # claimed or cancelled meanwhile
                if conv.mode == "waiting":
                    conv.mode = "bot"
                message = Outbound(text(conv.locale, "handoff_timeout"), author="system")
                await self._notifications.enqueue(session, conv.id, _key(conv), [message])
                repo.audit(session, None, "handoff.timeout", f"handoff:{handoff_id}")
            expired += 1
            self._changed(conv.id)
        return expired

    async def run_forever(self, stop: asyncio.Event, interval: float = 30.0) -> None:
        while not stop.is_set():
            try:
                await self.expire_waiting()
            except Exception:
                log.exception("handoff timeout sweep failed; retrying")
            try:
                async with asyncio.timeout(interval):
                    await stop.wait()
            except TimeoutError:
                pass

    # -- helpers --------------------------------------------------------------------------------

    async def _held(
        self, session: AsyncSession, handoff_id: int, officer: Officer
    ) -> tuple[Handoff, Conversation]:
        handoff = await repo.get_handoff(session, handoff_id)
        if handoff is None:
            raise HandoffError("not_found")
        conv = await conversations.lock_conversation_by_id(session, handoff.conversation_id)
        handoff = await repo.get_handoff(session, handoff_id)  # re-read under the lock
        assert handoff is not None
        if handoff.status != "claimed":
            raise HandoffError("not_claimed")
        if handoff.claimed_by != officer.id and officer.role != "admin":
            raise HandoffError("not_yours")
        return handoff, conv

    def _waiting_message(self, locale: str, key: str, **values: object) -> Outbound:
        return Outbound(
            text(locale, key, **values),
            buttons=(Button(text(locale, "handoff_cancel_button"), P_CANCEL_WAIT),),
        )

    def _changed(self, conversation_id: int) -> None:
        self._notifications.notify(conversation_id)
        self._hub.publish(CONSOLE_TOPIC)
        self._hub.publish(console_conversation_topic(conversation_id))


def _key(conv: Conversation) -> ConversationKey:
    return ConversationKey(conv.channel, conv.chat_id)


def _is_command(typed: str) -> bool:
    from dialogs.engine import COMMANDS

    return _normalize(typed) in COMMANDS


def _survey_invitation(locale: str) -> Outbound | None:
    try:
        from dialogs.survey import survey_invitation
    except ImportError:  # the survey flow is optional; closing must still work without it
        return None
    return survey_invitation(locale, "officer_chat")
