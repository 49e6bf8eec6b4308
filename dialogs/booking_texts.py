"""How appointments are said to the citizen: in the chat and in reminders (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from dialogs.booking import Booking, BookingOutcome, Slot
from dialogs.messages import Button, Outbound
from dialogs.office_hours import DAY_NAMES_EN, DAY_NAMES_ID, MONTH_NAMES_ID
from dialogs.texts import text

P_SLOT = "appt:slot:"  # + service | ISO start [| code of the booking to move]
P_SERVICE = "appt:service:"
P_CANCEL = "appt:cancel:"
P_MOVE = "appt:move:"


def when(moment: datetime, locale: str, zone: str = "WIB") -> str:
    """'Senin, 12 Juli 2027 pukul 09.00 WIB' (`moment` already in the office's time zone)."""
    if locale == "en":
        day_en = DAY_NAMES_EN[moment.weekday()]
        return f"{day_en}, {moment.day} {moment:%B %Y} at {moment:%H:%M} {zone}".strip()
    month = MONTH_NAMES_ID[moment.month - 1]
    day = DAY_NAMES_ID[moment.weekday()]
    return f"{day}, {moment.day} {month} {moment.year} pukul {moment:%H.%M} {zone}".strip()


def short_when(moment: datetime, locale: str) -> str:
    """'Sen 12/7 09.00' for a button (WhatsApp allows 20 characters)."""
    if locale == "en":
        return f"{DAY_NAMES_EN[moment.weekday()][:3]} {moment.day}/{moment.month} {moment:%H:%M}"
    return f"{DAY_NAMES_ID[moment.weekday()][:3]} {moment.day}/{moment.month} {moment:%H.%M}"


def slot_payload(slot: Slot, move: str = "") -> str:
    """'appt:slot:<service>:<ISO start>', or with `move` (a booking code) '...:<code>'."""
    tail = f"|{move}" if move else ""
    return f"{P_SLOT}{slot.service}|{slot.starts_at.isoformat()}{tail}"


def parse_slot_payload(payload: str) -> tuple[str, datetime, str] | None:
    """(service, start, booking code to move or '') from a slot button's payload."""
    if not payload.startswith(P_SLOT):
        return None
    parts = payload.removeprefix(P_SLOT).split("|")
    if len(parts) not in (2, 3):
        return None
    try:
        start = datetime.fromisoformat(parts[1])
    except ValueError:
        return None
    if start.tzinfo is None:
        return None
    return parts[0], start, parts[2] if len(parts) == 3 else ""


def slot_buttons(slots: Sequence[Slot], locale: str, *, move: str = "") -> list[Button]:
    return [Button(short_when(s.starts_at, locale), slot_payload(s, move)) for s in slots]


def booked_text(
    locale: str, booking: Booking, service: str, local_start: datetime, address: str
) -> str:
    return text(
        locale,
        "appt_booked",
        code=booking.code,
        queue=queue_label(booking),
        service=service,
        when=when(local_start, locale),
        address=address,
    )


def queue_label(booking: Booking) -> str:
    letter = {"consultation": "K", "document_check": "B", "oss_help": "O"}.get(booking.service, "A")
    return f"{letter}-{booking.queue_number:03d}"


def refusal_text(locale: str, outcome: BookingOutcome, **values: object) -> str:
    return text(locale, f"appt_refused_{outcome.refusal}", **values)


def reminder_message(
    locale: str,
    *,
    kind: str,
    code: str,
    service: str,
    starts_at: datetime,
    queue_number: int,
    address: str,
) -> Outbound:
    """A reminder; outside WhatsApp's 24-hour window the adapter sends the approved template
    `appointment_reminder` with (code, when, service) instead of the free text."""
    moment = when(starts_at, locale)
    queue = f"{queue_number:03d}"
    body = text(
        locale,
        f"appt_reminder_{kind}",
        code=code,
        queue=queue,
        service=service,
        when=moment,
        address=address,
    )
    return Outbound(
        body,
        buttons=(
            Button(text(locale, "btn_appt_move"), f"{P_MOVE}{code}"),
            Button(text(locale, "btn_appt_cancel"), f"{P_CANCEL}{code}"),
        ),
        author="system",
        template="appointment_reminder",
        template_params=(code, moment, service),
    )
