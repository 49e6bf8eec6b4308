"""Rule files: the shipped one is valid; a malformed one reports every error with its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from permit_rules import (
    RuleSet,
    RuleSetError,
    load_default_catalog,
    load_default_rule_set,
    load_everyday_words,
    validate_rule_text,
)
from permit_rules.ruleset import DEFAULT_RULES_FILE

DATA = Path(__file__).resolve().parent.parent / "data" / "rules"


def test_shipped_rules_are_valid_and_cover_the_brief() -> None:
    assert validate_rule_text(DEFAULT_RULES_FILE.read_text(encoding="utf-8"), "x") == []
    rs = load_default_rule_set()
    assert len(rs.kbli_codes()) >= 60
    assert rs.missing_from_catalog(load_default_catalog()) == []
    for code in ("56102", "56290", "96200", "47721", "10794", "01210", "55130", "13134"):
        assert rs.activity_for(code) is not None, code


def test_shipped_rules_all_start_unverified_and_cite_a_basis() -> None:
    rs = load_default_rule_set()
    for permit in rs.permits.values():
        assert not permit.verified
    for act in rs.activities:
        for rule in act.risk_rules:
            assert not rule.verified
            assert rule.legal_basis.source and rule.legal_basis.regulation


def test_sourced_risk_rows_match_the_facts_file() -> None:
    rs = load_default_rule_set()
    risky = {
        a.kbli: [r.risk_level.value for r in a.risk_rules] for a in rs.activities if a.risk_rules
    }
    assert risky == {
        "56102": ["rendah"],
        "56290": ["menengah_tinggi"],
        "11052": ["menengah_tinggi"],
        "47191": ["rendah"],
        "47192": ["rendah"],
        "47721": ["tinggi"],
    }


def test_everyday_words() -> None:
    words = load_everyday_words()
    assert "laundry kiloan" in words["96200"]
    assert "konter hp" in words["47414"]
    assert "cilok" in words["56104"]
    assert "warung kopi" in words["56303"]
    assert "olshop" in words["47912"]
    assert "tambal ban" in words["45407"]
    assert all(len(w) >= 1 for w in words.values())
    assert load_default_rule_set().everyday_words() == words


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
