"""The engine: evaluate(rule_set, profile) -> Decision. Pure, deterministic and total.

Deterministic: the same rule set, profile, version and `today` give the same decision.
Total: any valid BusinessProfile gives a Decision; an unknown KBLI, a missing input or a case no
rule covers never raises and never guesses: the risk level stays None and needs_officer says why.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from permit_rules.model import (
    LegalBasis,
    Permit,
    PermitRule,
    RiskLevel,
    RiskRule,
    Scale,
    When,
)
from permit_rules.ruleset import RuleSet
from permit_rules.scale import SCALE_LEGAL_BASIS, business_scale, scale_input_name
from permit_rules.workdays import add_working_days, today_jakarta

_Tri = bool | None  # True / False / undecidable (an input is missing)


class BusinessProfile(BaseModel):
    """What the citizen told us about the business."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    kbli: str
    capital: int | None = Field(default=None, ge=0)
    annual_sales: int | None = Field(default=None, ge=0)
    existed_before_2021: bool = False
    land_area_m2: float | None = Field(default=None, ge=0)
    workers: int | None = Field(default=None, ge=0)
    conditions: Mapping[str, str] = Field(default_factory=dict)


class PermitItem(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: str
    name: str
    kind: str
    issuer: str
    documents: tuple[str, ...]
    due_working_days: int | None
    due_date: date | None
    fee: str | None
    where: str
    note: str | None
    legal_basis: LegalBasis
    reason: str
    rule_id: str | None
    verified: bool
    condition: str | None = None  # for conditional permits: what must hold for it to apply


class Decision(BaseModel):
    model_config = ConfigDict(frozen=True)

    kbli: str
    kbli_title: str | None
    activity: str | None
    scale: Scale | None
    scale_basis: str | None
    risk_level: RiskLevel | None
    outcome: str | None
    permits: tuple[PermitItem, ...]
    conditional_permits: tuple[PermitItem, ...]
    basic_requirements: tuple[PermitItem, ...]
    needs_officer: bool
    officer_reasons: tuple[str, ...]
    missing_inputs: tuple[str, ...]
    unverified: bool
    rule_set_version: int
    kbli_version: str
    regulation: str
    matched_rules: tuple[str, ...]
    legal_basis: tuple[LegalBasis, ...]
    explanation: tuple[str, ...]
    today: date


def rupiah(amount: int | float) -> str:
    return "Rp" + f"{int(amount):,}".replace(",", ".")


# ---------------------------------------------------------------------- conditions
class _Ctx:
    def __init__(self, profile: BusinessProfile, scale: Scale | None) -> None:
        self.profile = profile
        self.scale = scale
        self.scale_field = scale_input_name(profile.existed_before_2021)

    def check(self, when: When) -> tuple[_Tri, list[str]]:
        """Whether the conditions hold, and which inputs were missing to decide."""
        p = self.profile
        results: list[_Tri] = []
        missing: list[str] = []
        if when.scale is not None:
            if self.scale is None:
                results.append(None)
                missing.append(self.scale_field)
            else:
                results.append(self.scale in when.scale)
        ranges = (
            ("capital", when.capital, p.capital),
            ("land_area_m2", when.land_area_m2, p.land_area_m2),
            ("workers", when.workers, p.workers),
        )
        for name, rng, given in ranges:
            if rng is None:
                continue
            if given is None:
                results.append(None)
                missing.append(name)
            else:
                results.append(rng.contains(given))
        for key, allowed in sorted(when.conditions.items()):
            value = p.conditions.get(key)
            if value is None or not value.strip():
                results.append(None)
                missing.append(f"conditions.{key}")
            else:
                results.append(value.strip().lower() in {a.lower() for a in allowed})
        for key, rng in sorted(when.numeric.items()):
            number = _number(p.conditions.get(key))
            if number is None:
                results.append(None)
                missing.append(f"conditions.{key}")
            else:
                results.append(rng.contains(number))
        if any(r is False for r in results):
            return False, []
        if any(r is None for r in results):
            return None, missing
        return True, []


def _number(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        value = float(text.strip().replace(",", "."))
    except ValueError:
        return None
    if value != value or value in (float("inf"), float("-inf")):
        return None
    return value


def describe_when(when: When) -> str:
    """The conditions of a rule in Indonesian."""
    parts: list[str] = []
    if when.scale is not None:
        parts.append("skala " + "/".join(s.value for s in when.scale))
    for label, rng in (
        ("modal", when.capital),
        ("luas lahan (m2)", when.land_area_m2),
        ("tenaga kerja", when.workers),
    ):
        if rng is not None:
            parts.append(f"{label} {_describe_range(rng.min, rng.max)}")
    for key, allowed in sorted(when.conditions.items()):
        parts.append(f"{key} = {' atau '.join(allowed)}")
    for key, rng in sorted(when.numeric.items()):
        parts.append(f"{key} {_describe_range(rng.min, rng.max)}")
    return ", ".join(parts) if parts else "semua kasus"


def _describe_range(lo: float | None, hi: float | None) -> str:
    def n(x: float) -> str:
        return f"{x:g}"

    if lo is not None and hi is not None:
        return f"{n(lo)} s.d. {n(hi)}"
    if lo is not None:
        return f"paling sedikit {n(lo)}"
    return f"paling banyak {n(hi if hi is not None else 0)}"


def describe_permit(rule_set: RuleSet, code: str, today: date) -> PermitItem | None:
    """One permit as the rules describe it, for a citizen asking about it by name ("apa itu NIB",
    "biaya NIB berapa"): whether a business needs it is `evaluate`'s answer, not this one's."""
    permit = rule_set.permits.get(code)
    if permit is None:
        return None
    return _item(
        code,
        permit,
        reason="asked about by name",
        basis=None,
        rule_verified=True,
        rule_id=None,
        today=today,
    )


# ---------------------------------------------------------------------- evaluation
def _item(
    code: str,
    permit: Permit,
    *,
    reason: str,
    basis: LegalBasis | None,
    rule_verified: bool,
    rule_id: str | None,
    today: date,
    condition: str | None = None,
) -> PermitItem:
    due = permit.due_working_days
    return PermitItem(
        code=code,
        name=permit.name,
        kind=permit.kind,
        issuer=permit.issuer,
        documents=permit.documents,
        due_working_days=due,
        due_date=add_working_days(today, due) if due is not None else None,
        fee=permit.fee,
        where=permit.where,
        note=permit.note,
        legal_basis=basis if basis is not None else permit.legal_basis,
        reason=reason,
        rule_id=rule_id,
        verified=rule_verified and permit.verified,
        condition=condition,
    )


def _activity_permit_rules(rule_set: RuleSet, kbli: str) -> list[PermitRule]:
    activity = rule_set.activity_for(kbli)
    if activity is None:
        return []
    rules: list[PermitRule] = []
    for group in activity.support:
        rules.extend(rule_set.support_groups.get(group, ()))
    rules.extend(activity.supporting_permits)
    return rules


def required_inputs(rule_set: RuleSet, kbli: str) -> list[str]:
    """The profile fields the rules for this KBLI depend on (so the dialog asks only those).

    "capital" stands for the scale input: for a business existing before 2021 ask
    annual_sales instead. It is always included because the scale is part of every answer.
    """
    fields: list[str] = ["capital"]
    activity = rule_set.activity_for(kbli.strip())
    whens: list[When] = [r.when for r in rule_set.basic_requirements]
    whens += [r.when for r in _activity_permit_rules(rule_set, kbli.strip())]
    if activity is not None:
        whens += [r.when for r in activity.risk_rules]
    extra: set[str] = set()
    for when in whens:
        extra.update(when.fields_used())
    order = ["capital", "land_area_m2", "workers"]
    fields += [f for f in order[1:] if f in extra]
    fields += sorted(f for f in extra if f not in order)
    return fields


def evaluate(
    rule_set: RuleSet,
    profile: BusinessProfile,
    *,
    version: int,
    today: date | None = None,
) -> Decision:
    """Judge a business profile by a rule set; see the module docstring."""
    day = today if today is not None else today_jakarta()
    kbli = profile.kbli.strip()
    explanation: list[str] = []
    officer: list[str] = []
    missing: list[str] = []
    matched: list[str] = []
    bases: list[LegalBasis] = []
    verified_all = True

    def use_basis(basis: LegalBasis) -> None:
        if basis not in bases:
            bases.append(basis)

    # -- scale
    scale: Scale | None = None
    scale_field = scale_input_name(profile.existed_before_2021)
    try:
        scale = business_scale(profile.capital, profile.annual_sales, profile.existed_before_2021)
    except ValueError:
        missing.append(scale_field)
        explanation.append(
            "Skala usaha belum bisa ditentukan: "
            + (
                "usaha yang sudah berjalan sebelum 2021 memakai hasil penjualan tahunan."
                if profile.existed_before_2021
                else "perlu modal usaha (tidak termasuk tanah dan bangunan tempat usaha)."
            )
        )
    else:
        if profile.existed_before_2021:
            figure = f"hasil penjualan tahunan {rupiah(profile.annual_sales or 0)}"
        else:
            figure = f"modal usaha {rupiah(profile.capital or 0)} (tanpa tanah dan bangunan)"
        explanation.append(f"Skala usaha: {scale.display} ({figure}; {SCALE_LEGAL_BASIS}).")
    ctx = _Ctx(profile, scale)

    # -- activity
    activity = rule_set.activity_for(kbli) if kbli.isdigit() and len(kbli) == 5 else None
    if not (kbli.isdigit() and len(kbli) == 5):
        officer.append(f"'{kbli}' bukan kode KBLI 5 digit.")
        explanation.append(f"Kode '{kbli}' bukan kode KBLI 5 digit; petugas perlu memastikannya.")
    elif activity is None:
        officer.append(f"KBLI {kbli} belum diatur dalam aturan SIKETAN.")
        explanation.append(
            f"KBLI {kbli} belum ada dalam aturan SIKETAN, jadi tingkat risikonya tidak ditebak: "
            "petugas akan memeriksanya."
        )
    else:
        explanation.append(f"Kegiatan: KBLI {kbli} {activity.title}.")

    permits: list[PermitItem] = []
    conditional: list[PermitItem] = []
    catalog = rule_set.permits

    # -- NIB: every business
    nib = catalog.get("NIB")
    if nib is not None:
        permits.append(
            _item(
                "NIB",
                nib,
                reason="Setiap pelaku usaha wajib memiliki NIB.",
                basis=None,
                rule_verified=True,
                rule_id=None,
                today=day,
            )
        )
        use_basis(nib.legal_basis)
        verified_all &= nib.verified

    # -- risk level
    risk: RiskLevel | None = None
    risk_rule: RiskRule | None = None
    if activity is not None:
        hits: list[RiskRule] = []
        open_rules: list[RiskRule] = []
        for rrule in activity.risk_rules:
            holds, need = ctx.check(rrule.when)
            if holds is True:
                hits.append(rrule)
            elif holds is None:
                open_rules.append(rrule)
                missing.extend(need)
        levels = {r.risk_level for r in hits}
        open_levels = {r.risk_level for r in open_rules}
        if len(levels) > 1:
            ids = ", ".join(r.id for r in hits)
            officer.append(f"Aturan risiko saling bertentangan ({ids}).")
            explanation.append(
                f"Beberapa aturan risiko cocok tetapi hasilnya berbeda ({ids}); "
                "petugas perlu memeriksa."
            )
        elif levels and (not open_levels or open_levels == levels):
            risk_rule = hits[0]
            risk = risk_rule.risk_level
        elif hits or open_rules:
            explanation.append(
                "Tingkat risiko bergantung pada data yang belum diisi: "
                + ", ".join(sorted(set(missing)))
                + "."
            )
        else:
            where = f" untuk skala {scale.value}" if scale is not None else ""
            officer.append(f"Tingkat risiko KBLI {kbli}{where} belum bersumber.")
            explanation.append(
                f"Tingkat risiko KBLI {kbli}{where} belum bisa dikutip dari sumber resmi yang "
                "tercatat, jadi tidak ditebak. Bagian yang bergantung pada tingkat risiko "
                "menunggu pengecekan petugas."
            )

    outcome: str | None = None
    if risk is not None and risk_rule is not None:
        outcome = risk.outcome
        matched.append(risk_rule.id)
        use_basis(risk_rule.legal_basis)
        verified_all &= risk_rule.verified
        explanation.append(
            f"Tingkat risiko: {risk.display}, hasil: {outcome} (aturan {risk_rule.id}, syarat: "
            f"{describe_when(risk_rule.when)}; dasar: {risk_rule.legal_basis.cite()})."
        )
        if risk_rule.note:
            explanation.append(f"Catatan aturan: {risk_rule.note}")
        for code in (*risk.outcome_permits, *risk_rule.extra_permits):
            permit = catalog.get(code)
            if permit is None or any(p.code == code for p in permits):
                continue
            permits.append(
                _item(
                    code,
                    permit,
                    reason=f"Hasil tingkat risiko {risk.display}.",
                    basis=risk_rule.legal_basis,
                    rule_verified=risk_rule.verified,
                    rule_id=risk_rule.id,
                    today=day,
                )
            )
            verified_all &= permit.verified

    # -- supporting permits (PB-UMKU) that follow from the product
    for rule in _activity_permit_rules(rule_set, kbli) if activity is not None else []:
        permit = catalog.get(rule.permit)
        if permit is None:
            continue
        holds, need = ctx.check(rule.when)
        reason = rule.reason or f"Aturan {rule.id}."
        if holds is True:
            if any(p.code == rule.permit for p in permits):
                continue
            permits.append(
                _item(
                    rule.permit,
                    permit,
                    reason=reason,
                    basis=rule.legal_basis,
                    rule_verified=rule.verified,
                    rule_id=rule.id,
                    today=day,
                )
            )
            matched.append(rule.id)
            use_basis(rule.legal_basis)
            verified_all &= rule.verified and permit.verified
            explanation.append(
                f"Perlu {permit.name}: {reason} "
                f"(aturan {rule.id}; dasar: {rule.legal_basis.cite()})."
            )
        elif holds is None:
            missing.extend(need)
            conditional.append(
                _item(
                    rule.permit,
                    permit,
                    reason=reason,
                    basis=rule.legal_basis,
                    rule_verified=rule.verified,
                    rule_id=rule.id,
                    today=day,
                    condition=describe_when(rule.when),
                )
            )
            explanation.append(
                f"Mungkin perlu {permit.name}, jika {describe_when(rule.when)} (aturan {rule.id})."
            )

    # -- basic requirements
    basics: list[PermitItem] = []
    for rule in rule_set.basic_requirements:
        permit = catalog.get(rule.permit)
        if permit is None:
            continue
        holds, need = ctx.check(rule.when)
        if holds is True:
            basics.append(
                _item(
                    rule.permit,
                    permit,
                    reason=rule.reason or "Persyaratan dasar perizinan berusaha.",
                    basis=rule.legal_basis,
                    rule_verified=rule.verified,
                    rule_id=rule.id,
                    today=day,
                )
            )
            matched.append(rule.id)
            use_basis(rule.legal_basis)
            verified_all &= rule.verified and permit.verified
        elif holds is None:
            missing.extend(need)
    if basics:
        explanation.append(
            "Persyaratan dasar: " + "; ".join(b.name for b in basics) + " (jika berlaku)."
        )

    if not verified_all:
        explanation.append(
            "Sebagian aturan yang dipakai belum dicek admin terhadap sumber hukumnya; "
            "petugas dapat memastikan."
        )
    if officer:
        explanation.append("Silakan konsultasikan ke petugas DPMPTSP / loket MPP Kota Probolinggo.")

    return Decision(
        kbli=kbli,
        kbli_title=activity.title if activity is not None else None,
        activity=activity.key if activity is not None else None,
        scale=scale,
        scale_basis=scale_field if scale is not None else None,
        risk_level=risk,
        outcome=outcome,
        permits=tuple(permits),
        conditional_permits=tuple(conditional),
        basic_requirements=tuple(basics),
        needs_officer=bool(officer),
        officer_reasons=tuple(officer),
        missing_inputs=tuple(dict.fromkeys(missing)),
        unverified=not verified_all,
        rule_set_version=version,
        kbli_version=rule_set.meta.kbli_version,
        regulation=rule_set.meta.regulation,
        matched_rules=tuple(matched),
        legal_basis=tuple(bases),
        explanation=tuple(explanation),
        today=day,
    )


# ---------------------------------------------------------------------- JSON
def _basis_json(b: LegalBasis) -> dict[str, Any]:
    return {"regulation": b.regulation, "article": b.article, "source": b.source}


def _permit_json(p: PermitItem) -> dict[str, Any]:
    return {
        "code": p.code,
        "name": p.name,
        "kind": p.kind,
        "issuer": p.issuer,
        "documents": list(p.documents),
        "due_working_days": p.due_working_days,
        "due_date": p.due_date.isoformat() if p.due_date is not None else None,
        "fee": p.fee,
        "where": p.where,
        "note": p.note,
        "reason": p.reason,
        "condition": p.condition,
        "rule_id": p.rule_id,
        "verified": p.verified,
        "legal_basis": _basis_json(p.legal_basis),
    }


def decision_to_json(decision: Decision) -> dict[str, Any]:
    """The stable machine-readable shape (documented in permit_rules/README.md)."""
    d = decision
    return {
        "kbli": d.kbli,
        "kbli_title": d.kbli_title,
        "scale": d.scale.value if d.scale is not None else None,
        "scale_basis": d.scale_basis,
        "risk_level": d.risk_level.value if d.risk_level is not None else None,
        "risk_level_name": d.risk_level.display if d.risk_level is not None else None,
        "outcome": d.outcome,
        "permits": [_permit_json(p) for p in d.permits],
        "conditional_permits": [_permit_json(p) for p in d.conditional_permits],
        "basic_requirements": [_permit_json(p) for p in d.basic_requirements],
        "needs_officer": d.needs_officer,
        "officer_reasons": list(d.officer_reasons),
        "missing_inputs": list(d.missing_inputs),
        "unverified": d.unverified,
        "rule_set_version": d.rule_set_version,
        "kbli_version": d.kbli_version,
        "regulation": d.regulation,
        "matched_rules": list(d.matched_rules),
        "legal_basis": [_basis_json(b) for b in d.legal_basis],
        "explanation": list(d.explanation),
        "date": d.today.isoformat(),
    }
