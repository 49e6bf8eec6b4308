"""confirmations: citizens' requests that an officer confirm a risk level, and the answers

Revision ID: 0009_confirmations
Revises: 0008_rechecks
Create Date: 2026-11-29 07:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_confirmations"
down_revision: str | None = "0008_rechecks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "risk_confirmations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("chat_id", sa.String(length=100), nullable=False),
        sa.Column("locale", sa.String(length=5), nullable=False),
        sa.Column("kbli", sa.String(length=10), nullable=False),
        sa.Column("kbli_version", sa.String(length=10), nullable=False),
        sa.Column("kbli_title", sa.String(length=300), nullable=False),
        sa.Column("scale", sa.String(length=10), nullable=True),
        sa.Column("profile", sa.JSON(), nullable=False),
        sa.Column("hints", sa.JSON(), nullable=False),
        sa.Column("decision", sa.JSON(), nullable=False),
        sa.Column("rule_set_version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("answered_by", sa.String(length=100), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("risk_level", sa.String(length=20), nullable=True),
        sa.Column("permits", sa.JSON(), nullable=False),
        sa.Column("checked_where", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("draft_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_risk_confirmations_conversation_id_conversations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_confirmations")),
    )
    with op.batch_alter_table("risk_confirmations") as batch:
        batch.create_index("ix_risk_confirmations_status", ["status", "requested_at"], unique=False)
        batch.create_index("ix_risk_confirmations_owner", ["channel", "chat_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("risk_confirmations") as batch:
        batch.drop_index("ix_risk_confirmations_owner")
        batch.drop_index("ix_risk_confirmations_status")
    op.drop_table("risk_confirmations")
