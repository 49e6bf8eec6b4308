"""Form edits to a draft (admins): a permit, an activity, a risk row, a new activity, the
"checked against its legal source" mark. A refused edit shows the form again with each error
next to its field and the admin's entries kept (422)."""

# No `from __future__ import annotations`: FastAPI reads the Annotated aliases at import time.
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from console.deps import Admin, DraftRow, Signed, state
from console.rule_yaml import Loc, parse_path, value_at
from console.rules import drafts
from console.rules.drafts import rules_of
from console.rules.forms import (
    FormField,
    activity_fields,
    attach_errors,
    new_activity_fields,
    permit_fields,
    read_field,
    risk_fields,
    risk_value,
)
from console.rules.lookup import VERIFIABLE
from console.rules.pages import activity_url, activity_view, draft_view, permit_view
from permit_rules import RuleError, RuleSet, today_jakarta
from storage.models import RuleSetVersion

router = APIRouter()


def _kept(fields: list[FormField], form: Any) -> list[FormField]:
    """The fields showing what the admin entered (a refused form is not emptied)."""
    for f in fields:
        f.value = read_field(f, form)
    return fields


def _renamed(errors: list[RuleError], real: str, shown: str) -> list[RuleError]:
    """Errors about a new row name its real index; its form calls it `shown` ([new])."""
    return [RuleError(e.file, e.line, e.path.replace(real, shown, 1), e.message) for e in errors]


def _rules(row: RuleSetVersion) -> RuleSet:
    return rules_of(row.content)


def _activity_at(rule_set: RuleSet, index: int) -> Any:
    if not 0 <= index < len(rule_set.activities):
        raise HTTPException(404)
    return rule_set.activities[index]


@router.post("/rules/drafts/{draft_id}/permits/{code}")
async def save_permit(request: Request, who: Admin, row: DraftRow, code: str) -> Response:
    form = await request.form()
    if value_at(row.content, ("permits", code)) is None:
        raise HTTPException(404)
    fields = permit_fields(row.content, code)
    changes = [(parse_path(f.path), read_field(f, form)) for f in fields]
    _, errors = await drafts.apply_changes(
        state(request), who.officer, row.id, changes, "rules.permit.edit", permit=code
    )
    if not errors:
        return RedirectResponse(f"/console/rules/permits/{code}?draft={row.id}&saved=1", 303)
    loose = attach_errors(_kept(fields, form), errors)
    rule_set = _rules(row)
    return permit_view(request, who, row.content, rule_set, row, code, fields, loose, 422)


@router.post("/rules/drafts/{draft_id}/activities/{index}")
async def save_activity(request: Request, who: Admin, row: DraftRow, index: int) -> Response:
    form = await request.form()
    rule_set = _rules(row)
    key = _activity_at(rule_set, index).key
    fields = activity_fields(row.content, index)
    changes = [(parse_path(f.path), read_field(f, form)) for f in fields]
    _, errors = await drafts.apply_changes(
        state(request), who.officer, row.id, changes, "rules.activity.edit", activity=key
    )
    if not errors:
        return RedirectResponse(activity_url(key, row.id), 303)
    loose = attach_errors(_kept(fields, form), errors)
    failed = {"activity": fields, "loose": loose}
    return activity_view(request, who, row.content, rule_set, row, index, failed, 422)


def _risk_target(index: int, number: int | None, count: int) -> tuple[Loc, bool, int]:
    """Where a risk row's value goes: (location, wrap in a list, real row number)."""
    if number is not None:
        return ("activities", index, "risk_rules", number), False, number
    if count:
        return ("activities", index, "risk_rules", count), False, count
    return ("activities", index, "risk_rules"), True, 0


@router.post("/rules/drafts/{draft_id}/activities/{index}/risk/{rule}")
async def save_risk(request: Request, who: Admin, row: DraftRow, index: int, rule: str) -> Response:
    form = await request.form()
    rule_set = _rules(row)
    activity = _activity_at(rule_set, index)
    count = len(activity.risk_rules)
    number = None if rule == "new" else int(rule) if rule.isdigit() else -1
    if number is not None and not 0 <= number < count:
        raise HTTPException(404)
    fields = risk_fields(row.content, index, number)
    base = f"activities[{index}].risk_rules[{rule}]"
    old = None
    if number is not None:
        old = value_at(row.content, ("activities", index, "risk_rules", number))
    value = risk_value(fields, form, base, dict(old or {}))
    loc, wrap, real = _risk_target(index, number, count)
    _, errors = await drafts.apply_changes(
        state(request),
        who.officer,
        row.id,
        [(loc, [value] if wrap else value)],
        "rules.risk.edit",
        activity=activity.key,
        row=real,
    )
    if not errors:
        return RedirectResponse(activity_url(activity.key, row.id), 303)
    mapped = _renamed(errors, f"activities[{index}].risk_rules[{real}]", base)
    loose = attach_errors(_kept(fields, form), mapped)
    failed: dict[str, Any] = {"loose": loose}
    if number is None:
        failed["new_risk"] = fields
    else:
        risks = [risk_fields(row.content, index, r) for r in range(count)]
        risks[number] = fields
        failed["risks"] = risks
    return activity_view(request, who, row.content, rule_set, row, index, failed, 422)


@router.post("/rules/drafts/{draft_id}/activities")
async def add_activity(request: Request, who: Admin, row: DraftRow) -> Response:
    form = await request.form()
    rule_set = _rules(row)
    fields = new_activity_fields(rule_set.support_groups)
    got = {f.path.removeprefix("activities[new]."): read_field(f, form) for f in fields}
    value = {
        "kbli": got["kbli"],
        "title": got["title"],
        "everyday_words": got["everyday_words"],
        "support": got["support"] or [],
    }
    count = len(rule_set.activities)
    console = state(request)
    _, errors = await drafts.apply_changes(
        console, who.officer, row.id, [(("activities", count), value)], "rules.activity.add",
        kbli=value["kbli"],
    )  # fmt: skip
    if not errors:
        return RedirectResponse(activity_url(str(value["kbli"]), row.id), 303)
    mapped = _renamed(errors, f"activities[{count}]", "activities[new]")
    loose = attach_errors(_kept(fields, form), mapped)
    async with console.office.sessions() as db:
        active = await drafts.active(db)
    return draft_view(request, who, row, active.row, row.content, [], 422, fields, loose)


def _verify_changes(loc: Loc, who: Signed, on: bool) -> list[tuple[Loc, Any]]:
    by = who.officer.username if on else None
    day = today_jakarta() if on else None
    return [((*loc, "verified_by"), by), ((*loc, "verified_on"), day)]


@router.post("/rules/drafts/{draft_id}/verify")
async def verify(
    request: Request,
    who: Admin,
    row: DraftRow,
    path: Annotated[str, Form()],
    checked: Annotated[str, Form()] = "",
    back: Annotated[str, Form()] = "",
) -> Response:
    if not VERIFIABLE.match(path):
        raise HTTPException(422, "bukan aturan yang dapat ditandai")
    loc = parse_path(path)
    if not isinstance(value_at(row.content, loc), dict):
        raise HTTPException(404)
    on = checked == "1"
    changes = _verify_changes(loc, who, on)
    _, errors = await drafts.apply_changes(
        state(request), who.officer, row.id, changes, "rules.verify",
        rule=path, checked=on, on=str(changes[1][1] or ""),
    )  # fmt: skip
    if errors:
        raise HTTPException(422, "; ".join(str(e) for e in errors))
    target = back if back.startswith("/console/rules") else f"/console/rules/drafts/{row.id}"
    return RedirectResponse(target, 303)
