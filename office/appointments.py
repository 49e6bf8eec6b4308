"""The appointment desk: slots from the office calendar, seats from the database.

Implements `dialogs.booking.AppointmentBook` over one transaction (the dialog turn's, or an
officer's). Slots are the opening hours of each open day (the ONE office calendar: weekdays,
holidays, extra closed days) cut into the service's slot length; a slot that would end after
closing is not offered. A wished-for time that cannot be booked gets the reason and the nearest
free slots.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from dialogs import booking as b
from dialogs.booking import Booking, BookingOutcome, CounterService, Slot
from dialogs.booking_texts import P_CANCEL, slot_buttons, when
from dialogs.messages import Button, ConversationKey, Outbound
from dialogs.office_hours import OfficeHours
from dialogs.ports import Owner
from dialogs.texts import text
from office.notifications import Notifications
from storage import appointments as repo
from storage.conversations import get_conversation
from storage.models import Appointment, AppointmentService
from storage.models.base import utcnow


@dataclass(frozen=True)
class DeskRules:
    lead_minutes: int = 30  # the soonest one can book: time to reach the office
    horizon_days: int = 30  # how far ahead
    max_active: int = 2  # bookings one chat may hold at once


class AppointmentDesk:
    def __init__(
        self,
        session: AsyncSession,
        calendar: OfficeHours,
        rules: DeskRules | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._session = session
        self._calendar = calendar
        self._rules = rules or DeskRules()
        self._clock = clock

    # ------------------------------------------------------------------ the grid

    def day_slots(self, service: CounterService, day: date) -> list[tuple[datetime, datetime]]:
        """Every slot of `day` for the service (empty on a closed day), in local time."""
        if self._calendar.is_closed_day(day):
            return []
        span = self._calendar.spans[day.weekday()]
        zone = self._calendar.zone
        length = timedelta(minutes=service.slot_minutes)
        start = datetime.combine(day, span.start, tzinfo=zone)
        closing = datetime.combine(day, span.end, tzinfo=zone)
        out: list[tuple[datetime, datetime]] = []
        while start + length <= closing:
            out.append((start, start + length))
            start += length
        return out

    def _soonest(self) -> datetime:
        return self._clock() + timedelta(minutes=self._rules.lead_minutes)

    def _last_day(self) -> date:
        return self._calendar.local(self._clock()).date() + timedelta(days=self._rules.horizon_days)

    def _days_from(self, first: date) -> Iterator[date]:
        day = first
        while day <= self._last_day():
            yield day
            day += timedelta(days=1)

    async def _service(self, code: str) -> CounterService | None:
        return next((s for s in await self.services() if s.code == code), None)

    # ------------------------------------------------------------------ AppointmentBook

    async def services(self) -> list[CounterService]:
        return await repo.active_services(self._session)

    async def free_slots(
        self, service: str, *, after: datetime | None = None, on: date | None = None, limit: int = 5
    ) -> list[Slot]:
        found = await self._service(service)
        if found is None:
            return []
        soonest = max(after or self._soonest(), self._soonest())
        first_day = on or self._calendar.local(soonest).date()
        out: list[Slot] = []
        for day in self._days_from(first_day):
            slots = [s for s in self.day_slots(found, day) if s[0] >= soonest]
            if slots:
                taken = await repo.seats_taken(self._session, service, slots[0][0], slots[-1][0])
                for start, end in slots:
                    booked, capacity = taken.get(start.astimezone(UTC), (0, found.capacity))
                    if booked < capacity:
                        out.append(Slot(service, start, end, capacity - booked))
                        if len(out) >= limit:
                            return out
            if on is not None:
                break
        return out

    async def nearest(
        self, service: CounterService, wanted: datetime, limit: int = 3
    ) -> list[Slot]:
        """Free slots nearest to `wanted`: the last ones before it (if still to come) and the
        first ones after, closest first, then shown in time order."""
        day = self._calendar.local(wanted).date()
        before: list[Slot] = []
        if wanted > self._soonest():
            for back in range(0, 7):
                earlier = day - timedelta(days=back)
                slots = await self.free_slots(service.code, on=earlier, limit=50)
                before = [s for s in slots if s.starts_at < wanted] or before
                if before:
                    break
        after = await self.free_slots(service.code, after=wanted, limit=limit)
        pool = before[-limit:] + after
        pool.sort(key=lambda s: abs((s.starts_at - wanted).total_seconds()))
        return sorted(pool[:limit], key=lambda s: s.starts_at)

    async def check(self, service: CounterService, wanted: datetime) -> str:
        """Why `wanted` cannot be booked ('' when it is a free slot)."""
        local = self._calendar.local(wanted)
        if wanted < self._soonest():
            return b.PAST
        if local.date() > self._last_day():
            return b.TOO_FAR
        if self._calendar.is_closed_day(local.date()):
            return b.CLOSED_DAY
        slots = self.day_slots(service, local.date())
        if not any(start <= local < end for start, end in slots):
            return b.OUTSIDE_HOURS
        if not any(start == local for start, _ in slots):
            return b.OFF_GRID
        return ""

    async def book(
        self,
        owner: Owner,
        service: str,
        starts_at: datetime,
        *,
        name: str = "",
        application_reference: str = "",
        locale: str = "id",
    ) -> BookingOutcome:
        found = await self._service(service)
        if found is None:
            return BookingOutcome(None, b.UNKNOWN_SERVICE)
        reason = await self.check(found, starts_at)
        if reason:
            return BookingOutcome(None, reason, tuple(await self.nearest(found, starts_at)))
        mine = await repo.upcoming_for(self._session, owner, self._clock())
        if len(mine) >= self._rules.max_active:
            return BookingOutcome(None, b.TOO_MANY)
        start = self._calendar.local(starts_at)
        if not await repo.take_seat(self._session, service, start, found.capacity):
            return BookingOutcome(None, b.FULL, tuple(await self.nearest(found, starts_at)))
        conversation = await get_conversation(self._session, owner.channel, owner.chat_id)
        if conversation is None:
            raise LookupError("a booking needs the citizen's conversation")
        row = await repo.insert_appointment(
            self._session,
            repo.NewAppointment(
                service=service,
                starts_at=start,
                ends_at=start + timedelta(minutes=found.slot_minutes),
                queue_number=await repo.next_queue_number(self._session, service, start.date()),
                conversation_id=conversation.id,
                owner=owner,
                locale=locale,
                citizen_name=name,
                application_reference=application_reference,
            ),
        )
        return BookingOutcome(repo.booking_view(row))

    async def mine(self, owner: Owner) -> list[Booking]:
        rows = await repo.upcoming_for(self._session, owner, self._clock())
        return [repo.booking_view(r) for r in rows]

    async def cancel(self, owner: Owner, code: str) -> Booking | None:
        row = await repo.find_for(self._session, owner, code)
        if row is None or row.status != "booked":
            return None
        await repo.release_seat(self._session, row.service_code, row.starts_at)
        await repo.set_status(self._session, row, "cancelled")
        return repo.booking_view(row)

    async def move(self, owner: Owner, code: str, starts_at: datetime) -> BookingOutcome:
        row = await repo.find_for(self._session, owner, code)
        if row is None or row.status != "booked":
            return BookingOutcome(None, b.NOT_FOUND)
        # The old booking does not count against the limit while it is being replaced.
        rules = DeskRules(
            self._rules.lead_minutes, self._rules.horizon_days, self._rules.max_active + 1
        )
        desk = AppointmentDesk(self._session, self._calendar, rules, self._clock)
        outcome = await desk.book(
            owner,
            row.service_code,
            starts_at,
            name=row.citizen_name,
            application_reference=row.application_reference,
            locale=row.locale,
        )
        if outcome.booking is None:
            return outcome
        await repo.release_seat(self._session, row.service_code, row.starts_at)
        await repo.set_status(self._session, row, "moved", moved_to=outcome.booking.code)
        return outcome


def opening_of(calendar: OfficeHours, day: date) -> time | None:
    """When the office opens on `day` (None when closed)."""
    if calendar.is_closed_day(day):
        return None
    return calendar.spans[day.weekday()].start


# ---------------------------------------------------------------------- officers and admins

# What an officer may record at the counter, from which status.
MARKS: dict[str, frozenset[str]] = {
    "arrived": frozenset({"booked"}),
    "served": frozenset({"booked", "arrived"}),
    "no_show": frozenset({"booked"}),
}


class MarkError(ValueError):
    """The mark is not allowed from the booking's status (or before its time, for no-show)."""


