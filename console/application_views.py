"""Applications as officers read them: Indonesian labels, Rupiah and dates formatted, the rule
decision as the citizen saw it. Pure: rows in, display values out."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from dialogs.formatting import format_date, mask_nik, number, rupiah
from dialogs.texts import keys, text
from permit_rules import RiskLevel, Scale
from storage.console_reads import OPEN_STATUSES
from storage.models import Application

MONEY = {"capital", "annual_sales"}
SCALES = {s.value: s.display for s in Scale}
RISKS = {r.value: r.display for r in RiskLevel}
SECTIONS = (("applicant", "Pemohon"), ("business", "Usaha"), ("location", "Lokasi"))
# Stored keys whose label in the citizen texts is not the one an officer needs.
OWN_LABELS = {"kecamatan": "Kecamatan", "city": "Kota", "conditions": "Kondisi produk"}


def label(key: str) -> str:
    if key in OWN_LABELS:
        return OWN_LABELS[key]
    name = f"label_{key}"
    return text("id", name) if name in keys("id") else key.replace("_", " ").capitalize()


def _choice(prefix: str, value: str) -> str:
    name = f"{prefix}_{value}"
    return text("id", name) if name in keys("id") else value


def shown_value(key: str, value: Any) -> str:
    """A stored answer as an officer reads it ("-" when there is none)."""
    if value is None or value == "" or value == {} or value == []:
        return "-"
    if key == "nik":
        return mask_nik(str(value))
    if key in MONEY and isinstance(value, int | float):
        return rupiah(value)
    if key == "land_area" and isinstance(value, int | float):
        return f"{number(value)} m²"
    if key == "running":
        return _choice("running", str(value))
    if key == "conditions" and isinstance(value, Mapping):
        return ", ".join(_choice(f"cond_{k}", str(v)) for k, v in value.items())
    if isinstance(value, int | float) and not isinstance(value, bool):
        return number(value)
    return str(value)


@dataclass(frozen=True, slots=True)
class Section:
    title: str
    rows: list[tuple[str, str]]


def sections(app: Application) -> list[Section]:
    out = []
    for attr, title in SECTIONS:
        values: Mapping[str, Any] = getattr(app, attr) or {}
        out.append(Section(title, [(label(k), shown_value(k, v)) for k, v in values.items()]))
    return out


def days_left(due: date, today: date) -> int:
    return (due - today).days


def due_words(due: date, today: date, status: str) -> str:
    """ "3 hari lagi", "hari ini", "terlambat 2 hari" (only while the office still owes it)."""
    if status not in OPEN_STATUSES:
        return ""
    left = days_left(due, today)
    if left > 0:
        return f"{left} hari lagi"
    return "hari ini" if left == 0 else f"terlambat {-left} hari"


def is_late(app: Application, today: date) -> bool:
    return app.due_date < today and app.status in OPEN_STATUSES


def kbli_words(app: Application) -> str:
    """The code with its KBLI version where it is stored (KBLI 2020 and 2025 share codes)."""
    version = str(
        getattr(app, "kbli_version", "") or (app.decision or {}).get("kbli_version") or ""
    )
    code = f"{app.kbli} (KBLI {version.removeprefix('KBLI').strip()})" if version else app.kbli
    return f"{code} {app.kbli_title}".strip()


def scale_words(app: Application) -> str:
    scale = (app.decision or {}).get("scale")
    return SCALES.get(str(scale), "-") if scale else "-"


@dataclass(frozen=True, slots=True)
class PermitView:
    code: str
    name: str
    where: str
    due: str
    fee: str
    documents: list[str]
    basis: str
    note: str


def _due(item: Mapping[str, Any]) -> str:
    days = item.get("due_working_days")
    if days is None:
        return "belum tercatat"
    when = item.get("due_date")
    on = f" (s.d. {format_date(date.fromisoformat(when))})" if when else ""
    return ("hari itu juga" if days == 0 else f"{days} hari kerja") + on


def _basis(item: Mapping[str, Any]) -> str:
    basis = item.get("legal_basis") or {}
    parts = [str(basis.get("regulation") or ""), str(basis.get("article") or "")]
    return ", ".join(p for p in parts if p) or "-"


def permit_views(items: Iterable[Mapping[str, Any]]) -> list[PermitView]:
    return [
        PermitView(
            code=str(p.get("code") or ""),
            name=str(p.get("name") or p.get("code") or ""),
            where=str(p.get("where") or "-"),
            due=_due(p),
            fee=str(p.get("fee") or "belum tercatat"),
            documents=[str(d) for d in p.get("documents") or ()],
            basis=_basis(p),
            note=str(p.get("note") or ""),
        )
        for p in items
    ]


@dataclass(frozen=True, slots=True)
class DecisionView:
    scale: str
    risk: str
    outcome: str
    rule_version: str
    permits: list[PermitView]
    conditional: list[PermitView]
    basic: list[PermitView]
    needs_officer: bool
    officer_reasons: list[str]


def decision_view(app: Application) -> DecisionView:
    d: Mapping[str, Any] = app.decision or {}
    risk = d.get("risk_level")
    return DecisionView(
        scale=SCALES.get(str(d.get("scale")), "belum diketahui"),
        risk=RISKS.get(str(risk), "belum dapat ditentukan") if risk else "belum dapat ditentukan",
        outcome=str(d.get("outcome") or "-"),
        rule_version=str(d.get("rule_set_version") or app.rule_set_version),
        permits=permit_views(d.get("permits") or ()),
        conditional=permit_views(d.get("conditional_permits") or ()),
        basic=permit_views(d.get("basic_requirements") or ()),
        needs_officer=bool(d.get("needs_officer")),
        officer_reasons=[str(r) for r in d.get("officer_reasons") or ()],
    )


@dataclass(frozen=True, slots=True)
class ListRow:
    """One line of the applications list."""

    id: int
    reference: str
    name: str
    business: str
    kbli: str
    scale: str
    status: str
    due: str
    due_left: str
    late: bool
    officer: str

    @classmethod
    def of(cls, app: Application, today: date, officer: str) -> ListRow:
        return cls(
            id=app.id,
            reference=app.reference,
            name=str((app.applicant or {}).get("full_name") or "-"),
            business=str((app.business or {}).get("business_name") or "-"),
            kbli=kbli_words(app),
            scale=scale_words(app),
            status=app.status,
            due=format_date(app.due_date),
            due_left=due_words(app.due_date, today, app.status),
            late=is_late(app, today),
            officer=officer or "-",
        )
