"""Each correction of the starter rules to PP 28/2025 (issue 13 part 2), with its expected output.

The facts and articles are those of ../shared/data/law_updates_2026.yaml. Where a correction
depends on the risk level, the shipped rules cannot show it (no PP 28/2025 annex row could be
cited, so every risk level waits for an officer); those cases add one risk rule the way an
officer's published confirmation would.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import yaml

from permit_rules import (
    BusinessProfile,
    Decision,
    PermitItem,
    RiskLevel,
    RuleSet,
    evaluate,
    load_default_rule_set,
)
from permit_rules.ruleset import default_rules_text

TODAY = date(2026, 12, 2)


def with_risk(kbli: str, level: str, scale: list[str]) -> RuleSet:
    """The shipped rules plus one risk row for `kbli` (as an officer's confirmation adds it)."""
    data: dict[str, Any] = yaml.safe_load(default_rules_text())
    [activity] = [a for a in data["activities"] if a["kbli"] == kbli]
    activity["risk_rules"] = [
        {
            "id": f"{kbli}-confirmed",
            "when": {"scale": scale},
            "risk_level": level,
            "legal_basis": {
                "regulation": "PP 28/2025",
                "article": "Lampiran I",
                "source": "OSS, dicek petugas 2 Des 2026",
                "status": "verified",
            },
        }
    ]
    return RuleSet.from_yaml(yaml.safe_dump(data, allow_unicode=True), "confirmed.yaml")


def decide(rules: RuleSet, kbli: str, capital: int, **extra: Any) -> Decision:
    return evaluate(
        rules, BusinessProfile(kbli=kbli, capital=capital, **extra), version=1, today=TODAY
    )


def codes(items: tuple[PermitItem, ...]) -> list[str]:
    return [p.code for p in items]


MIKRO, KECIL = 50_000_000, 2_000_000_000


# ---------------------------------------------------------------------- KKPR (Pasal 32)
def test_kkpr_self_declaration_only_for_micro_at_rendah() -> None:
    rendah = with_risk("56101", "rendah", ["mikro", "kecil"])
    micro = decide(rendah, "56101", MIKRO)
    small = decide(rendah, "56101", KECIL)
    assert "KKPR_MANDIRI" in codes(micro.basic_requirements)
    assert "KKPR" not in codes(micro.basic_requirements)
    # a small business at Rendah is UMK but not micro: no self-declaration
    assert "KKPR" in codes(small.basic_requirements)
    assert "KKPR_MANDIRI" not in codes(small.basic_requirements)
    [kkpr] = [p for p in small.basic_requirements if p.code == "KKPR"]
    assert kkpr.legal_basis.article == "Pasal 32" and kkpr.legal_basis.status == "verified"


def test_kkpr_for_micro_above_rendah_is_not_a_self_declaration() -> None:
    decision = decide(with_risk("56101", "menengah_rendah", ["mikro"]), "56101", MIKRO)
    assert "KKPR" in codes(decision.basic_requirements)
    assert "KKPR_MANDIRI" not in codes(decision.basic_requirements)


def test_kkpr_waits_with_the_risk_level_and_says_on_what_it_depends() -> None:
    decision = decide(load_default_rule_set(), "56101", MIKRO)
    conditional = {p.code: p.condition for p in decision.conditional_permits}
    assert conditional["KKPR_MANDIRI"] == "tingkat risiko Rendah, skala mikro"
    assert "Menengah Rendah" in (conditional["KKPR"] or "")
    assert "capital" not in decision.missing_inputs  # nothing the citizen could answer


# ---------------------------------------------------------------------- environment
def test_environment_document_by_activity_and_nib_is_the_sppl_at_rendah() -> None:
    micro = decide(with_risk("96100", "rendah", ["mikro", "kecil"]), "96100", MIKRO)
    [sppl] = [p for p in micro.basic_requirements if p.code == "SPPL"]
    assert "tercakup dalam NIB" in sppl.name and sppl.documents == ()
    assert "Pasal 220 ayat (2)" in (sppl.legal_basis.article or "")
    assert "PERSETUJUAN_LINGKUNGAN" not in codes(micro.basic_requirements)


@pytest.mark.parametrize("capital", [MIKRO, KECIL])
def test_environment_above_rendah_is_decided_by_activity_not_scale(capital: int) -> None:
    rules = with_risk("96100", "menengah_tinggi", ["mikro", "kecil"])
    decision = decide(rules, "96100", capital)
    [env] = [p for p in decision.basic_requirements if p.code == "PERSETUJUAN_LINGKUNGAN"]
    assert "bukan oleh skala usaha" in (env.note or "")
    assert env.legal_basis.article == "Pasal 78 ayat (3) huruf c, Pasal 101 ayat (2)"
    assert "SPPL" not in codes(decision.basic_requirements)  # no scale-based SPPL any more


# ---------------------------------------------------------------------- PBG/SLF
def test_pbg_slf_through_oss_free_consultation_local_fee_and_pasal_13() -> None:
    decision = decide(load_default_rule_set(), "14120", MIKRO)
    [pbg] = [p for p in decision.basic_requirements if p.code == "PBG_SLF"]
    assert pbg.where == "OSS"
    assert pbg.fee is not None and "konsultasi teknis gratis" in pbg.fee
    assert "retribusi daerah" in pbg.fee
    article = pbg.legal_basis.article or ""
    for part in ("Pasal 110 ayat (1)", "Pasal 109 ayat (2)", "Pasal 118 s.d. 120"):
        assert part in load_default_rule_set().permits["PBG_SLF"].legal_basis.article  # type: ignore[operator]
    assert "Pasal 10 ayat (1) huruf b" in article
    assert any(b.article == "Pasal 13" for b in pbg.more_bases)
    assert "Pasal 13" in (pbg.note or "")


# ---------------------------------------------------------------------- PB UMKU via OSS
@pytest.mark.parametrize("code", ["SLHS", "LABEL_HSP", "SPP_IRT", "SLHS_ATAU_LABEL_HSP"])
def test_pb_umku_applied_for_through_oss_and_inspected_by_the_agency(code: str) -> None:
    permit = load_default_rule_set().permits[code]
    assert permit.where == "OSS"
    assert permit.legal_basis.article == "Pasal 4 ayat (4)"
    assert permit.legal_basis.status == "verified"


def test_health_standards_under_permenkes_11_2025_are_said_to_be_secondary() -> None:
    decision = decide(load_default_rule_set(), "56290", MIKRO)  # catering: SLHS
    [slhs] = [p for p in decision.permits if p.code == "SLHS"]
    [standard] = [b for b in slhs.more_bases if b.regulation == "Permenkes 11/2025"]
    assert standard.status == "secondary" and standard.about == "standar kesehatan usaha"
    assert any("standar kesehatan usaha" in s for s in decision.secondary_statements)
    assert any("sumber sekunder" in line for line in decision.explanation)


def test_depot_air_minum_gets_its_hygiene_certificate() -> None:
    decision = decide(load_default_rule_set(), "11052", MIKRO)
    [slhs] = [p for p in decision.permits if p.code == "SLHS"]
    assert slhs.rule_id == "slhs-depot-air"
    assert "Permenkes 43/2014" in slhs.legal_basis.regulation


# ---------------------------------------------------------------------- halal
def test_halal_under_pp_42_2024_with_the_2025_self_declare_criteria() -> None:
    decision = decide(load_default_rule_set(), "56101", MIKRO)
    [halal] = [p for p in decision.permits if p.code == "SERTIFIKAT_HALAL"]
    permit = load_default_rule_set().permits["SERTIFIKAT_HALAL"]
    assert permit.legal_basis.regulation.startswith("PP 42/2024")
    assert not any(b.regulation.startswith("PP 39/2021") for b in permit.bases())
    note = halal.note or ""
    assert "Rp15 miliar" in note and "warung makan" in note
    assert "17 Oktober 2026" in note and "petugas memastikan" in note
    assert any(b.regulation == "Kepkaban BPJPH 146/2025" and b.secondary for b in halal.more_bases)


# ---------------------------------------------------------------------- NIB gratis
def test_nib_free_is_cited_to_its_real_secondary_source() -> None:
    nib = load_default_rule_set().permits["NIB"]
    assert nib.fee == "gratis"
    [free] = [b for b in nib.more_bases if b.about and "gratis" in b.about]
    assert "Kompas" in free.regulation and free.status == "secondary"
    assert "gratis" not in (nib.legal_basis.about or "")  # PP 28/2025 is not cited for it


# ---------------------------------------------------------------------- PP 5/2021 rows
def test_pp5_levels_are_officer_hints_and_the_citizen_hears_pp_28() -> None:
    decision = decide(load_default_rule_set(), "11052", MIKRO)  # depot: PP 5/2021 said MT
    assert decision.risk_level is None and decision.needs_officer
    assert [h.risk_level for h in decision.officer_hints] == [RiskLevel.MENENGAH_TINGGI]
    assert "menurut PP 28/2025" in decision.officer_reasons[0]
    assert "SS_TERVERIFIKASI" not in codes(decision.permits)


# ---------------------------------------------------------------------- scale
def test_scale_by_capital_and_a_sales_figure_that_points_elsewhere_is_explained() -> None:
    decision = decide(load_default_rule_set(), "56101", MIKRO, annual_sales=3_000_000_000)
    assert decision.scale is not None and decision.scale.value == "mikro"
    assert decision.scale_basis == "capital"
    [line] = [x for x in decision.explanation if "Hasil penjualan tahunan" in x]
    assert "Usaha Kecil" in line and "dihitung dari modal usaha" in line


def test_sales_only_from_before_2021_is_an_officer_check() -> None:
    decision = evaluate(
        load_default_rule_set(),
        BusinessProfile(kbli="96100", annual_sales=10**9, existed_before_2021=True),
        version=1,
        today=TODAY,
    )
    assert decision.scale is None and decision.needs_officer
    assert any("hasil penjualan tahunan" in r for r in decision.officer_reasons)


# ---------------------------------------------------------------------- secondary, in words
def test_a_secondary_source_is_said_in_plain_words() -> None:
    decision = decide(load_default_rule_set(), "56101", MIKRO)
    assert decision.secondary
    [halal] = [p for p in decision.permits if p.code == "SERTIFIKAT_HALAL"]
    assert halal.secondary and "(sumber sekunder)" in halal.legal_basis.cite()
    line = next(x for x in decision.explanation if x.startswith("Sebagian jawaban ini"))
    assert "belum dari teks peraturannya" in line and "Sertifikat Halal" in line
