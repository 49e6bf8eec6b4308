"""The console's Jinja2 environment (autoescaped) and its page renderer."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from console.labels import AUTHORS, DOC_LABELS, ERRORS, HANDOFF_STATUSES, MODES, REASONS
from dialogs.formatting import format_date, mask_nik
from dialogs.ports import STATUS_LABELS
from office.status import FINAL_STATUSES
from permit_rules import RiskLevel

TEMPLATES = Path(__file__).resolve().parent / "templates"
WIB = ZoneInfo("Asia/Jakarta")
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'self'"
)
PAGE_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes even for timezone=True columns; they were stored in UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def iso(moment: datetime | None) -> str:
    return aware(moment).isoformat() if moment else ""


def local(moment: datetime | None) -> str:
    if moment is None:
        return "-"
    return aware(moment).astimezone(WIB).strftime("%d-%m-%Y %H.%M")


def day(value: date | None) -> str:
    return format_date(value) if value else "-"


def build_templates() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
    )
    env.filters["local"] = local
    env.filters["ts"] = iso
    env.filters["mask_nik"] = mask_nik
    env.filters["day"] = day
    env.globals.update(
        REASONS=REASONS,
        STATUSES=STATUS_LABELS,
        HANDOFF_STATUSES=HANDOFF_STATUSES,
        ERRORS=ERRORS,
        DOC_LABELS=DOC_LABELS,
        FINAL=FINAL_STATUSES,
        AUTHORS=AUTHORS,
        MODES=MODES,
        RISK_NAMES={r.value: r.display for r in RiskLevel},
    )
    return env


def render_page(
    templates: Environment, request: Request, name: str, status_code: int = 200, **values: Any
) -> HTMLResponse:
    html = templates.get_template(name).render(request=request, **values)
    return HTMLResponse(html, status_code=status_code, headers=PAGE_HEADERS)
