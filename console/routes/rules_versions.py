"""A draft's answers beside the published ones (preview), publishing, rolling back, and any
published version's YAML (admins)."""

# No `from __future__ import annotations`: FastAPI reads the Annotated aliases at import time.
import json
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from console.deps import Admin, AdminView, DraftRow, Signed, page, state
from console.rules import drafts
from console.rules.changes import citizen_changes
from console.rules.forms import RISKS
from console.rules.preview import decide, profile_from
from permit_rules import RuleSetError
from storage import console as repo
from storage import rule_drafts, rule_sets
from storage.models import RuleSetVersion

router = APIRouter()


async def _previews(request: Request, row: RuleSetVersion, params: Any) -> dict[str, Any]:
    profile, day = profile_from(params)
    async with state(request).office.sessions() as db, db.begin():
        active = await drafts.active(db)
    draft_rules = drafts.rules_of(row.content)
    return {
        "profile": params,
        "draft": decide(draft_rules, active.number + 1, profile, day),
        "published": decide(active.rules, active.number, profile, day),
    }


@router.get("/rules/drafts/{draft_id}/preview.json")
async def preview_json(request: Request, who: AdminView, row: DraftRow) -> Response:
    try:
        result = await _previews(request, row, dict(request.query_params))
    except ValueError as exc:
        return JSONResponse({"error": str(exc)}, 422)
    return JSONResponse({"draft": result["draft"], "published": result["published"]})


@router.get("/rules/drafts/{draft_id}/preview", response_class=HTMLResponse)
async def preview_page(request: Request, who: AdminView, row: DraftRow) -> Response:
    params = dict(request.query_params)
    try:
        result: dict[str, Any] | None = await _previews(request, row, params)
        problem = ""
    except ValueError as exc:
        result, problem = None, str(exc)
    return page(
        request,
        "rules_preview.html",
        who=who,
        draft_id=row.id,
        params=params,
        result=result,
        problem=problem,
        as_json=lambda d: json.dumps(d, ensure_ascii=False, indent=2),
        RISKS=RISKS,
    )


def _confirm(
    request: Request, who: Signed, *, title: str, action: str, fields: dict[str, str],
    changes: list[str], button: str,
) -> Response:  # fmt: skip
    return page(
        request, "rules_confirm.html", who=who, title=title, action=action, fields=fields,
        changes=changes, button=button,
    )  # fmt: skip


@router.post("/rules/drafts/{draft_id}/publish")
async def publish(
    request: Request, who: Admin, row: DraftRow, confirmed: Annotated[str, Form()] = ""
) -> Response:
    office = state(request).office
    async with office.sessions() as db, db.begin():
        active = await drafts.active(db)
        if confirmed != "1":
            # Every citizen's next answer comes from the published version: show what changes.
            changes = citizen_changes(active.rules, drafts.rules_of(row.content))
            return _confirm(
                request, who, title=f"Terbitkan draf {row.id} sebagai versi {active.number + 1}?",
                action=f"/console/rules/drafts/{row.id}/publish", fields={}, changes=changes,
                button=f"Ya, terbitkan versi {active.number + 1}",
            )  # fmt: skip
        try:
            number = await rule_sets.publish(db, row.id, by=who.officer.username)
        except (RuleSetError, rule_sets.RuleSetStoreError) as exc:
            raise HTTPException(409, str(exc)) from None
        # Open applications are judged again in the same transaction (issue 13 part 4).
        rechecked = await office.rechecks.after_publish(db)
        repo.audit(
            db, who.officer, "rules.publish", f"version:{number}", draft=row.id,
            changed=list(rechecked.changed),
        )  # fmt: skip
    office.rechecks.notify(rechecked)
    return RedirectResponse(f"/console/rules?published={number}", 303)


@router.post("/rules/rollback")
async def rollback(
    request: Request,
    who: Admin,
    number: Annotated[int, Form()],
    confirmed: Annotated[str, Form()] = "",
) -> Response:
    office = state(request).office
    async with office.sessions() as db, db.begin():
        if confirmed != "1":
            active = await drafts.active(db)
            target = await rule_drafts.version_row(db, number)
            if target is None or target.status != "published":
                raise HTTPException(404, f"versi {number} tidak ada")
            changes = citizen_changes(active.rules, drafts.rules_of(target.content))
            return _confirm(
                request, who,
                title=f"Kembalikan aturan ke isi versi {number}? (berlaku sekarang: versi "
                f"{active.number})",
                action="/console/rules/rollback", fields={"number": str(number)},
                changes=changes, button=f"Ya, kembalikan ke versi {number}",
            )  # fmt: skip
        try:
            new = await rule_sets.rollback(
                db, number, by=who.officer.username, note=f"dikembalikan ke isi versi {number}"
            )
        except rule_sets.RuleSetStoreError as exc:
            raise HTTPException(404, str(exc)) from None
        rechecked = await office.rechecks.after_publish(db)
        repo.audit(
            db, who.officer, "rules.rollback", f"version:{new}", to=number,
            changed=list(rechecked.changed),
        )  # fmt: skip
    office.rechecks.notify(rechecked)
    return RedirectResponse(f"/console/rules?published={new}", 303)


@router.get("/rules/versions/{number}.yaml")
async def version_yaml(request: Request, number: int, who: AdminView) -> Response:
    async with state(request).office.sessions() as db:
        try:
            text = await rule_sets.version_content(db, number)
        except rule_sets.RuleSetStoreError:
            raise HTTPException(404) from None
    return Response(text, media_type="text/plain; charset=utf-8")
