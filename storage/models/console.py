"""Officer console: officer accounts, sign-in sessions, handoffs/tickets, canned replies, audit."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow


class Officer(Base):
    __tablename__ = "officers"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(50), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(200))  # argon2id
    role: Mapped[str] = mapped_column(String(10), default="officer")  # officer | admin
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(default=None)


class ConsoleSession(Base):
    """A signed-in browser. Server-side, so sign-out and disabling an account end it at once."""

    __tablename__ = "console_sessions"
    __table_args__ = (Index("ix_console_sessions_officer_id", "officer_id"),)

    # sha256 of the random cookie value: a database leak does not hand out sessions.
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("officers.id"))
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(default=utcnow)


class Handoff(Base):
    """One request for an officer: queued (open), held (claimed), finished (closed/cancelled),
    or kept as a ticket (left outside office hours, or nobody claimed it in time)."""

    __tablename__ = "handoffs"
    __table_args__ = (
        Index("ix_handoffs_status_requested_at", "status", "requested_at"),
        Index("ix_handoffs_conversation_id", "conversation_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"))
    # asked | not_understood | complaint | needs_officer | missing_document | ...
    reason: Mapped[str] = mapped_column(String(40))
    # open | claimed | closed | cancelled | ticket
    status: Mapped[str] = mapped_column(String(10), default="open")
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(default=None)
    claimed_by: Mapped[int | None] = mapped_column(ForeignKey("officers.id"), default=None)
    first_response_at: Mapped[datetime | None] = mapped_column(default=None)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    ticket_at: Mapped[datetime | None] = mapped_column(default=None)
    # What the citizen left for the officers (tickets).
    message: Mapped[str] = mapped_column(Text, default="")
    # The waiting citizen is told "passed on" once, not after every message.
    acknowledged: Mapped[bool] = mapped_column(default=False)


class CannedReply(Base):
    __tablename__ = "canned_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditEntry(Base):
    """Everything an officer does: who, what, when (append-only)."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_created_at", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("officers.id"), default=None)
    username: Mapped[str] = mapped_column(String(50), default="")
    action: Mapped[str] = mapped_column(String(40))
    target: Mapped[str] = mapped_column(String(60), default="")  # e.g. handoff:12, application:3
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
