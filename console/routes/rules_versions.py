"""A draft's answers beside the published ones (preview), publishing, rolling back, and any
published version's YAML (admins)."""

# No `from __future__ import annotations`: FastAPI reads the Annotated aliases at import time.
import json
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from console.deps import Admin, AdminView, DraftRow, page, state
from console.rules import drafts
from console.rules.forms import RISKS
from console.rules.preview import decide, profile_from
from permit_rules import RuleSetError
from storage import console as repo
from storage import rule_sets
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


@router.post("/rules/drafts/{draft_id}/publish")
async def publish(request: Request, who: Admin, row: DraftRow) -> Response:
    async with state(request).office.sessions() as db, db.begin():
        try:
            number = await rule_sets.publish(db, row.id, by=who.officer.username)
        except (RuleSetError, rule_sets.RuleSetStoreError) as exc:
            raise HTTPException(409, str(exc)) from None
        repo.audit(db, who.officer, "rules.publish", f"version:{number}", draft=row.id)
    return RedirectResponse(f"/console/rules?published={number}", 303)


@router.post("/rules/rollback")
async def rollback(request: Request, who: Admin, number: Annotated[int, Form()]) -> Response:
    async with state(request).office.sessions() as db, db.begin():
        try:
            new = await rule_sets.rollback(db, number, by=who.officer.username)
        except rule_sets.RuleSetStoreError as exc:
            raise HTTPException(404, str(exc)) from None
        repo.audit(db, who.officer, "rules.rollback", f"version:{new}", to=number)
    return RedirectResponse(f"/console/rules?published={new}", 303)


@router.get("/rules/versions/{number}.yaml")
async def version_yaml(request: Request, number: int, who: AdminView) -> Response:
    async with state(request).office.sessions() as db:
        try:
            text = await rule_sets.version_content(db, number)
        except rule_sets.RuleSetStoreError:
            raise HTTPException(404) from None
    return Response(text, media_type="text/plain; charset=utf-8")
