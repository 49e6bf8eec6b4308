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

from permit_rules.catalog import IN_FORCE_VERSION, KbliCode, version_label
from permit_rules.model import (
    LegalBasis,
    Permit,
    PermitRule,
    RiskHint,
    RiskLevel,
    RiskRule,
    Scale,
    When,
)
from permit_rules.ruleset import RuleSet
from permit_rules.scale import (
    SALES_LEGAL_BASIS,
    SCALE_LEGAL_BASIS,
    ScaleFinding,
    find_scale,
    scale_input_name,
)
from permit_rules.workdays import add_working_days, today_jakarta

_Tri = bool | None  # True / False / undecidable (an input is missing)


class BusinessProfile(BaseModel):
    """What the citizen told us about the business."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    kbli: str
    # The KBLI version of `kbli`: a code is never compared across versions.
    kbli_version: str = IN_FORCE_VERSION
    # The code as it was given, when it was converted from an older version (e.g. KBLI 2020
    # 56102 -> KBLI 2025 56101): kept so the answer and the record say so.
    converted_from: KbliCode | None = None
    capital: int | None = Field(default=None, ge=0)
    annual_sales: int | None = Field(default=None, ge=0)
    existed_before_2021: bool = False
    land_area_m2: float | None = Field(default=None, ge=0)
    workers: int | None = Field(default=None, ge=0)
    conditions: Mapping[str, str] = Field(default_factory=dict)
    # The citizen sells through a platform (GoFood, ShopeeFood...): the "jasa intermediasi" code
    # is explained, never offered as the business.
    sells_via_platform: bool = False


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
    more_bases: tuple[LegalBasis, ...] = ()  # sources of the permit's other statements (fee...)

    @property
    def secondary(self) -> bool:
        """Some statement of this item rests on a secondary source."""
        return any(b.secondary for b in (self.legal_basis, *self.more_bases))


class OfficerHint(BaseModel):
    """A risk level known only from a revoked regulation: for the officer, never the citizen."""

    model_config = ConfigDict(frozen=True)

    rule_id: str
    risk_level: RiskLevel
    kbli_2020: str | None
    applies: bool | None  # its conditions hold (True), do not (False), or lack an input (None)
    condition: str
    note: str | None
    legal_basis: LegalBasis


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
    converted_from: KbliCode | None = None
    officer_hints: tuple[OfficerHint, ...] = ()
    # Plain-words list of the statements that rest on secondary sources ("" when none).
    secondary_statements: tuple[str, ...] = ()

    @property
    def secondary(self) -> bool:
        return bool(self.secondary_statements)


def rupiah(amount: int | float) -> str:
    return "Rp" + f"{int(amount):,}".replace(",", ".")


# ---------------------------------------------------------------------- conditions
class _Ctx:
    def __init__(self, profile: BusinessProfile, scale: Scale | None) -> None:
        self.profile = profile
        self.scale = scale
        self.scale_field = scale_input_name(profile.existed_before_2021)
        # Set once the risk level is decided (None: it waits for an officer).
        self.risk: RiskLevel | None = None

    def check(self, when: When) -> tuple[_Tri, list[str]]:
        """Whether the conditions hold, and which inputs were missing to decide. A condition on
        the risk level that is still open is undecided without a missing input: the citizen
        cannot answer it, an officer does."""
        p = self.profile
        results: list[_Tri] = []
        missing: list[str] = []
        if when.risk is not None:
            results.append(None if self.risk is None else self.risk in when.risk)
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
    if when.risk is not None:
        names = [r.display for r in when.risk]
        listed = ", ".join(names[:-1]) + " atau " + names[-1] if len(names) > 1 else names[0]
        parts.append("tingkat risiko " + listed)
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
        more_bases=permit.more_bases,
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

    "capital" is always included: the scale is part of every answer and is decided by modal
    usaha (PP 7/2021 Pasal 35 ayat (2)).
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

    def use_basis(*more: LegalBasis) -> None:
        for basis in more:
            if basis not in bases:
                bases.append(basis)

    # -- the code and its version
    rules_version = rule_set.meta.kbli_version
    if profile.converted_from is not None:
        explanation.append(
            f"{profile.converted_from.label} dikonversi ke {version_label(profile.kbli_version)} "
            f"{kbli} menurut tabel konversi BPS (KBLI 2020 ke KBLI 2025). NIB yang sudah "
            "terbit tetap berlaku."
        )

    # -- scale
    finding = find_scale(profile.capital, profile.annual_sales, profile.existed_before_2021)
    scale = finding.scale
    scale_field = scale_input_name(profile.existed_before_2021)
    _explain_scale(profile, finding, explanation, officer, missing)
    ctx = _Ctx(profile, scale)

    # -- activity
    is_code = kbli.isdigit() and len(kbli) == 5
    same_version = profile.kbli_version == rules_version
    activity = rule_set.activity_for(kbli) if is_code and same_version else None
    code_label = f"{version_label(profile.kbli_version)} {kbli}"
    if not is_code:
        officer.append(f"'{kbli}' bukan kode KBLI 5 digit.")
        explanation.append(f"Kode '{kbli}' bukan kode KBLI 5 digit; petugas perlu memastikannya.")
    elif not same_version:
        officer.append(
            f"{code_label} belum dikonversi ke {version_label(rules_version)} yang dipakai aturan."
        )
        explanation.append(
            f"{code_label} memakai versi KBLI lain daripada aturan ({version_label(rules_version)})"
            "; kode tidak dibandingkan lintas versi. Petugas akan mengonversinya."
        )
    elif activity is None:
        officer.append(f"{code_label} belum diatur dalam aturan SIKETAN.")
        explanation.append(
            f"{code_label} belum ada dalam aturan SIKETAN, jadi tingkat risikonya tidak ditebak: "
            "petugas akan memeriksanya."
        )
    else:
        explanation.append(f"Kegiatan: {code_label} {activity.title}.")
        if profile.sells_via_platform and activity.platform_kbli:
            explanation.append(
                "Menjual lewat aplikasi atau platform (mis. layanan pesan-antar) tidak mengubah "
                f"kode kegiatan Anda: tetap {code_label}. KBLI {activity.platform_kbli} (jasa "
                "intermediasi) hanya untuk usaha yang menjalankan perantara atau platformnya."
            )

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
        use_basis(*nib.bases())
        verified_all &= nib.verified

    # -- risk level
    risk: RiskLevel | None = None
    risk_rule: RiskRule | None = None
    hints: list[OfficerHint] = []
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
        hints = _officer_hints(ctx, activity.risk_hints)
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
            officer.append(
                f"Tingkat risiko {code_label}{where} menurut PP 28/2025 belum bersumber."
            )
            explanation.append(
                f"Tingkat risiko {code_label}{where} menurut PP 28/2025 belum bisa dikutip dari "
                "sumber resmi yang tercatat, jadi tidak ditebak. Bagian yang bergantung pada "
                "tingkat risiko menunggu pengecekan petugas."
            )
    ctx.risk = risk

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
            use_basis(*permit.more_bases)
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
            use_basis(rule.legal_basis, *permit.more_bases)
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
        item = _item(
            rule.permit,
            permit,
            reason=rule.reason or "Persyaratan dasar perizinan berusaha.",
            basis=rule.legal_basis,
            rule_verified=rule.verified,
            rule_id=rule.id,
            today=day,
            condition=None if holds is True else describe_when(rule.when),
        )
        if holds is True:
            if any(b.code == rule.permit for b in basics):
                continue
            basics.append(item)
            matched.append(rule.id)
            use_basis(rule.legal_basis, *permit.more_bases)
            verified_all &= rule.verified and permit.verified
        elif holds is None:
            missing.extend(need)
            # Open because the risk level waits for an officer (or an answer is missing):
            # listed with its condition, so the citizen knows what depends on what.
            conditional.append(item)
    if basics:
        explanation.append(
            "Persyaratan dasar: " + "; ".join(b.name for b in basics) + " (jika berlaku)."
        )

    if not verified_all:
        explanation.append(
            "Sebagian aturan yang dipakai belum dicek admin terhadap sumber hukumnya; "
            "petugas dapat memastikan."
        )
    secondary = _secondary_statements([*permits, *basics, *conditional])
    if secondary:
        explanation.append(
            "Sebagian jawaban ini bersumber dari sumber sekunder (berita atau halaman instansi "
            "lain), belum dari teks peraturannya: " + "; ".join(secondary) + ". Petugas dapat "
            "memastikan."
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
        kbli_version=profile.kbli_version if is_code else rules_version,
        regulation=rule_set.meta.regulation,
        matched_rules=tuple(matched),
        legal_basis=tuple(bases),
        explanation=tuple(explanation),
        today=day,
        converted_from=profile.converted_from,
        officer_hints=tuple(hints),
        secondary_statements=tuple(secondary),
    )


def _explain_scale(
    profile: BusinessProfile,
    finding: ScaleFinding,
    explanation: list[str],
    officer: list[str],
    missing: list[str],
) -> None:
    """Which figure decided the scale, and why (PP 7/2021 Pasal 35)."""
    if finding.scale is None:
        missing.append("capital")
        if finding.sales_only:
            officer.append("Skala usaha dari hasil penjualan tahunan perlu dipastikan petugas.")
            explanation.append(
                "Skala usaha ditentukan dari modal usaha (tanpa tanah dan bangunan tempat usaha; "
                f"{SCALE_LEGAL_BASIS}), juga di formulir OSS untuk usaha yang sudah berjalan. "
                "Aturan yang memakai hasil penjualan tahunan untuk usaha sejak sebelum 2021 tidak "
                "dapat dikutip dari teks yang terbaca, jadi petugas akan memastikan skalanya; "
                "sebutkan modal usaha Anda agar skala bisa dihitung."
            )
        else:
            explanation.append(
                "Skala usaha belum bisa ditentukan: perlu modal usaha (tidak termasuk tanah dan "
                "bangunan tempat usaha)."
            )
        return
    figure = f"modal usaha {rupiah(profile.capital or 0)} (tanpa tanah dan bangunan)"
    explanation.append(f"Skala usaha: {finding.scale.display} ({figure}; {SCALE_LEGAL_BASIS}).")
    if finding.sales_points_to is not None:
        explanation.append(
            f"Hasil penjualan tahunan {rupiah(profile.annual_sales or 0)} menunjuk "
            f"{finding.sales_points_to.display} ({SALES_LEGAL_BASIS}), tetapi untuk pendaftaran "
            "skala dihitung dari modal usaha, seperti di formulir OSS; yang dipakai adalah "
            f"{finding.scale.display}."
        )


def _officer_hints(ctx: _Ctx, hints: tuple[RiskHint, ...]) -> list[OfficerHint]:
    out: list[OfficerHint] = []
    for hint in hints:
        holds, _need = ctx.check(hint.when)
        if holds is False:
            continue
        out.append(
            OfficerHint(
                rule_id=hint.id,
                risk_level=hint.risk_level,
                kbli_2020=hint.kbli_2020,
                applies=holds,
                condition=describe_when(hint.when),
                note=hint.note,
                legal_basis=hint.legal_basis,
            )
        )
    return out


def _secondary_statements(items: list[PermitItem]) -> list[str]:
    """What in the answer rests on a secondary source, in plain words ("Sertifikat Halal:
    biaya")."""
    out: list[str] = []
    for item in items:
        about = [b.about or "dasar aturannya" for b in (item.legal_basis, *item.more_bases)
                 if b.secondary]  # fmt: skip
        if about:
            line = f"{item.name} ({', '.join(dict.fromkeys(about))})"
            if line not in out:
                out.append(line)
    return out


# ---------------------------------------------------------------------- JSON
def _basis_json(b: LegalBasis) -> dict[str, Any]:
    return {
        "regulation": b.regulation,
        "article": b.article,
        "source": b.source,
        "status": b.status,
        "about": b.about,
    }


def _code_json(code: KbliCode | None) -> dict[str, str] | None:
    return None if code is None else {"kbli": code.code, "kbli_version": code.version}


def _hint_json(h: OfficerHint) -> dict[str, Any]:
    return {
        "rule_id": h.rule_id,
        "risk_level": h.risk_level.value,
        "risk_level_name": h.risk_level.display,
        "kbli_2020": h.kbli_2020,
        "applies": h.applies,
        "condition": h.condition,
        "note": h.note,
        "legal_basis": _basis_json(h.legal_basis),
    }


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
        "more_bases": [_basis_json(b) for b in p.more_bases],
        "secondary": p.secondary,
    }


def decision_to_json(decision: Decision) -> dict[str, Any]:
    """The stable machine-readable shape (documented in permit_rules/README.md)."""
    d = decision
    return {
        "kbli": d.kbli,
        "kbli_version": d.kbli_version,
        "converted_from": _code_json(d.converted_from),
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
        "officer_hints": [_hint_json(h) for h in d.officer_hints],
        "secondary": d.secondary,
        "secondary_statements": list(d.secondary_statements),
        "rule_set_version": d.rule_set_version,
        "regulation": d.regulation,
        "matched_rules": list(d.matched_rules),
        "legal_basis": [_basis_json(b) for b in d.legal_basis],
        "explanation": list(d.explanation),
        "date": d.today.isoformat(),
    }
