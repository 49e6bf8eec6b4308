"""The engine: every risk outcome, unknown KBLI, missing inputs, determinism and totality."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from permit_rules import (
    BusinessProfile,
    KbliCode,
    RiskLevel,
    RuleSet,
    Scale,
    decision_to_json,
    evaluate,
    load_default_rule_set,
    required_inputs,
)

DATA = Path(__file__).resolve().parent.parent / "data" / "rules"
TODAY = date(2025, 12, 24)


@pytest.fixture(scope="module")
def sample() -> RuleSet:
    return RuleSet.from_yaml((DATA / "sample.yaml").read_text(encoding="utf-8"), "sample.yaml")


@pytest.mark.parametrize(
    ("capital", "level", "codes", "rule"),
    [
        (1_000_000_000, RiskLevel.RENDAH, ["NIB"], "r-rendah"),
        (1_000_000_001, RiskLevel.MENENGAH_RENDAH, ["NIB", "SS_MANDIRI"], "r-mr"),
        (10_000_000_000, RiskLevel.MENENGAH_TINGGI, ["NIB", "SS_TERVERIFIKASI"], "r-mt"),
        (10_000_000_001, RiskLevel.TINGGI, ["NIB", "IZIN"], "r-t"),
    ],
)
def test_each_risk_outcome(
    sample: RuleSet, capital: int, level: RiskLevel, codes: list[str], rule: str
) -> None:
    d = evaluate(sample, BusinessProfile(kbli="56101", capital=capital), version=7, today=TODAY)
    assert d.risk_level is level
    assert [p.code for p in d.permits] == codes
    assert d.matched_rules[0] == rule
    assert not d.needs_officer
    assert d.rule_set_version == 7
    assert any(rule in line for line in d.explanation)
    # r-t is the only unverified rule in the sample
    assert d.unverified is (rule == "r-t")


def test_due_dates_use_working_days(sample: RuleSet) -> None:
    d = evaluate(sample, BusinessProfile(kbli="56101", capital=10**10 + 1), version=1, today=TODAY)
    izin = next(p for p in d.permits if p.code == "IZIN")
    assert izin.due_working_days == 7
    # 24 Dec 2025 + 7 working days, skipping Christmas and two weekends
    assert izin.due_date == date(2026, 1, 6)


def test_land_area_condition(sample: RuleSet) -> None:
    small = evaluate(sample, BusinessProfile(kbli="01210", land_area_m2=250000), version=1)
    big = evaluate(sample, BusinessProfile(kbli="01210", land_area_m2=300000), version=1)
    none = evaluate(sample, BusinessProfile(kbli="01210"), version=1)
    assert small.risk_level is RiskLevel.RENDAH
    assert big.risk_level is RiskLevel.MENENGAH_TINGGI
    assert none.risk_level is None and "land_area_m2" in none.missing_inputs
    assert required_inputs(sample, "01210") == ["capital", "land_area_m2"]


def test_numeric_condition_for_supporting_permit(sample: RuleSet) -> None:
    many = evaluate(
        sample, BusinessProfile(kbli="56101", capital=1, conditions={"seats": "40"}), version=1
    )
    few = evaluate(
        sample, BusinessProfile(kbli="56101", capital=1, conditions={"seats": "4"}), version=1
    )
    unknown = evaluate(sample, BusinessProfile(kbli="56101", capital=1), version=1)
    assert "SLHS" in [p.code for p in many.permits]
    assert "SLHS" not in [p.code for p in few.permits]
    assert [p.code for p in unknown.conditional_permits] == ["SLHS"]
    assert "conditions.seats" in unknown.missing_inputs


def test_conflicting_rules_need_an_officer(sample: RuleSet) -> None:
    d = evaluate(
        sample,
        BusinessProfile(kbli="10794", capital=1, conditions={"product": "packaged_food"}),
        version=1,
    )
    assert d.risk_level is None and d.needs_officer


def test_missing_scale_input_leaves_risk_open(sample: RuleSet) -> None:
    d = evaluate(sample, BusinessProfile(kbli="56101"), version=1)
    assert d.scale is None and d.risk_level is None
    assert d.missing_inputs[0] == "capital"
    # a business from before 2021 is classed by its capital too (PP 7/2021 Pasal 35 ayat 2)
    e = evaluate(sample, BusinessProfile(kbli="56101", existed_before_2021=True), version=1)
    assert e.missing_inputs[0] == "capital"


def test_prefix_activity(sample: RuleSet) -> None:
    d = evaluate(sample, BusinessProfile(kbli="47912", capital=1), version=1)
    assert d.activity == "4791*"
    assert d.needs_officer and d.risk_level is None  # no risk rule -> never guessed


@pytest.mark.parametrize("kbli", ["99999", "", "abc", "5610", "561020", " 12345 "])
def test_unknown_kbli_needs_officer(kbli: str) -> None:
    d = evaluate(load_default_rule_set(), BusinessProfile(kbli=kbli, capital=1), version=1)
    assert d.needs_officer
    assert d.risk_level is None
    assert [p.code for p in d.permits] == ["NIB"]  # what IS sourced is still given
    assert d.officer_reasons


def test_default_rules_warung_makan_waits_for_an_officer_with_the_old_level_as_a_hint() -> None:
    # KBLI 2025 56101 (ex KBLI 2020 56102 Rumah/Warung Makan): the only risk row anyone could
    # cite is PP 5/2021's, which PP 28/2025 Pasal 547 leaves to applications already in process.
    d = evaluate(
        load_default_rule_set(),
        BusinessProfile(kbli="56101", capital=50_000_000, land_area_m2=40),
        version=1,
        today=TODAY,
    )
    assert d.scale is Scale.MIKRO
    assert d.risk_level is None and d.outcome is None and d.needs_officer
    assert {"NIB", "SLHS_ATAU_LABEL_HSP", "SERTIFIKAT_HALAL"} <= {p.code for p in d.permits}
    [hint] = d.officer_hints
    assert hint.risk_level is RiskLevel.RENDAH and hint.kbli_2020 == "56102" and hint.applies
    assert "PP 5/2021" in hint.legal_basis.regulation
    # the old level is not the citizen's answer
    assert not any(b.regulation.startswith("PP 5/2021") for b in d.legal_basis)
    assert any("menurut PP 28/2025" in line for line in d.explanation)
    assert d.unverified  # nothing has been checked by an admin yet


def test_default_rules_hint_only_for_the_scale_it_was_seen_for() -> None:
    d = evaluate(
        load_default_rule_set(), BusinessProfile(kbli="56101", capital=2 * 10**9), version=1
    )
    assert d.scale is Scale.KECIL
    assert d.risk_level is None and d.needs_officer and d.officer_hints == ()
    assert {"NIB", "SLHS_ATAU_LABEL_HSP"} <= {p.code for p in d.permits}


def test_default_rules_home_food_gets_spp_irt() -> None:
    rs = load_default_rule_set()
    profile = BusinessProfile(kbli="10794", capital=10**7, conditions={"product": "packaged_food"})
    d = evaluate(rs, profile, version=1)
    assert "SPP_IRT" in {p.code for p in d.permits}
    assert d.needs_officer and d.risk_level is None
    assert required_inputs(rs, "10794") == ["capital", "conditions.product"]
    assert required_inputs(rs, "99999") == ["capital"]


def test_default_rules_other_old_levels_are_hints() -> None:
    rs = load_default_rule_set()
    apotek = evaluate(rs, BusinessProfile(kbli="47721", capital=10**8), version=1)
    catering = evaluate(rs, BusinessProfile(kbli="56290", capital=10**8), version=1)
    assert apotek.risk_level is None and "IZIN" not in {p.code for p in apotek.permits}
    assert [h.risk_level for h in apotek.officer_hints] == [RiskLevel.TINGGI]
    assert catering.risk_level is None
    assert [h.risk_level for h in catering.officer_hints] == [RiskLevel.MENENGAH_TINGGI]
    assert "SLHS" in {p.code for p in catering.permits}


def test_a_code_of_another_version_is_never_compared() -> None:
    # KBLI 2020 56102 (warung) must not be read as KBLI 2025 56102 (non-permanent building).
    d = evaluate(
        load_default_rule_set(),
        BusinessProfile(kbli="56102", kbli_version="KBLI2020", capital=1),
        version=1,
    )
    assert d.activity is None and d.kbli_title is None and d.needs_officer
    assert d.kbli_version == "KBLI2020"
    assert "belum dikonversi" in d.officer_reasons[0]


def test_converted_code_is_said() -> None:
    d = evaluate(
        load_default_rule_set(),
        BusinessProfile(kbli="56101", converted_from=KbliCode("KBLI2020", "56102"), capital=1),
        version=1,
    )
    assert d.kbli == "56101" and d.kbli_version == "KBLI2025"
    assert d.converted_from == KbliCode("KBLI2020", "56102")
    assert "KBLI 2020 56102 dikonversi ke KBLI 2025 56101" in d.explanation[0]
    assert "NIB yang sudah terbit tetap berlaku" in d.explanation[0]
    j = decision_to_json(d)
    assert j["converted_from"] == {"kbli": "56102", "kbli_version": "KBLI2020"}


def test_platform_seller_hears_about_the_intermediation_code_only_then() -> None:
    rs = load_default_rule_set()
    plain = evaluate(rs, BusinessProfile(kbli="56101", capital=1), version=1)
    via_app = evaluate(
        rs, BusinessProfile(kbli="56101", capital=1, sells_via_platform=True), version=1
    )
    assert not any("56400" in line for line in plain.explanation)
    [line] = [x for x in via_app.explanation if "56400" in x]
    assert "tetap KBLI 2025 56101" in line


def test_json_shape() -> None:
    d = evaluate(
        load_default_rule_set(), BusinessProfile(kbli="56101", capital=1), version=3, today=TODAY
    )
    j = decision_to_json(d)
    for key in (
        "kbli", "kbli_version", "converted_from", "scale", "risk_level", "permits",
        "needs_officer", "unverified", "rule_set_version", "legal_basis", "explanation",
        "basic_requirements", "officer_hints", "secondary", "secondary_statements",
    ):  # fmt: skip
        assert key in j
    assert j["kbli_version"] == "KBLI2025" and j["converted_from"] is None
    assert j["scale"] == "mikro" and j["risk_level"] is None and j["rule_set_version"] == 3
    assert j["officer_hints"][0]["risk_level"] == "rendah"
    for p in j["permits"]:
        assert {"code", "name", "issuer", "documents", "due_working_days", "fee", "where"} <= set(p)
        assert {"regulation", "article", "source", "status", "about"} == set(p["legal_basis"])


# ---------------------------------------------------------------------- properties
RULE_SETS = [load_default_rule_set()]
KBLIS = st.one_of(
    st.sampled_from([*RULE_SETS[0].kbli_codes(), "56101", "01210", "10794", "47919"]),
    st.from_regex(r"\d{5}", fullmatch=True),
    st.text(max_size=8),
)
MONEY = st.one_of(st.none(), st.integers(min_value=0, max_value=10**14))
PROFILES = st.builds(
    BusinessProfile,
    kbli=KBLIS,
    kbli_version=st.sampled_from(["KBLI2025", "KBLI2020"]),
    sells_via_platform=st.booleans(),
    capital=MONEY,
    annual_sales=MONEY,
    existed_before_2021=st.booleans(),
    land_area_m2=st.one_of(st.none(), st.floats(min_value=0, max_value=1e9)),
    workers=st.one_of(st.none(), st.integers(min_value=0, max_value=10**6)),
    conditions=st.dictionaries(
        st.sampled_from(["product", "seats", "x"]),
        st.one_of(st.sampled_from(["packaged_food", "12", "nan", "inf", ""]), st.text(max_size=5)),
        max_size=3,
    ),
)
DATES = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(profile=PROFILES, today=DATES, which=st.booleans())
def test_evaluation_never_raises_and_is_deterministic(
    profile: BusinessProfile, today: date, which: bool
) -> None:
    sample = RuleSet.from_yaml((DATA / "sample.yaml").read_text(encoding="utf-8"), "s")
    rs = RULE_SETS[0] if which else sample
    first = evaluate(rs, profile, version=5, today=today)
    second = evaluate(rs, profile.model_copy(), version=5, today=today)
    assert first == second
    assert decision_to_json(first) == decision_to_json(second)
    assert first.permits and first.permits[0].code == "NIB"
    if first.risk_level is None:
        assert first.outcome is None
    if first.needs_officer:
        assert first.risk_level is None
