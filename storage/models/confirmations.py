"""Officer-confirmed risk levels: a citizen's one-tap request, the officer's determination, and
the draft rule row it became (issue 13 part 3)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow


class RiskConfirmation(Base):
    """A request that an officer confirm the risk level of a business profile the rules could not
    answer (no cited risk row). Its own queue, apart from live chats. `draft_id` is the rule-set
    draft the officer's determination became, for an admin to review, verify and publish."""

    __tablename__ = "risk_confirmations"
    __table_args__ = (
        Index("ix_risk_confirmations_status", "status", "requested_at"),
        Index("ix_risk_confirmations_owner", "channel", "chat_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"))
    channel: Mapped[str] = mapped_column(String(20))
    chat_id: Mapped[str] = mapped_column(String(100))
    locale: Mapped[str] = mapped_column(String(5), default="id")
    kbli: Mapped[str] = mapped_column(String(10))
    kbli_version: Mapped[str] = mapped_column(String(10))
    kbli_title: Mapped[str] = mapped_column(String(300), default="")
    scale: Mapped[str | None] = mapped_column(String(10), default=None)
    # capital, annual_sales, land_area, workers, conditions (product type...), kecamatan/kelurahan
    profile: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    hints: Mapped[list[Any]] = mapped_column(JSON, default=list)  # Decision.officer_hints
    decision: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # what the citizen saw
    rule_set_version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12), default="open")  # open | answered
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_date: Mapped[date] = mapped_column(Date)
    answered_by: Mapped[str] = mapped_column(String(100), default="")
    answered_at: Mapped[datetime | None] = mapped_column(default=None)
    risk_level: Mapped[str | None] = mapped_column(String(20), default=None)
    permits: Mapped[list[Any]] = mapped_column(JSON, default=list)  # extra permit codes
    checked_where: Mapped[str] = mapped_column(Text, default="")  # "OSS, dicek 2 Des 2026"
    note: Mapped[str] = mapped_column(Text, default="")
    draft_id: Mapped[int | None] = mapped_column(Integer, default=None)