@dataclass(frozen=True)
class CounterVisit:
    """One booking as the officers' day list shows it."""

    id: int
    code: str
    service: str
    starts_at: datetime  # local
    queue_number: int
    status: str
    citizen_name: str
    channel: str
    application_reference: str
    arrived_at: datetime | None
    served_at: datetime | None
    conversation_id: int


@dataclass(frozen=True)
class AppointmentStats:
    booked: int  # every booking for a visit in the period, whatever became of it
    served: int
    no_show: int
    cancelled: int
    wait_minutes: list[float]  # from arrival (or the booked time, if earlier) to being served


class AppointmentOffice:
    """Appointments for the console: the day lists, the counter's marks, the services' settings
    (a change tells every citizen whose booking it affects and offers another time), reports.
    One transaction per call."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        notifications: Notifications,
        calendar: OfficeHours,
        rules: DeskRules | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._sessions = sessions
        self._notifications = notifications
        self.calendar = calendar
        self.rules = rules or DeskRules()
        self._clock = clock

    def desk(self, session: AsyncSession) -> AppointmentDesk:
        """The dialogs' `AppointmentBook`, bound to the turn's transaction."""
        return AppointmentDesk(session, self.calendar, self.rules, self._clock)

    def _visit(self, row: Appointment) -> CounterVisit:
        return CounterVisit(
            id=row.id,
            code=row.code,
            service=row.service_code,
            starts_at=self.calendar.local(repo.aware(row.starts_at)),
            queue_number=row.queue_number,
            status=row.status,
            citizen_name=row.citizen_name,
            channel=row.channel,
            application_reference=row.application_reference,
            arrived_at=repo.aware(row.arrived_at) if row.arrived_at else None,
            served_at=repo.aware(row.served_at) if row.served_at else None,
            conversation_id=row.conversation_id,
        )

    async def day(self, day: date) -> list[CounterVisit]:
        zone = self.calendar.zone
        first = datetime.combine(day, time(0), tzinfo=zone)
        async with self._sessions() as session:
            rows = await repo.between(
                session, first, first + timedelta(days=1), statuses=VISIBLE_STATUSES
            )
            return [self._visit(r) for r in rows]

    async def mark(self, appointment_id: int, mark: str, *, by: str) -> CounterVisit:
        if mark not in MARKS:
            raise MarkError(f"unknown mark {mark!r}")
        now = self._clock()
        async with self._sessions() as session, session.begin():
            row = await repo.by_id(session, appointment_id)
            if row is None:
                raise LookupError(appointment_id)
            if row.status not in MARKS[mark]:
                raise MarkError(f"cannot mark {row.status} as {mark}")
            if mark == "no_show" and repo.aware(row.starts_at) > now:
                raise MarkError("no-show only after the booked time")
            stamp: dict[str, datetime] = {}
            if mark == "arrived":
                stamp["arrived_at"] = now
            elif mark == "served":
                stamp["served_at"] = now
                if row.arrived_at is None:
                    stamp["arrived_at"] = now
            await repo.set_status(session, row, mark, by=by, **stamp)
            return self._visit(row)

    async def services(self) -> list[AppointmentService]:
        async with self._sessions() as session:
            return await repo.all_services(session)

    async def update_service(
        self, code: str, *, slot_minutes: int, capacity: int, active: bool, by: str
    ) -> list[str]:
        """Change a service's slot length, seats or availability. Bookings the change no longer
        fits are KEPT; their citizens are told and offered the nearest free times. Returns the
        affected booking codes."""
        if not 10 <= slot_minutes <= 240 or not 1 <= capacity <= 50:
            raise ValueError("slot length 10-240 minutes, 1-50 seats per slot")
        now = self._clock()
        told: list[tuple[int, str]] = []
        affected: list[str] = []
        async with self._sessions() as session, session.begin():
            row = await session.get(AppointmentService, code)
            if row is None:
                raise LookupError(code)
            row.slot_minutes, row.capacity, row.active = slot_minutes, capacity, active
            row.updated_by, row.updated_at = by[:100], now
            await session.flush()
            await repo.set_future_capacity(session, code, capacity, now)
            desk = self.desk(session)
            service = repo.service_view(row)
            future = await repo.upcoming_of_service(session, code, now)
            seats: dict[datetime, int] = {}
            for booking in future:
                start = self.calendar.local(repo.aware(booking.starts_at))
                seats[start] = seats.get(start, 0) + 1
                fits = active and any(s == start for s, _ in desk.day_slots(service, start.date()))
                if fits and seats[start] <= capacity:
                    continue
                booking.affected_at = now
                await self._tell_affected(session, booking, service, start, desk)
                told.append((booking.conversation_id, booking.channel))
                affected.append(booking.code)
        for conversation_id, channel in told:
            self._notifications.notify(conversation_id, channel)
        return affected

    async def _tell_affected(
        self,
        session: AsyncSession,
        row: Appointment,
        service: CounterService,
        start: datetime,
        desk: AppointmentDesk,
    ) -> None:
        locale = row.locale
        body = text(
            locale,
            "appt_changed_by_office",
            service=service.name(locale),
            code=row.code,
            when=when(start, locale, self.calendar.zone_label()),
        )
        alternatives = await desk.free_slots(service.code, limit=3)
        buttons = [
            *slot_buttons(alternatives, locale, move=row.code),
            Button(text(locale, "btn_appt_cancel"), f"{P_CANCEL}{row.code}"),
        ]
        message = Outbound(
            body,
            buttons=tuple(buttons),
            author="system",
            template="appointment_changed",
            template_params=(row.code, when(start, locale, self.calendar.zone_label())),
        )
        await self._notifications.enqueue(
            session, row.conversation_id, ConversationKey(row.channel, row.chat_id), [message]
        )

    async def stats(self, first: date, last: date) -> AppointmentStats:
        zone = self.calendar.zone
        lo = datetime.combine(first, time(0), tzinfo=zone)
        hi = datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone)
        async with self._sessions() as session:
            rows = await repo.between(session, lo, hi)
        waits: list[float] = []
        for r in rows:
            if r.status == "served" and r.served_at is not None:
                served = repo.aware(r.served_at)
                since = max(repo.aware(r.arrived_at or r.served_at), repo.aware(r.starts_at))
                waits.append(max(0.0, (served - since).total_seconds() / 60))
        return AppointmentStats(
            booked=sum(1 for r in rows if r.status != "moved"),  # a move is one booking
            served=sum(1 for r in rows if r.status == "served"),
            no_show=sum(1 for r in rows if r.status == "no_show"),
            cancelled=sum(1 for r in rows if r.status == "cancelled"),
            wait_minutes=waits,
        )


VISIBLE_STATUSES = ("booked", "arrived", "served", "no_show")
