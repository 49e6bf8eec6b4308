"""The rules editor's forms: one field per rule value, read back in the shape the rule file
holds, with each validation error put next to the field it is about. Pure: no I/O."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from console.rule_yaml import parse_path, value_at
from dialogs.validators import parse_money
from permit_rules import RiskLevel, RuleError, Scale

WHERE = ("OSS", "SIHALAL", "SIMBG", "MPP counter")
KINDS = ("perizinan_berusaha", "pb_umku", "persyaratan_dasar")
RISKS = {r.value: r.display for r in RiskLevel}
SCALES = {s.value: s.display for s in Scale}


# ---------------------------------------------------------------------- form fields
@dataclass
class FormField:
    path: str
    label: str
    kind: str  # text | textarea | lines | int | number | money | select | multi | optional
    value: Any = None
    options: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    hint: str = ""

    @property
    def name(self) -> str:
        return self.path

    @property
    def shown(self) -> str:
        if self.kind == "lines":
            return "\n".join(str(v) for v in self.value or ())
        if self.value is None:
            return ""
        if isinstance(self.value, float) and self.value.is_integer():
            return str(int(self.value))
        return str(self.value)

    @property
    def dom_id(self) -> str:
        return "f-" + re.sub(r"[^A-Za-z0-9]+", "-", self.path).strip("-")


def _number(raw: str) -> Any:
    text = raw.strip().replace("_", "")
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        return raw  # kept as typed: the rule validation names the field
    return int(number) if number.is_integer() else number


def read_field(f: FormField, form: Any) -> Any:
    """The value a field's input gives, in the shape the rule file holds."""
    if f.kind == "multi":
        picked = [str(v) for v in form.getlist(f.path)]
        return picked or None
    raw = str(form.get(f.path) or "")
    if f.kind == "lines":
        return [line.strip() for line in raw.splitlines() if line.strip()]
    if f.kind == "money":
        # The bot's own reading of amounts: "30 juta", "Rp30.000.000", "30000000".
        money = parse_money(raw) if raw.strip() else None
        return money if money is not None or not raw.strip() else raw.strip()
    if f.kind in ("int", "number"):
        return _number(raw)
    if f.kind == "optional":
        return raw.strip() or None
    return raw.strip()


def attach_errors(fields: Sequence[FormField], errors: Iterable[RuleError]) -> list[RuleError]:
    """Put each error next to the field it is about; return the ones no field shows."""
    loose: list[RuleError] = []
    for e in errors:
        target = next(
            (
                f
                for f in fields
                if e.path == f.path
                or e.path.startswith((f.path + ".", f.path + "["))
                or f.path.startswith((e.path + ".", e.path + "["))
            ),
            None,
        )
        if target is None:
            loose.append(e)
        else:
            target.errors.append(e.message)
    return loose


def permit_fields(text: str, code: str) -> list[FormField]:
    base = f"permits.{code}"

    def v(rest: str) -> Any:
        return value_at(text, parse_path(f"{base}.{rest}"))

    return [
        FormField(f"{base}.name", "Nama izin", "text", v("name")),
        FormField(f"{base}.kind", "Jenis", "select", v("kind"), {k: k for k in KINDS}),
        FormField(f"{base}.issuer", "Penerbit", "text", v("issuer")),
        FormField(f"{base}.where", "Diajukan di", "select", v("where"), {w: w for w in WHERE}),
        FormField(f"{base}.documents", "Dokumen (satu per baris)", "lines", v("documents") or []),
        FormField(
            f"{base}.due_working_days",
            "Waktu layanan (hari kerja)",
            "int",
            v("due_working_days"),
            hint="kosongkan bila belum tercatat; 0 = hari itu juga",
        ),
        FormField(
            f"{base}.fee",
            "Biaya",
            "optional",
            v("fee"),
            hint="mis. gratis; kosong = belum tercatat",
        ),
        FormField(f"{base}.note", "Catatan", "optional", v("note")),
        *_basis_fields(text, base),
    ]


def _basis_fields(text: str, base: str) -> list[FormField]:
    def v(rest: str) -> Any:
        return value_at(text, parse_path(f"{base}.legal_basis.{rest}"))

    return [
        FormField(
            f"{base}.legal_basis.regulation", "Dasar hukum: peraturan", "text", v("regulation")
        ),
        FormField(
            f"{base}.legal_basis.article", "Dasar hukum: pasal/lampiran", "optional", v("article")
        ),
        FormField(f"{base}.legal_basis.source", "Dasar hukum: sumber", "text", v("source")),
    ]


