"""Applications (permohonan), their status history and documents, reference counters, surveys."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow


class Application(Base):
    __tablename__ = "applications"
    __table_args__ = (
        Index("ix_applications_owner", "channel", "chat_id"),
        Index("ix_applications_status", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"))
    # The chat identity that applied: only this identity sees the application in the chat.
    channel: Mapped[str] = mapped_column(String(20))
    chat_id: Mapped[str] = mapped_column(String(100))
    locale: Mapped[str] = mapped_column(String(5), default="id")
    # Holds the full NIK: the office needs it for OSS. Never log it; mask it when shown.
    applicant: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    business: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    location: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    kbli: Mapped[str] = mapped_column(String(10))
    # The KBLI version of `kbli` ("KBLI2020" for rows from before KBLI 2025 was in force): the same
    # digits can mean another activity in another version.
    kbli_version: Mapped[str] = mapped_column(String(10))
    kbli_title: Mapped[str] = mapped_column(String(300), default="")
    decision: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    rule_set_version: Mapped[int] = mapped_column(Integer)
    # submitted | in_review | needs_revision | processing | completed | rejected
    status: Mapped[str] = mapped_column(String(20), default="submitted")
    status_note: Mapped[str] = mapped_column(Text, default="")
    due_date: Mapped[date] = mapped_column(Date)
    permit_number: Mapped[str] = mapped_column(String(100), default="")
    result_document: Mapped[str] = mapped_column(String(80), default="")  # sha256:<hex>
    receipt_document: Mapped[str] = mapped_column(String(80), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(default=None)


class ApplicationStatusChange(Base):
    __tablename__ = "application_status_history"
    __table_args__ = (Index("ix_application_status_history_app", "application_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"))
    from_status: Mapped[str] = mapped_column(String(20), default="")
    to_status: Mapped[str] = mapped_column(String(20))
    by: Mapped[str] = mapped_column(String(100))
    note: Mapped[str] = mapped_column(Text, default="")
    document_ref: Mapped[str] = mapped_column(String(80), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApplicationDocument(Base):
    __tablename__ = "application_documents"
    __table_args__ = (Index("ix_application_documents_app", "application_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"))
    kind: Mapped[str] = mapped_column(String(40))
    sha256: Mapped[str] = mapped_column(String(64))
    mime: Mapped[str] = mapped_column(String(100), default="")
    size: Mapped[int | None] = mapped_column(Integer, default=None)
    file_name: Mapped[str] = mapped_column(String(200), default="")
    # A replaced document (after a revision request) stays for the record.
    replaced: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReferenceCounter(Base):
    """The last reference number handed out per year (SKT-<year>-<6 digits>)."""

    __tablename__ = "reference_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer, default=0)


class SurveyResponse(Base):
    """One IKM-style satisfaction answer (ratings 1-4 per element; None = not answered)."""

    __tablename__ = "survey_responses"
    __table_args__ = (Index("ix_survey_responses_service", "service", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"), default=None)
    conversation_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversations.id"), default=None
    )
    service: Mapped[str] = mapped_column(String(40))  # application | officer_chat
    requirements: Mapped[int | None] = mapped_column(Integer, default=None)
    speed: Mapped[int | None] = mapped_column(Integer, default=None)
    clarity: Mapped[int | None] = mapped_column(Integer, default=None)
    manner: Mapped[int | None] = mapped_column(Integer, default=None)
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
