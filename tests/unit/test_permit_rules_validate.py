"""Rule files: the shipped one is valid; a malformed one reports every error with its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from permit_rules import (
    INTERMEDIATION_CODES,
    RuleSet,
    RuleSetError,
    load_default_catalog,
    load_default_correspondence,
    load_default_rule_set,
    load_everyday_words,
    validate_rule_text,
)
from permit_rules.ruleset import DEFAULT_RULES_FILE

DATA = Path(__file__).resolve().parent.parent / "data" / "rules"
ONLINE_RETAIL = {"47911", "47912", "47913", "47919"}


def test_shipped_rules_are_valid_and_keyed_to_kbli_2025() -> None:
    assert validate_rule_text(DEFAULT_RULES_FILE.read_text(encoding="utf-8"), "x") == []
    rs = load_default_rule_set()
    assert rs.meta.kbli_version == "KBLI2025" and rs.meta.regulation == "PP 28/2025"
    assert len(rs.kbli_codes()) >= 80
    catalog = load_default_catalog()
    assert catalog.version == "KBLI2025"
    assert rs.missing_from_catalog(catalog) == []
    for act in rs.activities:  # each title is the catalog's title (as people read it)
        entry = catalog.get(act.kbli or "")
        assert entry is not None and act.title == entry.display_title, act.key
    for code in ("56101", "56102", "56290", "96100", "47721", "10794", "01210", "55201", "13133"):
        assert rs.activity_for(code) is not None, code


def test_every_starter_activity_is_re_keyed_to_each_code_a_micro_business_uses() -> None:
    """Every KBLI 2020 code of the old starter set reaches a rule through the BPS table; the
    exceptions are edges no micro business uses (documented here) and the platform codes."""
    rs = load_default_rule_set()
    table = load_default_correspondence()
    # tissue paper, water plants, baby food and plant milks are not what these businesses make
    not_for_micro = {("14111", "17091"), ("03221", "03223"), ("10799", "10791"), ("10799", "10795")}
    old_starter = (DATA / "starter_kbli2020.txt").read_text(encoding="utf-8").split()
    uncovered = []
    for old in old_starter:
        for edge in table.targets(old):
            if edge.new in INTERMEDIATION_CODES or (old, edge.new) in not_for_micro:
                continue
            if old in ONLINE_RETAIL:  # online retail is classed by product in KBLI 2025
                continue
            if rs.activity_for(edge.new) is None:
                uncovered.append((old, edge.new))
    assert uncovered == []
    assert all(rs.activity_for(c) is None for c in INTERMEDIATION_CODES)


def test_shipped_rules_all_start_unverified_and_cite_a_basis_with_its_status() -> None:
    rs = load_default_rule_set()
    for permit in rs.permits.values():
        assert not permit.verified
        for basis in permit.bases():
            assert basis.status in ("verified", "secondary"), permit.name
    rules = [*rs.basic_requirements, *(r for g in rs.support_groups.values() for r in g)]
    for act in rs.activities:
        assert act.risk_rules == ()  # no PP 28/2025 annex row could be cited
        rules += [*act.supporting_permits, *act.risk_hints]
    for rule in rules:
        assert not rule.verified
        assert rule.legal_basis.source and rule.legal_basis.regulation
        assert rule.legal_basis.status in ("verified", "secondary"), rule.id
        if rule.legal_basis.regulation.startswith("PP 28/2025"):
            assert rule.legal_basis.article, rule.id  # law_updates_2026.yaml names one for each


def test_old_risk_rows_are_officer_hints_matching_the_facts_file() -> None:
    rs = load_default_rule_set()
    hints = {
        a.kbli: [(h.kbli_2020, h.risk_level.value) for h in a.risk_hints]
        for a in rs.activities
        if a.risk_hints
    }
    assert hints == {
        "56101": [("56102", "rendah")],
        "56290": [("56290", "menengah_tinggi")],
        "11052": [("11052", "menengah_tinggi")],
        "47191": [("47191", "rendah")],
        "47192": [("47192", "rendah")],
        "47721": [("47721", "tinggi")],
    }
    for act in rs.activities:
        for hint in act.risk_hints:
            assert hint.legal_basis.regulation.startswith("PP 5/2021")
            assert hint.legal_basis.status == "secondary"


def test_everyday_words_are_keyed_to_kbli_2025() -> None:
    words = load_everyday_words()
    assert "warung makan" in words["56101"] and "warteg" in words["56101"]
    assert "warung makan" not in words["56102"]  # 56102 is a non-permanent building now
    assert "warung tenda" in words["56102"] and "cilok" in words["56102"]
    assert "laundry kiloan" in words["96100"]
    assert "konter hp" in words["47404"]
    assert "warung kopi" in words["56303"]
    assert "tambal ban" in words["95320"] and "cuci motor" in words["95320"]
    assert "penjahit" in words["14120"]
    assert all(len(w) >= 1 for w in words.values())
    assert load_default_rule_set().everyday_words() == words


def test_a_risk_rule_cannot_depend_on_the_risk_level() -> None:
    text = (DATA / "sample.yaml").read_text(encoding="utf-8")
    broken = text.replace("{id: r-mr, when: {scale: [kecil]}", "{id: r-mr, when: {risk: [rendah]}")
    [error] = validate_rule_text(broken, "s.yaml")
    assert error.path == "activities[0].risk_rules[1].when.risk" and error.line == 25


def test_malformed_file_reports_every_error_with_its_line() -> None:
    text = (DATA / "malformed.yaml").read_text(encoding="utf-8")
    errors = validate_rule_text(text, "malformed.yaml")
    got = {(e.line, e.path) for e in errors}
    assert got == {
        (10, "permits.NIB.where"),
        (13, "activities[0].kbli"),
        (17, "activities[0].risk_rules[0].risk_level"),
        (23, "activities[1].risk_rules[0].when.scale[0]"),
        (25, "activities[1].risk_rules[0].legal_basis.regulation"),
    }
    assert all(e.file == "malformed.yaml" for e in errors)
    assert str(errors[0]).startswith("malformed.yaml:10: permits.NIB.where: ")
    with pytest.raises(RuleSetError) as info:
        RuleSet.from_yaml(text, "malformed.yaml")
    assert len(info.value.errors) == 5


def test_cross_reference_errors_have_lines() -> None:
    text = (DATA / "sample.yaml").read_text(encoding="utf-8")
    broken = text.replace("permit: SLHS", "permit: SLHX").replace(
        "support: [resto]", "support: [x]"
    )
    broken = broken.replace("id: r-mr", "id: r-rendah")
    errors = validate_rule_text(broken, "s.yaml")
    messages = {(e.path, e.message.split(" ")[0]) for e in errors}
    assert ("support_groups.resto[0].permit", "unknown") in messages
    assert ("activities[0].support[0]", "unknown") in messages
    assert ("activities[0].risk_rules[1].id", "rule") in messages
    assert all(e.line is not None for e in errors)


def test_yaml_syntax_error_and_duplicate_keys() -> None:
    [err] = validate_rule_text("meta: [unclosed\n", "bad.yaml")
    assert err.line is not None and "YAML" in err.message
    text = (
        (DATA / "sample.yaml")
        .read_text(encoding="utf-8")
        .replace('  regulation: "TEST"\n', '  regulation: "TEST"\n  regulation: "AGAIN"\n', 1)
    )
    errors = validate_rule_text(text, "dup.yaml")
    assert any(e.line == 6 and "twice" in e.message for e in errors)


def test_not_a_mapping() -> None:
    [err] = validate_rule_text("- a\n- b\n", "list.yaml")
    assert err.line == 1
