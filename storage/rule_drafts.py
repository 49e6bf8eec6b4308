"""Rule-set drafts and versions as the rules editor reads and writes them.

`storage.rule_sets` owns numbering, publishing and rolling back; this module holds the editor's
own queries: the draft being edited, the open drafts, the active version's row, and replacing a
draft's text (only while it is still a draft).
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models.rules import RuleSetVersion
from storage.rule_sets import RuleSetStoreError, _newest_published, _sha, seed_if_empty

__all__ = ["active_row", "get_draft", "open_drafts", "replace_draft_text", "version_row"]


async def get_draft(session: AsyncSession, draft_id: int) -> RuleSetVersion | None:
    """The draft with this id; None when there is none or it has been published."""
    row = await session.get(RuleSetVersion, draft_id)
    return row if row is not None and row.status == "draft" else None


async def open_drafts(session: AsyncSession) -> list[RuleSetVersion]:
    stmt = select(RuleSetVersion).where(RuleSetVersion.status == "draft")
    return list((await session.scalars(stmt.order_by(RuleSetVersion.id.desc()))).all())


async def active_row(session: AsyncSession) -> RuleSetVersion:
    """The active published version's row (seeding version 1 when there is none)."""
    row: RuleSetVersion | None = (await session.scalars(_newest_published(RuleSetVersion))).first()
    if row is None:
        await seed_if_empty(session)
        row = (await session.scalars(_newest_published(RuleSetVersion))).first()
    if row is None or row.number is None:  # pragma: no cover - seeding always publishes
        raise RuleSetStoreError("no published rule set")
    return row


async def version_row(session: AsyncSession, number: int) -> RuleSetVersion | None:
    return await session.scalar(select(RuleSetVersion).where(RuleSetVersion.number == number))


async def replace_draft_text(
    session: AsyncSession, draft_id: int, text: str, kbli_version: str
) -> bool:
    """Store a draft's new text; False when it is no longer a draft (published meanwhile)."""
    result = await session.execute(
        update(RuleSetVersion)
        .where(RuleSetVersion.id == draft_id, RuleSetVersion.status == "draft")
        .values(content=text, content_sha256=_sha(text), kbli_version=kbli_version)
        .execution_options(synchronize_session="fetch")
    )
    return int(getattr(result, "rowcount", 1)) == 1
