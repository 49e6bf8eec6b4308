"""An officer's determination becomes a draft rule row: the rule file's text gains exactly that
row and keeps every comment (its sources)."""

from __future__ import annotations

import difflib

import pytest

from permit_rules import RuleSet
from permit_rules.rule_edits import RuleEditError, add_activity, add_risk_rule
from permit_rules.ruleset import default_rules_text

RULE = {
    "id": "96100-mikro-petugas-7",
    "when": {"scale": ["mikro"]},
    "risk_level": "rendah",
    "legal_basis": {"regulation": "PP 28/2025", "article": "Lampiran I",
                    "source": "OSS, dicek 2 Des 2026", "status": "verified"},
}  # fmt: skip


def added_lines(before: str, after: str) -> list[str]:
    diff = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
    return [line for line in diff if line.startswith("+") and not line.startswith("+++")]


def test_a_row_under_an_activity_without_risk_rules() -> None:
    text = default_rules_text()
    edited = add_risk_rule(text, "96100", RULE)
    [rule] = RuleSet.from_yaml(edited).activity_for("96100").risk_rules  # type: ignore[union-attr]
    assert rule.id == "96100-mikro-petugas-7"
    assert added_lines(text, edited)[0] == "+    risk_rules:"
    assert len(edited.splitlines()) - len(text.splitlines()) == len(added_lines(text, edited))
    assert edited.count("#") == text.count("#")


def test_a_second_row_follows_the_first_and_hints_stay() -> None:
    once = add_risk_rule(default_rules_text(), "56101", RULE)
    twice = add_risk_rule(once, "56101", {**RULE, "id": "second", "when": {"scale": ["kecil"]}})
    activity = RuleSet.from_yaml(twice).activity_for("56101")
    assert activity is not None
    assert [r.id for r in activity.risk_rules] == ["96100-mikro-petugas-7", "second"]
    assert len(activity.risk_hints) == 1


def test_a_new_activity_for_a_code_the_rules_did_not_cover() -> None:
    text = default_rules_text()
    edited = add_activity(
        text, {"kbli": "01111", "title": "Pertanian Jagung", "risk_rules": [RULE]}
    )
    rules = RuleSet.from_yaml(edited)
    assert rules.activity_for("01111") is not None and len(rules.activities) == 92


def test_unknown_code() -> None:
    with pytest.raises(RuleEditError):
        add_risk_rule(default_rules_text(), "99999", RULE)
