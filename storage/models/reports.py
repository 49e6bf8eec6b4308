"""Admin data for the reports: each requirements answer given, and the office's own settings
(number of micro and small businesses in the city, quarterly targets)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow


class RequirementCheck(Base):
    """One requirements answer the guide gave (the "requirement checks by activity" report)."""

    __tablename__ = "requirement_checks"
    __table_args__ = (Index("ix_requirement_checks_created_at", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversations.id"), default=None
    )
    channel: Mapped[str] = mapped_column(String(20))
    kbli: Mapped[str] = mapped_column(String(10))
    kbli_version: Mapped[str] = mapped_column(String(10))
    rule_set_version: Mapped[int] = mapped_column(Integer)
    scale: Mapped[str | None] = mapped_column(String(10), default=None)
    risk_level: Mapped[str | None] = mapped_column(String(20), default=None)
    needs_officer: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReportSetting(Base):
    """An admin setting for the reports, e.g. `umk_count` or `target:2026-Q1` (JSON value)."""

    __tablename__ = "report_settings"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    updated_by: Mapped[str] = mapped_column(String(50), default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
