"""Appointment reminders: the day before and on the morning, once each, through the outbox,
with the WhatsApp template the adapter needs outside the 24-hour window."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from dialogs.messages import Outbound
from dialogs.office_hours import OfficeHours
from dialogs.ports import Owner
from office.appointment_reminders import AppointmentReminders
from office.appointments import AppointmentDesk
from office.live import LiveHub
from office.notifications import Notifications
from storage import conversations
from storage.models import Appointment, OutboxMessage, TranscriptMessage

pytestmark = pytest.mark.postgres

WIB = ZoneInfo("Asia/Jakarta")
CALENDAR = OfficeHours.from_config(
    "Asia/Jakarta",
    {d: "08:00-14:00" for d in ("mon", "tue", "wed", "thu")} | {"fri": "08:00-11:00"},
)
MONDAY = date(2027, 7, 12)


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=WIB)


def reminders(sessions: async_sessionmaker[AsyncSession], now: datetime) -> AppointmentReminders:
    notifications = Notifications(LiveHub(), pulls=lambda channel: channel == "webchat")
    return AppointmentReminders(
        sessions, notifications, CALENDAR, clock=lambda: now.astimezone(UTC), address="MPP"
    )


async def book(
    sessions: async_sessionmaker[AsyncSession], owner: Owner, starts: datetime, made: datetime
) -> str:
    async with sessions() as session, session.begin():
        await conversations.lock_conversation(session, owner.channel, owner.chat_id)
        desk = AppointmentDesk(session, CALENDAR, clock=lambda: made.astimezone(UTC))
        outcome = await desk.book(owner, "consultation", starts)
        assert outcome.booking is not None
        # The row's creation time is the booking moment, not the test's wall clock.
        await session.execute(
            update(Appointment)
            .where(Appointment.code == outcome.booking.code)
            .values(created_at=made.astimezone(UTC))
        )
        return outcome.booking.code


async def outbox(sessions: async_sessionmaker[AsyncSession]) -> list[Outbound]:
    async with sessions() as session:
        rows = await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        return [Outbound.from_json(r.body) for r in rows]


async def test_day_before_and_morning_once_each(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    wa = Owner("whatsapp", "6281200000001")
    code = await book(sessions, wa, local(MONDAY, 9), made=local(date(2027, 7, 8), 10))

    assert await reminders(sessions, local(date(2027, 7, 11), 15, 59)).run_once() == 0
    assert await reminders(sessions, local(date(2027, 7, 11), 16, 5)).run_once() == 1
    assert await reminders(sessions, local(date(2027, 7, 11), 20, 0)).run_once() == 0
    sent = await outbox(sessions)
    assert len(sent) == 1
    assert code in sent[0].text and "besok" in sent[0].text
    assert sent[0].template == "appointment_reminder"
    assert sent[0].template_params[0] == code
    assert "12 Juli 2027 pukul 09.00 WIB" in sent[0].template_params[1]

    assert await reminders(sessions, local(MONDAY, 5, 59)).run_once() == 0
    assert await reminders(sessions, local(MONDAY, 6, 1)).run_once() == 1
    assert await reminders(sessions, local(MONDAY, 7, 0)).run_once() == 0
    sent = await outbox(sessions)
    assert len(sent) == 2 and "Hari ini" in sent[1].text


async def test_no_reminder_after_the_visit_began_or_for_a_cancelled_booking(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    late = Owner("telegram", "501")
    gone = Owner("telegram", "502")
    await book(sessions, late, local(MONDAY, 8), made=local(date(2027, 7, 8), 10))
    cancelled = await book(sessions, gone, local(MONDAY, 10), made=local(date(2027, 7, 8), 10))
    async with sessions() as session, session.begin():
        desk = AppointmentDesk(
            session, CALENDAR, clock=lambda: local(date(2027, 7, 8), 11).astimezone(UTC)
        )
        assert await desk.cancel(gone, cancelled) is not None
    # The server was down all Sunday evening and Monday morning until 08.30.
    assert await reminders(sessions, local(MONDAY, 8, 30)).run_once() == 0


async def test_a_booking_made_after_the_reminder_moment_gets_no_day_before_reminder(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    owner = Owner("telegram", "601")
    await book(sessions, owner, local(MONDAY, 9), made=local(date(2027, 7, 11), 19))
    assert await reminders(sessions, local(date(2027, 7, 11), 19, 30)).run_once() == 0
    assert await reminders(sessions, local(MONDAY, 6, 30)).run_once() == 1


async def test_web_chat_reminders_are_in_the_transcript_not_the_outbox(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    web = Owner("webchat", "browser-1")
    code = await book(sessions, web, local(MONDAY, 9), made=local(date(2027, 7, 8), 10))
    assert await reminders(sessions, local(date(2027, 7, 11), 17)).run_once() == 1
    assert await outbox(sessions) == []
    async with sessions() as session:
        texts = list(await session.scalars(select(TranscriptMessage.text)))
    assert any(code in t for t in texts)
