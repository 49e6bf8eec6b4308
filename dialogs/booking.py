"""Appointments at the MPP counter as the dialogs see them: a typed port and plain values.

The office's appointment desk (`office/appointments.py`) implements `AppointmentBook` over the
turn's transaction; dialog tests pass any object with these methods.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from dialogs.ports import Owner

# Why a wished-for time cannot be booked; the dialog words each and shows the alternatives.
PAST = "past"  # already over, or too soon to reach the office
CLOSED_DAY = "closed_day"  # weekend, holiday, extra closed day
OUTSIDE_HOURS = "outside_hours"  # the office is open that day, but not at that time
OFF_GRID = "off_grid"  # inside hours but not the start of a slot (e.g. 09.10 with 30-min slots)
FULL = "full"
TOO_FAR = "too_far"  # beyond the booking horizon
TOO_MANY = "too_many"  # the citizen already holds the most bookings one may hold
UNKNOWN_SERVICE = "unknown_service"
NOT_FOUND = "not_found"


@dataclass(frozen=True, slots=True)
class CounterService:
    code: str
    name_id: str
    name_en: str
    slot_minutes: int
    capacity: int

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_id


@dataclass(frozen=True, slots=True)
class Slot:
    service: str
    starts_at: datetime
    ends_at: datetime
    free: int


@dataclass(frozen=True, slots=True)
class Booking:
    code: str
    service: str
    starts_at: datetime
    ends_at: datetime
    queue_number: int
    status: str
    application_reference: str = ""


@dataclass(frozen=True, slots=True)
class BookingOutcome:
    """The booking made, or why not and the nearest free slots instead."""

    booking: Booking | None
    refusal: str = ""
    alternatives: tuple[Slot, ...] = ()


class AppointmentBook(Protocol):
    async def services(self) -> list[CounterService]:
        """The active services, in the order the office shows them."""
        ...

    async def free_slots(
        self, service: str, *, after: datetime | None = None, on: date | None = None, limit: int = 5
    ) -> list[Slot]:
        """The next free slots from `after` (default: now), or on the day `on`."""
        ...

    async def book(
        self,
        owner: Owner,
        service: str,
        starts_at: datetime,
        *,
        name: str = "",
        application_reference: str = "",
        locale: str = "id",
    ) -> BookingOutcome: ...

    async def mine(self, owner: Owner) -> list[Booking]:
        """The owner's bookings still to come (booked), soonest first."""
        ...

    async def cancel(self, owner: Owner, code: str) -> Booking | None:
        """Cancel the owner's booking; None when the code is not theirs or not cancellable."""
        ...

    async def move(self, owner: Owner, code: str, starts_at: datetime) -> BookingOutcome:
        """Book the new time first, then free the old seat (all or nothing)."""
        ...
