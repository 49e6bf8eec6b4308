"""Applications the rules changed under: every open application judged again when a rule
version is published or rolled back, and whose decision changed (issue 13 part 4). Officers see
the old and the new decision side by side and mark a flag seen; the citizen was told on their
channel when the version was published."""

# No `from __future__ import annotations`: FastAPI reads the Annotated aliases at import time.
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from console.deps import Checked, Who, page, state
from permit_rules import version_label
from permit_rules.changes import DecisionChange
from storage import console as repo
from storage import rechecks

router = APIRouter()


def _side_by_side(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per permit or basic requirement of either decision: name, before, after."""

    def items(decision: dict[str, Any]) -> dict[str, dict[str, Any]]:
        listed = [*(decision.get("permits") or ()), *(decision.get("basic_requirements") or ())]
        return {str(p.get("code")): p for p in listed if isinstance(p, dict)}

    old, new = items(before), items(after)
    rows = []
    for code in [*old, *(c for c in new if c not in old)]:
        rows.append(
            {
                "code": code,
                "name": (new.get(code) or old.get(code) or {}).get("name", code),
                "before": old.get(code),
                "after": new.get(code),
            }
        )
    return rows


@router.get("/rechecks", response_class=HTMLResponse)
async def rechecks_page(request: Request, who: Who) -> Response:
    async with state(request).office.sessions() as db:
        rows = await rechecks.flagged(db)
    return page(
        request,
        "rechecks.html",
        who=who,
        rows=rows,
        changes={r.id: DecisionChange.from_json(r.changes) for r in rows},
        version_label=version_label,
    )


@router.get("/rechecks/{recheck_id}", response_class=HTMLResponse)
async def recheck_page(request: Request, recheck_id: int, who: Who) -> Response:
    async with state(request).office.sessions() as db:
        row = await rechecks.get_recheck(db, recheck_id)
        if row is None:
            raise HTTPException(404, "tidak ditemukan")
        past = await rechecks.history(db, row.reference)
    return page(
        request,
        "recheck.html",
        who=who,
        r=row,
        change=DecisionChange.from_json(row.changes),
        rows=_side_by_side(row.before, row.after),
        history=past,
        version_label=version_label,
    )


@router.post("/rechecks/{recheck_id}/seen")
async def recheck_seen(request: Request, recheck_id: int, who: Checked) -> Response:
    async with state(request).office.sessions() as db, db.begin():
        if not await rechecks.acknowledge(db, recheck_id, by=who.officer.username):
            raise HTTPException(404, "tidak ditemukan atau sudah ditandai")
        repo.audit(db, who.officer, "recheck.seen", f"recheck:{recheck_id}")
    return RedirectResponse("/console/rechecks", 303)