def activity_fields(text: str, index: int) -> list[FormField]:
    base = f"activities[{index}]"
    return [
        FormField(
            f"{base}.title", "Nama kegiatan", "text", value_at(text, parse_path(base + ".title"))
        ),
        FormField(
            f"{base}.everyday_words",
            "Kata sehari-hari (satu per baris, huruf kecil)",
            "lines",
            value_at(text, parse_path(base + ".everyday_words")) or [],
        ),
        FormField(
            f"{base}.note", "Catatan", "optional", value_at(text, parse_path(base + ".note"))
        ),
    ]


RANGES = (("capital", "Modal (Rp)"), ("land_area_m2", "Luas lahan (m²)"), ("workers", "Pekerja"))


def risk_fields(text: str, index: int, rule: int | None) -> list[FormField]:
    """A risk row; `rule` None is a new row (with its id)."""
    base = f"activities[{index}].risk_rules[{rule if rule is not None else 'new'}]"
    current: dict[str, Any] = {}
    if rule is not None:
        current = value_at(text, ("activities", index, "risk_rules", rule)) or {}
    when = current.get("when") or {}
    basis = current.get("legal_basis") or {}
    fields = []
    if rule is None:
        fields.append(FormField(f"{base}.id", "Kode aturan (unik)", "text", ""))
    fields += [
        FormField(
            f"{base}.risk_level", "Tingkat risiko", "select", current.get("risk_level"), RISKS
        ),
        FormField(f"{base}.when.scale", "Skala usaha", "multi", when.get("scale") or [], SCALES),
    ]
    for key, label in RANGES:
        rng = when.get(key) or {}
        kind = "money" if key == "capital" else "number"
        fields.append(
            FormField(f"{base}.when.{key}.min", f"{label} paling sedikit", kind, rng.get("min"))
        )
        fields.append(
            FormField(f"{base}.when.{key}.max", f"{label} paling banyak", kind, rng.get("max"))
        )
    fields += [
        FormField(f"{base}.note", "Catatan", "optional", current.get("note")),
        FormField(
            f"{base}.legal_basis.regulation",
            "Dasar hukum: peraturan",
            "text",
            basis.get("regulation"),
        ),
        FormField(
            f"{base}.legal_basis.article",
            "Dasar hukum: pasal/lampiran",
            "optional",
            basis.get("article"),
        ),
        FormField(f"{base}.legal_basis.source", "Dasar hukum: sumber", "text", basis.get("source")),
    ]
    return fields


def new_activity_fields(groups: Iterable[str]) -> list[FormField]:
    base = "activities[new]"
    return [
        FormField(f"{base}.kbli", "KBLI (5 angka)", "text", ""),
        FormField(f"{base}.title", "Nama kegiatan", "text", ""),
        FormField(f"{base}.everyday_words", "Kata sehari-hari (satu per baris)", "lines", []),
        FormField(
            f"{base}.support", "Izin pendukung (kelompok)", "multi", [], {g: g for g in groups}
        ),
    ]


def risk_value(
    fields: Sequence[FormField], form: Any, base: str, old: dict[str, Any]
) -> dict[str, Any]:
    got = {f.path.removeprefix(base + "."): read_field(f, form) for f in fields}
    when: dict[str, Any] = {k: v for k, v in (old.get("when") or {}).items()}
    for key in ("scale", *(k for k, _ in RANGES)):
        when.pop(key, None)
    if got.get("when.scale"):
        when["scale"] = got["when.scale"]
    for key, _ in RANGES:
        rng = {
            b: got[f"when.{key}.{b}"]
            for b in ("min", "max")
            if got.get(f"when.{key}.{b}") is not None
        }
        if rng:
            when[key] = rng
    value = dict(old)
    if "id" in got:
        value["id"] = got["id"]
    value["risk_level"] = got["risk_level"]
    value["when"] = when
    value["note"] = got["note"]
    value["legal_basis"] = {
        "regulation": got["legal_basis.regulation"],
        "article": got["legal_basis.article"],
        "source": got["legal_basis.source"],
    }
    value.setdefault("verified_by", None)
    value.setdefault("verified_on", None)
    return value
