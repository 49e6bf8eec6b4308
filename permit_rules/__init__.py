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

__all__ = [
    "DEFAULT_CATALOG_VERSION",
    "DEFAULT_RULES_FILE",
    "CatalogError",
    "KbliCatalog",
    "KbliEntry",
    "LegalBasis",
    "RiskLevel",
    "RuleError",
    "RuleSet",
    "RuleSetError",
    "Scale",
    "default_rules_text",
    "load_default_catalog",
    "load_default_rule_set",
    "load_everyday_words",
    "parse_catalog_csv",
    "validate_rule_text",
]
