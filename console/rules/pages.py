"""The rules editor's pages that both a GET and a refused POST render (with the errors)."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from console.deps import Signed, page
from console.rules.drafts import rules_of
from console.rules.forms import (
    RISKS,
    SCALES,
    FormField,
    activity_fields,
    new_activity_fields,
    permit_fields,
    risk_fields,
)
from console.rules.text_views import diff_lines, numbered_lines
from permit_rules import RuleError, RuleSet
from storage.models import RuleSetVersion


def activity_url(key: str, draft_id: int) -> str:
    return f"/console/rules/activities/{key}?draft={draft_id}"


def _related_permits(rule_set: RuleSet, index: int) -> dict[str, Any]:
    activity = rule_set.activities[index]
    groups = {g: rule_set.support_groups.get(g, ()) for g in activity.support}
    codes = ["NIB", *(p for r in activity.risk_rules for p in r.extra_permits)]
    codes += [r.permit for r in activity.supporting_permits]
    codes += [r.permit for rules in groups.values() for r in rules]
    return {c: rule_set.permits[c] for c in dict.fromkeys(codes) if c in rule_set.permits}


def activity_view(
    request: Request,
    who: Signed,
    text: str,
    rule_set: RuleSet,
    draft: RuleSetVersion | None,
    index: int,
    failed: dict[str, Any],
    status_code: int = 200,
) -> HTMLResponse:
    """An activity with its forms; `failed` replaces the forms that were refused."""
    activity = rule_set.activities[index]
    forms: dict[str, Any] = {
        "activity": activity_fields(text, index),
        "risks": [risk_fields(text, index, r) for r in range(len(activity.risk_rules))],
        "new_risk": risk_fields(text, index, None),
    }
    forms.update(failed)
    return page(
        request,
        "rules_activity.html",
        status_code,
        who=who,
        draft=draft,
        a=activity,
        index=index,
        groups={g: rule_set.support_groups.get(g, ()) for g in activity.support},
        permits=_related_permits(rule_set, index),
        forms=forms,
        loose=failed.get("loose", []),
        RISKS=RISKS,
        SCALES=SCALES,
    )


def permit_view(
    request: Request,
    who: Signed,
    text: str,
    rule_set: RuleSet,
    draft: RuleSetVersion | None,
    code: str,
    fields: list[FormField] | None = None,
    loose: list[RuleError] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return page(
        request,
        "rules_permit.html",
        status_code,
        who=who,
        draft=draft,
        code=code,
        p=rule_set.permits[code],
        fields=fields if fields is not None else permit_fields(text, code),
        loose=loose or [],
        saved=request.query_params.get("saved") == "1",
    )


def draft_view(
    request: Request,
    who: Signed,
    row: RuleSetVersion,
    active: RuleSetVersion,
    text: str,
    errors: list[RuleError],
    status_code: int = 200,
    new_activity: list[FormField] | None = None,
    loose: list[RuleError] | None = None,
) -> HTMLResponse:
    """A draft: its diff with the active version, the YAML (with errors by line), new activity."""
    number = active.number or 0
    rule_set = rules_of(row.content)
    by_line: dict[int, list[str]] = {}
    for e in errors:
        by_line.setdefault(e.line or 0, []).append(f"{e.path or '(berkas)'}: {e.message}")
    return page(
        request,
        "rules_draft.html",
        status_code,
        who=who,
        draft=row,
        number=number,
        active=active,
        yaml_text=text,
        errors=errors,
        numbered=numbered_lines(text, by_line),
        diff=diff_lines(active.content, row.content, f"versi {number}", f"draf {row.id}"),
        stale=not row.note.endswith(f"versi {number}"),
        permits=rule_set.permits,
        basic=rule_set.basic_requirements,
        saved=request.query_params.get("saved") == "1",
        new_activity=new_activity or new_activity_fields(rule_set.support_groups),
        loose=loose or [],
    )
