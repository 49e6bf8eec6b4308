"""Reading and changing rule-set drafts for the editor. A draft always holds a valid rule file:
an edit that does not validate is returned with its errors and not stored. Every stored change
is written to the audit log in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from fastapi import HTTPException
from sqlalchemy.ext.asyncio import AsyncSession

from console.rule_yaml import EditError, Loc, format_path, set_values
from console.rules.messages import translated
from console.state import ConsoleState
from permit_rules import RuleError, RuleSet, RuleSetError
from storage import console as repo
from storage import rule_drafts
from storage.models import Officer, RuleSetVersion


@lru_cache(maxsize=4)
def rules_of(text: str) -> RuleSet:
    """The rules of a stored (so valid) rule file; an editor page, its save and the page after
    read the same few texts, so they are parsed once. Shared: do not change the result."""
    return RuleSet.from_yaml(text)


@dataclass(frozen=True, slots=True)
class Active:
    """The version citizens are answered from now."""

    number: int
    row: RuleSetVersion

    @property
    def rules(self) -> RuleSet:
        return rules_of(self.row.content)


@dataclass(frozen=True, slots=True)
class Subject:
    """What an editor page shows: a draft's text and rules, or the active version's."""

    text: str
    rules: RuleSet
    draft: RuleSetVersion | None


async def active(db: AsyncSession) -> Active:
    row = await rule_drafts.active_row(db)
    assert row.number is not None
    return Active(row.number, row)


async def subject(db: AsyncSession, draft_id: int | None) -> Subject:
    if draft_id:
        row = await rule_drafts.get_draft(db, draft_id)
        if row is None:
            raise HTTPException(404, "draf tidak ada (atau sudah diterbitkan)")
        return Subject(row.content, rules_of(row.content), row)
    current = await active(db)
    return Subject(current.row.content, current.rules, None)


async def store(db: AsyncSession, draft_id: int, text: str) -> None:
    """Replace a draft's content (only while it is a draft; published versions never change)."""
    rule_set = rules_of(text)
    if not await rule_drafts.replace_draft_text(db, draft_id, text, rule_set.meta.kbli_version):
        raise HTTPException(409, "draf ini sudah diterbitkan")


async def apply_changes(
    console: ConsoleState,
    officer: Officer,
    draft_id: int,
    changes: list[tuple[Loc, Any]],
    action: str,
    **detail: Any,
) -> tuple[str, list[RuleError]]:
    """Apply form changes to the draft and store them if the result validates.

    Only values that differ from the draft's are written, and only they are named in the audit
    entry. Returns the edited text and the errors (none when stored or nothing changed)."""
    async with console.office.sessions() as db, db.begin():
        row = await rule_drafts.get_draft(db, draft_id)
        if row is None:
            raise HTTPException(404, "draf tidak ada (atau sudah diterbitkan)")
        try:
            text, changed = set_values(row.content, changes)
        except EditError as exc:
            return row.content, [RuleError(f"draft {draft_id}", None, "", str(exc))]
        if not changed:
            return text, []
        try:
            rules_of(text)  # the one validation; the page after the save finds it cached
        except RuleSetError as exc:
            return text, translated(exc.errors)
        await store(db, draft_id, text)
        paths = [format_path(loc) for loc in changed]
        repo.audit(db, officer, action, f"draft:{draft_id}", paths=paths, **detail)
    return text, []
