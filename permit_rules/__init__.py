"""Permit rules: pure core (no web, database or channel imports).

Rules are data (YAML in permit_rules/rules/), every answer is traceable to a rule and its legal
basis, and the answer for a given business is the same every time.
"""

from permit_rules.catalog import (
    DEFAULT_CATALOG_VERSION,
    CatalogError,
    KbliCatalog,
    KbliEntry,
    load_default_catalog,
    parse_catalog_csv,
)
from permit_rules.engine import (
    BusinessProfile,
    Decision,
    PermitItem,
    decision_to_json,
    describe_permit,
    evaluate,
    required_inputs,
)
from permit_rules.model import LegalBasis, RiskLevel, Scale
from permit_rules.ruleset import (
    DEFAULT_RULES_FILE,
    RuleError,
    RuleSet,
    RuleSetError,
    default_rules_text,
    load_default_rule_set,
    load_everyday_words,
    validate_rule_text,
)
from permit_rules.scale import business_scale
from permit_rules.workdays import add_working_days, today_jakarta

__all__ = [
    "DEFAULT_CATALOG_VERSION",
    "DEFAULT_RULES_FILE",
    "BusinessProfile",
    "CatalogError",
    "Decision",
    "KbliCatalog",
    "KbliEntry",
    "LegalBasis",
    "PermitItem",
    "RiskLevel",
    "RuleError",
    "RuleSet",
    "RuleSetError",
    "Scale",
    "add_working_days",
    "business_scale",
    "decision_to_json",
    "default_rules_text",
    "describe_permit",
    "evaluate",
    "load_default_catalog",
    "load_default_rule_set",
    "load_everyday_words",
    "parse_catalog_csv",
    "required_inputs",
    "today_jakarta",
    "validate_rule_text",
]
