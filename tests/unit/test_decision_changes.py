"""What counts as a changed decision when the rules change (issue 13 part 4)."""

from __future__ import annotations

from typing import Any

from permit_rules import BusinessProfile, decision_to_json, evaluate, load_default_rule_set
from permit_rules.changes import DecisionChange, compare_decisions, profile_of_application


def permit(code: str, *docs: str) -> dict[str, Any]:
    return {"code": code, "name": code.title(), "documents": list(docs)}


def test_same_decision_is_no_change() -> None:
    rules = load_default_rule_set()
    profile = BusinessProfile(kbli="96100", capital=10**7)
    decision = decision_to_json(evaluate(rules, profile, version=1))
    again = decision_to_json(evaluate(rules, profile, version=2))  # other version, due dates
    assert not compare_decisions(decision, again).changed


def test_risk_permits_and_documents_are_what_changes() -> None:
    before = {"risk_level": None, "permits": [permit("NIB", "KTP"), permit("SLHS", "IKL")]}
    after = {
        "risk_level": "rendah",
        "permits": [permit("NIB", "KTP", "email"), permit("SPP_IRT")],
        "basic_requirements": [permit("KKPR_MANDIRI")],
        "conditional_permits": [permit("IZIN")],  # may apply: not a certain change
    }
    change = compare_decisions(before, after)
    assert change.changed
    assert (change.risk_before, change.risk_after) == (None, "rendah")
    assert [p.code for p in change.added] == ["KKPR_MANDIRI", "SPP_IRT"]
    assert [p.code for p in change.removed] == ["SLHS"]
    assert change.documents_added == (("Nib", "email"),)
    assert change.documents_removed == (("Slhs", "IKL"),)
    assert DecisionChange.from_json(change.to_json()) == change


def test_profile_of_an_application_reads_what_it_stored() -> None:
    profile = profile_of_application(
        "10794",
        "KBLI2025",
        {"capital": 10_000_000, "running": "before_2021", "land_area": "30",
         "conditions": {"product": "packaged_food", "seats": None}},
    )  # fmt: skip
    assert profile.capital == 10_000_000 and profile.existed_before_2021
    assert profile.land_area_m2 == 30.0 and dict(profile.conditions) == {"product": "packaged_food"}
