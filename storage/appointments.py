"""SQL for appointments at the MPP counter: services, seats per slot, bookings, reminders."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from dialogs.booking import Booking, CounterService
from dialogs.ports import Owner
from storage.conversations import _insert
from storage.models import (
    Application,
    Appointment,
    AppointmentDay,
    AppointmentService,
    AppointmentSlot,
)
from storage.models.base import utcnow

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read aloud at the counter
LIVE = ("booked",)


def service_view(row: AppointmentService) -> CounterService:
    return CounterService(row.code, row.name_id, row.name_en, row.slot_minutes, row.capacity)


def booking_view(row: Appointment) -> Booking:
    return Booking(
        code=row.code,
        service=row.service_code,
        starts_at=aware(row.starts_at),
        ends_at=aware(row.ends_at),
        queue_number=row.queue_number,
        status=row.status,
        application_reference=row.application_reference,
    )


async def active_services(session: AsyncSession) -> list[CounterService]:
    rows = await session.scalars(
        select(AppointmentService)
        .where(AppointmentService.active.is_(True))
        .order_by(AppointmentService.sort, AppointmentService.code)
    )
    return [service_view(r) for r in rows]


async def all_services(session: AsyncSession) -> list[AppointmentService]:
    rows = await session.scalars(
        select(AppointmentService).order_by(AppointmentService.sort, AppointmentService.code)
    )
    return list(rows)


async def seats_taken(
    session: AsyncSession, service: str, first: datetime, last: datetime
) -> dict[datetime, tuple[int, int]]:
    """Slot start -> (booked, capacity) for the slots that have a row in [first, last]."""
    rows = await session.execute(
        select(AppointmentSlot.starts_at, AppointmentSlot.booked, AppointmentSlot.capacity).where(
            AppointmentSlot.service_code == service,
            AppointmentSlot.starts_at >= utc(first),
            AppointmentSlot.starts_at <= utc(last),
        )
    )
    return {aware(start): (booked, capacity) for start, booked, capacity in rows}


async def take_seat(
    session: AsyncSession, service: str, starts_at: datetime, capacity: int
) -> bool:
    """Take one seat of the slot if one is free. ONE conditional UPDATE decides, so of two
    citizens taking the last seat at the same moment exactly one gets it: PostgreSQL makes the
    second UPDATE wait for the first's row lock and re-check `booked < capacity`; SQLite runs
    one writing transaction at a time."""
    starts_at = utc(starts_at)
    await session.execute(
        _insert(session, AppointmentSlot)
        .values(service_code=service, starts_at=starts_at, capacity=capacity, booked=0)
        .on_conflict_do_nothing(index_elements=["service_code", "starts_at"])
    )
    result = await session.execute(
        update(AppointmentSlot)
        .where(
            AppointmentSlot.service_code == service,
            AppointmentSlot.starts_at == starts_at,
            AppointmentSlot.booked < AppointmentSlot.capacity,
        )
        .values(booked=AppointmentSlot.booked + 1)
        .returning(AppointmentSlot.id)
    )
    return result.first() is not None


async def release_seat(session: AsyncSession, service: str, starts_at: datetime) -> None:
    starts_at = utc(aware(starts_at))
    await session.execute(
        update(AppointmentSlot)
        .where(
            AppointmentSlot.service_code == service,
            AppointmentSlot.starts_at == starts_at,
            AppointmentSlot.booked > 0,
        )
        .values(booked=AppointmentSlot.booked - 1)
    )


async def next_queue_number(session: AsyncSession, service: str, day: date) -> int:
    await session.execute(
        _insert(session, AppointmentDay)
        .values(service_code=service, day=day, last_number=0)
        .on_conflict_do_nothing(index_elements=["service_code", "day"])
    )
    result = await session.execute(
        update(AppointmentDay)
        .where(AppointmentDay.service_code == service, AppointmentDay.day == day)
        .values(last_number=AppointmentDay.last_number + 1)
        .returning(AppointmentDay.last_number)
    )
    return int(result.scalar_one())


async def new_code(session: AsyncSession) -> str:
    while True:
        code = "MPP-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))
        taken = await session.scalar(select(Appointment.id).where(Appointment.code == code))
        if taken is None:
            return code


@dataclass(frozen=True)
class NewAppointment:
    service: str
    starts_at: datetime
    ends_at: datetime
    queue_number: int
    conversation_id: int
    owner: Owner
    locale: str
    citizen_name: str = ""
    application_reference: str = ""


async def insert_appointment(session: AsyncSession, new: NewAppointment) -> Appointment:
    row = Appointment(
        code=await new_code(session),
        service_code=new.service,
        starts_at=utc(new.starts_at),
        ends_at=utc(new.ends_at),
        queue_number=new.queue_number,
        status="booked",
        conversation_id=new.conversation_id,
        channel=new.owner.channel,
        chat_id=new.owner.chat_id,
        locale=new.locale,
        citizen_name=new.citizen_name[:200],
        application_reference=new.application_reference[:20],
    )
    session.add(row)
    await session.flush()
    return row


async def find_for(session: AsyncSession, owner: Owner, code: str) -> Appointment | None:
    """The booking if it exists AND belongs to `owner` (a code alone opens nothing)."""
    return await session.scalar(
        select(Appointment).where(
            Appointment.code == code.strip().upper(),
            Appointment.channel == owner.channel,
            Appointment.chat_id == owner.chat_id,
        )
    )


async def upcoming_for(session: AsyncSession, owner: Owner, now: datetime) -> list[Appointment]:
    rows = await session.scalars(
        select(Appointment)
        .where(
            Appointment.channel == owner.channel,
            Appointment.chat_id == owner.chat_id,
            Appointment.status.in_(LIVE),
            Appointment.ends_at > utc(now),
        )
        .order_by(Appointment.starts_at)
    )
    return list(rows)


async def set_status(
    session: AsyncSession, row: Appointment, status: str, *, by: str = "", **values: Any
) -> None:
    row.status = status
    row.updated_at = utcnow()
    if by:
        row.served_by = by[:100]
    for key, value in values.items():
        setattr(row, key, value)
    await session.flush()


async def between(
    session: AsyncSession, first: datetime, last: datetime, statuses: Sequence[str] | None = None
) -> list[Appointment]:
    query = select(Appointment).where(
        Appointment.starts_at >= utc(first), Appointment.starts_at < utc(last)
    )
    if statuses is not None:
        query = query.where(Appointment.status.in_(statuses))
    rows = await session.scalars(query.order_by(Appointment.starts_at, Appointment.queue_number))
    return list(rows)


async def by_id(session: AsyncSession, appointment_id: int) -> Appointment | None:
    return await session.get(Appointment, appointment_id)


async def count_by_status(session: AsyncSession, first: datetime, last: datetime) -> dict[str, int]:
    rows = await session.execute(
        select(Appointment.status, func.count())
        .where(Appointment.starts_at >= utc(first), Appointment.starts_at < utc(last))
        .group_by(Appointment.status)
    )
    return {status: int(n) for status, n in rows}


def utc(moment: datetime) -> datetime:
    """Every moment is stored in UTC: SQLite keeps no offset, so mixed zones would compare as
    text and be hours apart."""
    if moment.tzinfo is None:
        raise ValueError("appointments need aware datetimes")
    return moment.astimezone(UTC)


def aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes for timezone-aware columns: they were stored in UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


async def upcoming_of_service(
    session: AsyncSession, service: str, now: datetime
) -> list[Appointment]:
    """Bookings of a service still to come, in the order they were made (earliest keep their
    seat when an admin lowers the seats)."""
    rows = await session.scalars(
        select(Appointment)
        .where(
            Appointment.service_code == service,
            Appointment.status == "booked",
            Appointment.starts_at > utc(now),
        )
        .order_by(Appointment.id)
    )
    return list(rows)


async def set_future_capacity(
    session: AsyncSession, service: str, capacity: int, now: datetime
) -> None:
    await session.execute(
        update(AppointmentSlot)
        .where(AppointmentSlot.service_code == service, AppointmentSlot.starts_at > utc(now))
        .values(capacity=capacity)
    )


async def application_ids(session: AsyncSession, references: Sequence[str]) -> dict[str, int]:
    """Application reference -> id, for linking a visit to its application in the console."""
    wanted = sorted({r for r in references if r})
    if not wanted:
        return {}
    rows = await session.execute(
        select(Application.reference, Application.id).where(Application.reference.in_(wanted))
    )
    return {reference: app_id for reference, app_id in rows}
