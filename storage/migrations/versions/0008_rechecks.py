"""rechecks: open applications judged again when the rules change

Revision ID: 0008_rechecks
Revises: 0007_appointments
Create Date: 2026-11-29 07:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_rechecks"
down_revision: str | None = "0007_appointments"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "application_rechecks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("previous_version", sa.Integer(), nullable=False),
        sa.Column("rule_set_version", sa.Integer(), nullable=False),
        sa.Column("before", sa.JSON(), nullable=False),
        sa.Column("after", sa.JSON(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("todo", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_by", sa.String(length=100), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_application_rechecks_application_id_applications"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application_rechecks")),
    )
    with op.batch_alter_table("application_rechecks") as batch:
        batch.create_index("ix_application_rechecks_app", ["application_id", "id"], unique=False)
        batch.create_index("ix_application_rechecks_open", ["acknowledged_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("application_rechecks") as batch:
        batch.drop_index("ix_application_rechecks_open")
        batch.drop_index("ix_application_rechecks_app")
    op.drop_table("application_rechecks")
