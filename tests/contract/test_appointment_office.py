"""Appointments for officers and admins: the counter's marks, a settings change that never
drops a booking silently, and the figures for the reports."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from dialogs.messages import Outbound
from dialogs.office_hours import OfficeHours
from dialogs.ports import Owner
from office.appointments import AppointmentOffice, MarkError
from office.live import LiveHub
from office.notifications import Notifications
from storage import conversations
from storage.models import Appointment, OutboxMessage

pytestmark = pytest.mark.postgres

WIB = ZoneInfo("Asia/Jakarta")
CALENDAR = OfficeHours.from_config(
    "Asia/Jakarta",
    {d: "08:00-14:00" for d in ("mon", "tue", "wed", "thu")} | {"fri": "08:00-11:00"},
)
MONDAY = date(2027, 7, 12)


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=WIB)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now.astimezone(UTC)


def office_at(sessions: async_sessionmaker[AsyncSession], clock: Clock) -> AppointmentOffice:
    notifications = Notifications(LiveHub(), pulls=lambda channel: channel == "webchat")
    return AppointmentOffice(sessions, notifications, CALENDAR, clock=clock)


async def book(
    office: AppointmentOffice,
    sessions: async_sessionmaker[AsyncSession],
    owner: Owner,
    service: str,
    starts: datetime,
) -> str:
    async with sessions() as session, session.begin():
        await conversations.lock_conversation(session, owner.channel, owner.chat_id)
        outcome = await office.desk(session).book(owner, service, starts, name="Siti")
        assert outcome.booking is not None, outcome
        return outcome.booking.code


async def test_counter_marks_and_the_figures_they_make(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    clock = Clock(local(date(2027, 7, 8), 10))
    office = office_at(sessions, clock)
    codes = [
        await book(office, sessions, Owner("telegram", str(i)), "consultation", local(MONDAY, h))
        for i, h in enumerate((8, 9, 10))
    ]
    visits = {v.code: v for v in await office.day(MONDAY)}
    assert list(visits) == codes and visits[codes[0]].citizen_name == "Siti"
    early, late, absent = (visits[c].id for c in codes)

    clock.now = local(MONDAY, 7, 50)
    with pytest.raises(MarkError):
        await office.mark(absent, "no_show", by="petugas")  # not before its time
    await office.mark(early, "arrived", by="petugas")  # came ten minutes early
    clock.now = local(MONDAY, 8, 5)
    served = await office.mark(early, "served", by="petugas")
    assert served.status == "served"
    with pytest.raises(MarkError):
        await office.mark(early, "arrived", by="petugas")
    clock.now = local(MONDAY, 9, 20)
    await office.mark(late, "arrived", by="petugas")  # twenty minutes late
    clock.now = local(MONDAY, 9, 30)
    await office.mark(late, "served", by="petugas")
    clock.now = local(MONDAY, 10, 31)
    await office.mark(absent, "no_show", by="petugas")

    stats = await office.stats(MONDAY, MONDAY)
    assert (stats.booked, stats.served, stats.no_show, stats.cancelled) == (3, 2, 1, 0)
    assert sorted(stats.wait_minutes) == [5.0, 10.0]  # from the booked time, or arrival if later


async def test_a_settings_change_keeps_bookings_and_tells_those_it_affects(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    clock = Clock(local(date(2027, 7, 8), 10))
    office = office_at(sessions, clock)
    first = await book(office, sessions, Owner("whatsapp", "1"), "consultation", local(MONDAY, 9))
    second = await book(office, sessions, Owner("whatsapp", "2"), "consultation", local(MONDAY, 9))
    half = await book(
        office, sessions, Owner("whatsapp", "3"), "consultation", local(MONDAY, 10, 30)
    )

    # One seat per slot, hour-long slots: the second booking at 09.00 and the one at 10.30 no
    # longer fit; the first booking at 09.00 keeps its place.
    affected = await office.update_service(
        "consultation", slot_minutes=60, capacity=1, active=True, by="admin"
    )
    assert sorted(affected) == sorted([second, half])
    async with sessions() as session:
        rows = {r.code: r for r in await session.scalars(select(Appointment))}
        assert {c: rows[c].status for c in (first, second, half)} == dict.fromkeys(
            (first, second, half), "booked"
        )
        told = [Outbound.from_json(r.body) for r in await session.scalars(select(OutboxMessage))]
    assert len(told) == 2
    assert all(m.template == "appointment_changed" for m in told)
    assert {m.template_params[0] for m in told} == {second, half}
    assert all(any(b.payload.startswith("appt:slot:") for b in m.buttons) for m in told)
    # New bookings follow the new settings at once.
    async with sessions() as session, session.begin():
        await conversations.lock_conversation(session, "whatsapp", "4")
        refused = await office.desk(session).book(
            Owner("whatsapp", "4"), "consultation", local(MONDAY, 9)
        )
        assert refused.refusal == "full"
        assert refused.alternatives[0].starts_at.minute == 0

    with pytest.raises(ValueError):
        await office.update_service(
            "consultation", slot_minutes=5, capacity=1, active=True, by="admin"
        )
