"""kbli versions: every stored KBLI code gains its version; correspondence tables

KBLI 2025 replaced KBLI 2020 in OSS, and the same digits can mean another activity in the two
versions (KBLI 2020 56102 "Rumah/Warung Makan" is KBLI 2025 56101). Every code stored before this
revision was a KBLI 2020 code, so existing rows are labelled KBLI2020 and keep their digits; new
rows must say their version (no server default stays behind).

Revision ID: 0006_kbli_versions
Revises: 0005_admin
Create Date: 2026-11-29 06:00:00
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0006_kbli_versions"
down_revision: str | None = "0005_admin"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD = "KBLI2020"
CODE_TABLES = ("applications", "requirement_checks")


def upgrade() -> None:
    for table in CODE_TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(
                sa.Column("kbli_version", sa.String(10), nullable=False, server_default=OLD)
            )
        with op.batch_alter_table(table) as batch:
            batch.alter_column("kbli_version", server_default=None)
    _label_codes_in_conversations()
    op.create_table(
        "kbli_correspondences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("from_version", sa.String(length=40), nullable=False),
        sa.Column("to_version", sa.String(length=40), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("edge_count", sa.Integer(), nullable=False),
        sa.Column("code_count", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("imported_by", sa.String(length=100), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kbli_correspondences")),
    )


def _label_codes_in_conversations() -> None:
    """A conversation in the middle of the guide or the form holds the code it chose in its
    state (`data.kbli`): that code was a KBLI 2020 code too."""
    conversations = sa.table(
        "conversations", sa.column("id", sa.Integer()), sa.column("state", sa.JSON())
    )
    bind = op.get_bind()
    rows = bind.execute(sa.select(conversations.c.id, conversations.c.state)).all()
    for conv_id, state in rows:
        labelled = _labelled(state)
        if labelled is not None:
            bind.execute(
                conversations.update()
                .where(conversations.c.id == conv_id)
                .values(state=labelled)
            )


def _labelled(state: Any) -> dict[str, Any] | None:
    if not isinstance(state, dict):
        return None
    data = state.get("data")
    if not isinstance(data, dict) or not data.get("kbli") or data.get("kbli_version"):
        return None
    return {**state, "data": {**data, "kbli_version": OLD}}


def downgrade() -> None:
    op.drop_table("kbli_correspondences")
    for table in CODE_TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("kbli_version")
