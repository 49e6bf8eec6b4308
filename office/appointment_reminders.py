"""Reminders of MPP appointments: the day before (from late afternoon) and on the morning.

They go to the conversation the citizen booked from, through the outbox like every message to a
citizen; each carries the `appointment_reminder` WhatsApp template and its parameters, which the
WhatsApp adapter uses when the 24-hour window is closed (free text inside it). A booking made so
late that a reminder's moment has passed gets no reminder of that kind (the booking answer said
it all), and none after the visit has begun. Rows are claimed with SKIP LOCKED on PostgreSQL so
several server processes never remind twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from dialogs.booking_texts import reminder_message
from dialogs.messages import ConversationKey
from dialogs.office_hours import OfficeHours
from office.notifications import Notifications
from storage.appointments import utc
from storage.models import Appointment, AppointmentService
from storage.models.base import utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReminderTimes:
    day_before_from: time = time(16, 0)  # the afternoon before, after the office has closed
    morning_from: time = time(6, 0)


class AppointmentReminders:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        notifications: Notifications,
        calendar: OfficeHours,
        times: ReminderTimes | None = None,
        clock: Callable[[], datetime] = utcnow,
        address: str = "",
    ) -> None:
        self._sessions = sessions
        self._notifications = notifications
        self._calendar = calendar
        self._times = times or ReminderTimes()
        self._clock = clock
        self._address = address

    async def run_once(self) -> int:
        """Send the reminders due now; return how many went out."""
        now = self._clock()
        local = self._calendar.local(now)
        today = local.date()
        zone = self._calendar.zone
        sent: list[tuple[int, str]] = []
        async with self._sessions() as session, session.begin():
            names = {
                s.code: (s.name_id, s.name_en)
                for s in await session.scalars(select(AppointmentService))
            }
            evening = datetime.combine(today, self._times.day_before_from, tzinfo=zone)
            morning = datetime.combine(today, self._times.morning_from, tzinfo=zone)
            midnight = datetime.combine(today + timedelta(days=1), time(0), tzinfo=zone)
            if local >= evening:
                rows = await self._due(
                    session, midnight, midnight + timedelta(days=1), "reminded_day_before_at",
                    booked_before=evening,
                )  # fmt: skip
                for row in rows:
                    await self._remind(session, row, names, "day_before")
                    row.reminded_day_before_at = now
                    sent.append((row.conversation_id, row.channel))
            if local >= morning:
                rows = await self._due(
                    session, now, midnight, "reminded_morning_at", booked_before=morning
                )
                for row in rows:
                    await self._remind(session, row, names, "morning")
                    row.reminded_morning_at = now
                    row.reminded_day_before_at = row.reminded_day_before_at or now
                    sent.append((row.conversation_id, row.channel))
        for conversation_id, channel in sent:
            self._notifications.notify(conversation_id, channel)
        return len(sent)

    async def _due(
        self,
        session: AsyncSession,
        first: datetime,
        last: datetime,
        flag: str,
        *,
        booked_before: datetime,
    ) -> list[Appointment]:
        query = (
            select(Appointment)
            .where(
                Appointment.status == "booked",
                Appointment.starts_at >= utc(first),
                Appointment.starts_at < utc(last),
                getattr(Appointment, flag).is_(None),
                # Booked after the reminder's moment: the booking answer was the reminder.
                Appointment.created_at < utc(booked_before),
            )
            .order_by(Appointment.id)
            .limit(200)
        )
        if session.bind is not None and session.bind.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        return list(await session.scalars(query))

    async def _remind(
        self,
        session: AsyncSession,
        row: Appointment,
        names: dict[str, tuple[str, str]],
        kind: str,
    ) -> None:
        name_id, name_en = names.get(row.service_code, (row.service_code, row.service_code))
        message = reminder_message(
            row.locale,
            kind=kind,
            code=row.code,
            service=name_en if row.locale == "en" else name_id,
            starts_at=self._calendar.local(_aware(row.starts_at)),
            queue_number=row.queue_number,
            address=self._address,
        )
        await self._notifications.enqueue(
            session, row.conversation_id, ConversationKey(row.channel, row.chat_id), [message]
        )

    async def run_forever(self, stop: asyncio.Event, interval: float = 60.0) -> None:
        while not stop.is_set():
            try:
                count = await self.run_once()
                if count:
                    log.info("sent %d appointment reminder(s)", count)
            except Exception:
                log.exception("appointment reminders failed; trying again in %.0f s", interval)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), interval)


def _aware(moment: datetime) -> datetime:
    from datetime import UTC

    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
