"""Conversations, their transcript, processed inbound ids, the outbox, web chat sessions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow


class Conversation(Base):
    __tablename__ = "conversations"
    __table_args__ = (UniqueConstraint("channel", "chat_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    chat_id: Mapped[str] = mapped_column(String(100))
    # bot | waiting (queued for an officer) | officer (held by one officer)
    mode: Mapped[str] = mapped_column(String(10), default="bot")
    locale: Mapped[str] = mapped_column(String(5), default="id")
    state: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    sender_name: Mapped[str] = mapped_column(String(200), default="")
    # A citizen who blocked the bot (Telegram 403) is not sent to again.
    blocked: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_inbound_at: Mapped[datetime | None] = mapped_column(default=None)


class TranscriptMessage(Base):
    """One row per message in either direction: the transcript is history, not a blob."""

    __tablename__ = "transcript_messages"
    __table_args__ = (Index("ix_transcript_conversation_id_id", "conversation_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"))
    direction: Mapped[str] = mapped_column(String(3))  # in | out
    author: Mapped[str] = mapped_column(String(10))  # citizen | bot | officer | system
    author_id: Mapped[str] = mapped_column(String(100), default="")
    text: Mapped[str] = mapped_column(Text, default="")
    # Buttons, attachments, contact, location: the channel-neutral message as JSON.
    body: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    platform_message_id: Mapped[str] = mapped_column(String(200), default="")
    in_reply_to: Mapped[int | None] = mapped_column(Integer, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProcessedInbound(Base):
    """Platforms redeliver: one row per (channel, platform message id) ever processed."""

    __tablename__ = "processed_inbound"
    __table_args__ = (UniqueConstraint("channel", "platform_message_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    platform_message_id: Mapped[str] = mapped_column(String(200))
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"))
    transcript_id: Mapped[int | None] = mapped_column(Integer, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OutboxMessage(Base):
    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"))
    transcript_id: Mapped[int] = mapped_column(ForeignKey("transcript_messages.id"))
    channel: Mapped[str] = mapped_column(String(20))
    chat_id: Mapped[str] = mapped_column(String(100))
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    # pending | sending | sent | failed
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime | None] = mapped_column(default=None)
    last_error: Mapped[str] = mapped_column(Text, default="")
    platform_message_id: Mapped[str] = mapped_column(String(200), default="")
    # What the platform later reports: sent | delivered | read | failed (WhatsApp statuses).
    delivery_status: Mapped[str] = mapped_column(String(20), default="")
    delivery_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)


class WebchatSession(Base):
    __tablename__ = "webchat_sessions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    # Only a hash of the bearer token is kept, so a database leak does not hand out sessions.
    token_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
