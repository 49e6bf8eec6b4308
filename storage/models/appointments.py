"""Appointments at the MPP counter: the services one can book, each slot's seats, the bookings."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow


class AppointmentService(Base):
    """What a citizen can come to the counter for; admins set slot length and seats."""

    __tablename__ = "appointment_services"

    code: Mapped[str] = mapped_column(String(30), primary_key=True)
    name_id: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    slot_minutes: Mapped[int] = mapped_column(Integer, default=30)
    capacity: Mapped[int] = mapped_column(Integer, default=2)  # citizens served at once
    active: Mapped[bool] = mapped_column(default=True)
    sort: Mapped[int] = mapped_column(Integer, default=0)
    updated_by: Mapped[str] = mapped_column(String(100), default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class AppointmentSlot(Base):
    """The seats of one slot. A booking takes a seat with ONE conditional UPDATE
    (`booked = booked + 1 WHERE booked < capacity`), so two citizens taking the last seat at the
    same moment cannot both get it, on SQLite or PostgreSQL, in one process or several."""

    __tablename__ = "appointment_slots"
    __table_args__ = (UniqueConstraint("service_code", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    service_code: Mapped[str] = mapped_column(ForeignKey("appointment_services.code"))
    starts_at: Mapped[datetime] = mapped_column()
    capacity: Mapped[int] = mapped_column(Integer)
    booked: Mapped[int] = mapped_column(Integer, default=0)


class AppointmentDay(Base):
    """The last queue number given out for a service on a day (numbers are never reused)."""

    __tablename__ = "appointment_days"

    service_code: Mapped[str] = mapped_column(String(30), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer, default=0)


class Appointment(Base):
    __tablename__ = "appointments"
    __table_args__ = (
        Index("ix_appointments_owner", "channel", "chat_id"),
        Index("ix_appointments_starts_at", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)  # the booking code, e.g. MPP-4K7Q2C
    service_code: Mapped[str] = mapped_column(ForeignKey("appointment_services.code"))
    starts_at: Mapped[datetime] = mapped_column()
    ends_at: Mapped[datetime] = mapped_column()
    queue_number: Mapped[int] = mapped_column(Integer)
    # booked | cancelled | moved | arrived | served | no_show
    status: Mapped[str] = mapped_column(String(12), default="booked")
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"))
    # The chat identity that booked: only it sees, moves or cancels the booking in the chat.
    channel: Mapped[str] = mapped_column(String(20))
    chat_id: Mapped[str] = mapped_column(String(100))
    locale: Mapped[str] = mapped_column(String(5), default="id")
    citizen_name: Mapped[str] = mapped_column(String(200), default="")
    application_reference: Mapped[str] = mapped_column(String(20), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    arrived_at: Mapped[datetime | None] = mapped_column(default=None)
    served_at: Mapped[datetime | None] = mapped_column(default=None)
    served_by: Mapped[str] = mapped_column(String(100), default="")
    reminded_day_before_at: Mapped[datetime | None] = mapped_column(default=None)
    reminded_morning_at: Mapped[datetime | None] = mapped_column(default=None)
    # Set when an admin's change made the slot invalid: the citizen was told and offered another.
    affected_at: Mapped[datetime | None] = mapped_column(default=None)
    moved_to: Mapped[str] = mapped_column(String(16), default="")
