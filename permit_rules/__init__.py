"""Permit rules: pure core (no web, database or channel imports).

Rules are data (YAML in permit_rules/rules/), every answer is traceable to a rule and its legal
basis, and the answer for a given business is the same every time.
"""

from permit_rules.catalog import (
    DEFAULT_CATALOG_VERSION,
    IN_FORCE_VERSION,
    KBLI2020,
    KBLI2025,
    CatalogError,
    CodeInputError,
    KbliCatalog,
    KbliCode,
    KbliEntry,
    load_default_catalog,
    load_previous_catalog,
    parse_catalog_csv,
    parse_code_input,
    version_label,
)
from permit_rules.correspondence import (
    INTERMEDIATION_CODES,
    CodeLookup,
    Correspondence,
    CorrespondenceError,
    KbliCatalogs,
    load_default_catalogs,
    load_default_correspondence,
    lookup_code,
    parse_correspondence_csv,
)
from permit_rules.engine import (
    BusinessProfile,
    Decision,
    OfficerHint,
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
    "INTERMEDIATION_CODES",
    "IN_FORCE_VERSION",
    "KBLI2020",
    "KBLI2025",
    "BusinessProfile",
    "CatalogError",
    "CodeInputError",
    "CodeLookup",
    "Correspondence",
    "CorrespondenceError",
    "Decision",
    "KbliCatalog",
    "KbliCatalogs",
    "KbliCode",
    "KbliEntry",
    "LegalBasis",
    "OfficerHint",
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
    "load_default_catalogs",
    "load_default_correspondence",
    "load_default_rule_set",
    "load_everyday_words",
    "load_previous_catalog",
    "lookup_code",
    "parse_catalog_csv",
    "parse_code_input",
    "parse_correspondence_csv",
    "required_inputs",
    "today_jakarta",
    "validate_rule_text",
    "version_label",
]
