"""Permit rule sets as numbered versions, and imported KBLI catalogs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, utcnow


class RuleSetVersion(Base):
    """One rule set: a draft (number NULL) or a published version (number set, never changed).

    The active rule set is the published row with the highest number. A rollback publishes the
    content of an earlier version again as a new number, recording `rolled_back_from`.
    """

    __tablename__ = "rule_set_versions"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'published')", name="status"),
        CheckConstraint(
            "(status = 'draft' AND number IS NULL)"
            " OR (status = 'published' AND number IS NOT NULL)",
            name="number_when_published",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int | None] = mapped_column(Integer, unique=True, default=None)
    status: Mapped[str] = mapped_column(String(10), default="draft")
    content: Mapped[str] = mapped_column(Text)
    content_sha256: Mapped[str] = mapped_column(String(64))
    kbli_version: Mapped[str] = mapped_column(String(40))
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_by: Mapped[str | None] = mapped_column(String(100), default=None)
    published_at: Mapped[datetime | None] = mapped_column(default=None)
    rolled_back_from: Mapped[int | None] = mapped_column(Integer, default=None)
    note: Mapped[str] = mapped_column(Text, default="")


class KbliCorrespondenceTable(Base):
    """An imported KBLI 2020 -> 2025 correspondence table (CSV text kept as imported, checked
    against both catalogs before it was stored); the active one replaces the shipped table."""

    __tablename__ = "kbli_correspondences"

    id: Mapped[int] = mapped_column(primary_key=True)
    from_version: Mapped[str] = mapped_column(String(40))
    to_version: Mapped[str] = mapped_column(String(40))
    content: Mapped[str] = mapped_column(Text)
    edge_count: Mapped[int] = mapped_column(Integer)
    code_count: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(default=False)
    imported_by: Mapped[str] = mapped_column(String(100))
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)


class KbliCatalogVersion(Base):
    """An imported KBLI catalog (CSV text kept as imported); one row is active at a time."""

    __tablename__ = "kbli_catalogs"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(String(40), unique=True)
    content: Mapped[str] = mapped_column(Text)
    code_count: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(default=False)
    imported_by: Mapped[str] = mapped_column(String(100))
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
