"""Appointments at the MPP counter: seats under concurrency, bad wishes, moves and cancels.

Runs on SQLite and, with SIKETAN__DATABASE__URL, on PostgreSQL (marker `postgres`). Concurrent
citizens are concurrent transactions on separate engines, as separate server processes are.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from dialogs import booking as b
from dialogs.office_hours import OfficeHours
from dialogs.ports import Owner
from office.appointments import AppointmentDesk, DeskRules
from storage import conversations
from storage.db import create_engine, session_factory
from storage.models import AppointmentService

pytestmark = pytest.mark.postgres

WIB = ZoneInfo("Asia/Jakarta")
CALENDAR = OfficeHours.from_config(
    "Asia/Jakarta",
    {"mon": "08:00-14:00", "tue": "08:00-14:00", "wed": "08:00-14:00", "thu": "08:00-14:00",
     "fri": "08:00-11:00"},
    holidays_country="ID",
    extra_closed_dates=[date(2027, 7, 14)],
)  # fmt: skip
# Thursday 8 July 2027, 09:00 WIB: no public holiday in the weeks around it.
NOW = datetime(2027, 7, 8, 9, 0, tzinfo=WIB)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=WIB)


def clock(moment: datetime = NOW) -> Callable[[], datetime]:
    return lambda: moment.astimezone(UTC)


def desk(session: AsyncSession, now: datetime = NOW, **rules: int) -> AppointmentDesk:
    return AppointmentDesk(session, CALENDAR, DeskRules(**rules), clock(now))


async def owners(sessions: async_sessionmaker[AsyncSession], n: int) -> list[Owner]:
    async with sessions() as session, session.begin():
        for i in range(n):
            await conversations.lock_conversation(session, "whatsapp", f"62812000{i:04d}")
    return [Owner("whatsapp", f"62812000{i:04d}") for i in range(n)]


@pytest.fixture
async def engines(db_url: str, engine: AsyncEngine) -> AsyncIterator[list[AsyncEngine]]:
    """Four engines on the same database: four server processes."""
    made = [create_engine(db_url) for _ in range(4)]
    yield made
    for e in made:
        await e.dispose()


async def test_exactly_one_citizen_gets_the_last_seat(
    sessions: async_sessionmaker[AsyncSession], engines: list[AsyncEngine]
) -> None:
    citizens = await owners(sessions, 8)
    slot = at(date(2027, 7, 12), 10)  # Monday
    async with sessions() as session, session.begin():
        # One seat left: capacity 2, one taken already.
        first = await desk(session).book(citizens[0], "consultation", slot)
        assert first.booking is not None
    makers = [session_factory(e) for e in engines]

    async def try_book(i: int) -> b.BookingOutcome:
        async with makers[i % len(makers)]() as session, session.begin():
            return await desk(session).book(citizens[i], "consultation", slot)

    outcomes = await asyncio.gather(*(try_book(i) for i in range(1, 8)))
    won = [o for o in outcomes if o.booking is not None]
    assert len(won) == 1
    assert all(o.refusal == b.FULL for o in outcomes if o.booking is None)
    assert all(o.alternatives for o in outcomes if o.booking is None)
    async with sessions() as session:
        left = await desk(session).free_slots("consultation", on=slot.date(), limit=50)
        assert slot not in [s.starts_at for s in left]


async def test_booking_gives_code_and_queue_number_and_only_the_owner_sees_it(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    alice, bob = await owners(sessions, 2)
    day = date(2027, 7, 12)
    async with sessions() as session, session.begin():
        one = (await desk(session).book(alice, "document_check", at(day, 9))).booking
        two = (await desk(session).book(bob, "document_check", at(day, 8, 30))).booking
    assert one is not None and two is not None
    assert one.code.startswith("MPP-") and len(one.code) == 10 and one.code != two.code
    assert (one.queue_number, two.queue_number) == (1, 2)
    assert one.starts_at == at(day, 9)
    async with sessions() as session, session.begin():
        assert [x.code for x in await desk(session).mine(alice)] == [one.code]
        assert await desk(session).cancel(bob, one.code) is None  # not Bob's
        moved = await desk(session).move(bob, one.code, at(day, 10))
        assert moved.refusal == b.NOT_FOUND
        assert [x.code for x in await desk(session).mine(alice)] == [one.code]


@pytest.mark.parametrize(
    ("wanted", "reason"),
    [
        (at(date(2027, 7, 8), 8), b.PAST),  # this morning, already over
        (at(date(2027, 7, 8), 9, 15), b.PAST),  # in 15 minutes: too soon to get there
        (at(date(2027, 7, 10), 10), b.CLOSED_DAY),  # Saturday
        (at(date(2027, 7, 14), 10), b.CLOSED_DAY),  # an extra closed day
        (at(date(2027, 7, 9), 15), b.OUTSIDE_HOURS),  # "besok jam 3" on Thursday: Friday 15.00
        (at(date(2027, 7, 12), 7), b.OUTSIDE_HOURS),
        (at(date(2027, 7, 12), 9, 10), b.OFF_GRID),
        (at(date(2027, 9, 7), 9), b.TOO_FAR),
    ],
)
async def test_a_wish_that_cannot_be_booked_gets_the_reason_and_nearby_slots(
    sessions: async_sessionmaker[AsyncSession], wanted: datetime, reason: str
) -> None:
    (citizen,) = await owners(sessions, 1)
    async with sessions() as session, session.begin():
        outcome = await desk(session).book(citizen, "consultation", wanted)
    assert outcome.booking is None
    assert outcome.refusal == reason
    if reason != b.TOO_FAR:
        assert outcome.alternatives
    for slot in outcome.alternatives:
        local = slot.starts_at.astimezone(WIB)
        assert not CALENDAR.is_closed_day(local.date())
        assert local >= NOW + timedelta(minutes=30)
        assert time(8) <= local.time() and local + timedelta(minutes=30) <= at(local.date(), 14)


async def test_friday_afternoon_besok_jam_3_is_offered_monday_morning(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    (citizen,) = await owners(sessions, 1)
    friday_afternoon = datetime(2027, 7, 9, 15, 30, tzinfo=WIB)
    saturday_3pm = at(date(2027, 7, 10), 15)
    async with sessions() as session, session.begin():
        outcome = await desk(session, friday_afternoon).book(citizen, "consultation", saturday_3pm)
    assert outcome.refusal == b.CLOSED_DAY
    assert outcome.alternatives[0].starts_at == at(date(2027, 7, 12), 8)


async def test_moving_frees_the_old_seat_and_cancelling_frees_the_new(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    alice, bob = await owners(sessions, 2)
    day = date(2027, 7, 12)
    async with sessions() as session, session.begin():
        await session.execute(update(AppointmentService).values(capacity=1))
        booked = (await desk(session).book(alice, "consultation", at(day, 9))).booking
        assert booked is not None
        assert (await desk(session).book(bob, "consultation", at(day, 9))).refusal == b.FULL
        moved = await desk(session).move(alice, booked.code, at(day, 10))
        assert moved.booking is not None and moved.booking.code != booked.code
        assert (await desk(session).book(bob, "consultation", at(day, 9))).booking is not None
        assert (await desk(session).cancel(alice, moved.booking.code)) is not None
        assert (await desk(session).book(bob, "consultation", at(day, 10))).booking is not None
        assert await desk(session).cancel(alice, moved.booking.code) is None  # already cancelled


async def test_one_chat_holds_at_most_two_bookings(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    (citizen,) = await owners(sessions, 1)
    day = date(2027, 7, 12)
    async with sessions() as session, session.begin():
        for hour in (8, 9):
            assert (await desk(session).book(citizen, "consultation", at(day, hour))).booking
        assert (await desk(session).book(citizen, "consultation", at(day, 10))).refusal == (
            b.TOO_MANY
        )


async def test_free_slots_follow_the_calendar(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session:
        slots = await desk(session).free_slots("oss_help", limit=40)
    starts = [s.starts_at.astimezone(WIB) for s in slots]
    assert starts[0] == at(date(2027, 7, 8), 10)  # 09.00 is now; 09.30 is not on the hour grid
    friday = [s for s in starts if s.date() == date(2027, 7, 9)]
    assert [s.hour for s in friday] == [8, 9, 10]  # 08.00-11.00 on Fridays, 60-minute slots
    assert not [s for s in starts if s.date() in (date(2027, 7, 10), date(2027, 7, 11))]
