"""Re-checks of open applications when the rules change (issue 13 part 4)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow


class ApplicationRecheck(Base):
    """An open application judged again by a newly published rule version, whose decision
    changed. The application keeps the version it was judged by; these rows are its history of
    re-checks. A row not yet acknowledged by an officer flags the application."""

    __tablename__ = "application_rechecks"
    __table_args__ = (
        Index("ix_application_rechecks_app", "application_id", "id"),
        Index("ix_application_rechecks_open", "acknowledged_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"))
    # The decision compared against was made by `previous_version`; the new one by
    # `rule_set_version` (the version just published).
    previous_version: Mapped[int] = mapped_column(Integer)
    rule_set_version: Mapped[int] = mapped_column(Integer)
    before: Mapped[dict[str, Any]] = mapped_column(JSON)
    after: Mapped[dict[str, Any]] = mapped_column(JSON)
    changes: Mapped[dict[str, Any]] = mapped_column(JSON)
    # What the citizen was told to do: "upload" (new documents) or "nothing".
    todo: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    acknowledged_by: Mapped[str] = mapped_column(String(100), default="")
    acknowledged_at: Mapped[datetime | None] = mapped_column(default=None)
