"""A whole rule set, read from YAML with every error reported by file, line and field path."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import Field, ValidationError

from permit_rules.catalog import KbliCatalog
from permit_rules.model import (
    OUTCOME_PERMIT_CODES,
    Activity,
    Meta,
    Permit,
    PermitRule,
    _Strict,
)

DEFAULT_RULES_FILE = Path(__file__).resolve().parent / "rules" / "probolinggo.yaml"

Loc = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class RuleError:
    """One problem in a rule file: where it is and what is wrong."""

    file: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {self.path or '(file)'}: {self.message}"


class RuleSetError(ValueError):
    """A rule file is not valid; `errors` lists every problem found."""

    def __init__(self, errors: list[RuleError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


class RuleSet(_Strict):
    meta: Meta
    permits: dict[str, Permit]
    basic_requirements: tuple[PermitRule, ...] = ()
    support_groups: dict[str, tuple[PermitRule, ...]] = Field(default_factory=dict)
    activities: tuple[Activity, ...]

    # ------------------------------------------------------------------ reading
    @classmethod
    def from_yaml(cls, text: str, source_name: str = "<rules>") -> RuleSet:
        """Parse and check a rule file; raise RuleSetError listing every problem."""
        rule_set, errors = _parse(text, source_name)
        if errors or rule_set is None:
            raise RuleSetError(errors)
        return rule_set

    # ------------------------------------------------------------------ lookups
    def activity_for(self, kbli: str) -> Activity | None:
        """The activity for a code: an exact code first, else the longest matching prefix."""
        exact = [a for a in self.activities if a.kbli == kbli]
        if exact:
            return exact[0]
        prefixed = [a for a in self.activities if a.kbli_prefix and kbli.startswith(a.kbli_prefix)]
        if not prefixed:
            return None
        return max(prefixed, key=lambda a: len(a.kbli_prefix or ""))

    def everyday_words(self) -> dict[str, list[str]]:
        """KBLI code (or `prefix*`) -> the everyday words people use for that activity."""
        return {a.key: list(a.everyday_words) for a in self.activities}

    def kbli_codes(self) -> list[str]:
        return sorted(a.kbli for a in self.activities if a.kbli is not None)

    def missing_from_catalog(self, catalog: KbliCatalog) -> list[str]:
        """Activities whose code (or prefix) has no entry in the catalog."""
        missing: list[str] = []
        for a in self.activities:
            if a.kbli is not None and a.kbli not in catalog:
                missing.append(a.kbli)
            elif a.kbli_prefix is not None and not catalog.codes_with_prefix(a.kbli_prefix):
                missing.append(a.key)
        return missing

    def all_rule_ids(self) -> list[str]:
        ids = [r.id for r in self.basic_requirements]
        ids += [r.id for group in self.support_groups.values() for r in group]
        for a in self.activities:
            ids += [r.id for r in a.supporting_permits]
            ids += [r.id for r in a.risk_rules]
            ids += [r.id for r in a.risk_hints]
        return ids


def validate_rule_text(text: str, filename: str = "<rules>") -> list[RuleError]:
    """Every problem in a rule file (empty when it is valid), each with file and line."""
    return _parse(text, filename)[1]


@lru_cache(maxsize=1)
def _default_text() -> str:
    return DEFAULT_RULES_FILE.read_text(encoding="utf-8")


def default_rules_text() -> str:
    """The YAML text of the rule set shipped in the repository."""
    return _default_text()


@lru_cache(maxsize=1)
def load_default_rule_set() -> RuleSet:
    return RuleSet.from_yaml(_default_text(), str(DEFAULT_RULES_FILE.name))


def load_everyday_words() -> dict[str, list[str]]:
    """KBLI code -> everyday words, from the default rule set (for the NLU)."""
    return load_default_rule_set().everyday_words()


# ---------------------------------------------------------------------- internals
class _Lines:
    """Line numbers (1-based) of every node in a composed YAML document, by path."""

    def __init__(self) -> None:
        self.lines: dict[Loc, int] = {}
        self.duplicates: list[tuple[Loc, int]] = []

    def walk(self, node: yaml.Node, loc: Loc) -> None:
        self.lines.setdefault(loc, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key_node, value_node in node.value:
                key = str(key_node.value)
                child = (*loc, key)
                if key in seen:
                    self.duplicates.append((child, key_node.start_mark.line + 1))
                seen.add(key)
                self.lines[child] = key_node.start_mark.line + 1
                self.walk(value_node, child)
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                self.walk(item, (*loc, i))

    def line_for(self, loc: Loc) -> int | None:
        probe = tuple(loc)
        while probe:
            if probe in self.lines:
                return self.lines[probe]
            probe = probe[:-1]
        return self.lines.get((), None)


def _path(loc: Iterable[str | int]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


# libyaml when PyYAML was built with it: the pure-Python parser took seconds per read of a
# 300-activity rule file, and the rules editor reads one on every page and save.
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@lru_cache(maxsize=3)
def parse_rule_yaml(text: str) -> tuple[yaml.Node | None, Any]:
    """The YAML node tree (for line numbers and text spans) and the data of a rule file.

    One parse gives both, and the last few texts are remembered: an editor page, the save
    that follows and the page after it read the same text. Callers must not change either.
    Raises yaml.YAMLError.
    """
    loader = _LOADER(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    return node, data


def _parse(text: str, filename: str) -> tuple[RuleSet | None, list[RuleError]]:
    try:
        node, data = parse_rule_yaml(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        return None, [RuleError(filename, line, "", f"YAML syntax: {exc.problem or exc}")]
    except yaml.YAMLError as exc:
        return None, [RuleError(filename, None, "", f"YAML: {exc}")]
    if node is None or not isinstance(data, dict):
        return None, [RuleError(filename, 1, "", "the file must hold a mapping (meta, permits...)")]

    lines = _Lines()
    lines.walk(node, ())
    errors = [
        RuleError(filename, line, _path(loc), "key appears twice in the same mapping")
        for loc, line in lines.duplicates
    ]

    def err(loc: Loc, message: str) -> None:
        errors.append(RuleError(filename, lines.line_for(loc), _path(loc), message))

    try:
        rule_set = RuleSet.model_validate(data)
    except ValidationError as exc:
        for e in exc.errors():
            loc = tuple(p for p in e["loc"] if isinstance(p, str | int))
            err(loc, e["msg"])
        return None, _sorted(errors)

    _cross_check(rule_set, err)
    return (None if errors else rule_set), _sorted(errors)


def _sorted(errors: list[RuleError]) -> list[RuleError]:
    return sorted(errors, key=lambda e: (e.line or 0, e.path, e.message))


def _cross_check(rs: RuleSet, err: Any) -> None:
    permits = rs.permits
    for code in permits:
        if not code.replace("_", "").isalnum() or code.upper() != code:
            err(("permits", code), f"permit code {code!r} must be UPPER_SNAKE_CASE")
    for code in OUTCOME_PERMIT_CODES:
        if code not in permits:
            err(("permits",), f"the permit catalog must define {code} (used by risk outcomes)")

    seen_ids: dict[str, Loc] = {}

    def check_rule(rule: PermitRule, loc: Loc) -> None:
        if rule.permit not in permits:
            err((*loc, "permit"), f"unknown permit {rule.permit!r} (not in permits)")
        check_id(rule.id, loc)

    def check_id(rule_id: str, loc: Loc) -> None:
        if rule_id in seen_ids:
            first = _path(seen_ids[rule_id])
            err((*loc, "id"), f"rule id {rule_id!r} is used twice (first at {first})")
        else:
            seen_ids[rule_id] = loc

    for i, rule in enumerate(rs.basic_requirements):
        loc: Loc = ("basic_requirements", i)
        check_rule(rule, loc)
        permit = permits.get(rule.permit)
        if permit is not None and permit.kind != "persyaratan_dasar":
            err((*loc, "permit"), f"{rule.permit} is not a basic requirement (kind)")
    for name, group in rs.support_groups.items():
        for i, rule in enumerate(group):
            check_rule(rule, ("support_groups", name, i))

    keys: dict[str, int] = {}
    word_owner: dict[str, str] = {}
    for ai, act in enumerate(rs.activities):
        aloc: Loc = ("activities", ai)
        if act.key in keys:
            first_at = keys[act.key]
            msg = f"activity {act.key} is defined twice (first: activities[{first_at}])"
            err((*aloc, "kbli"), msg)
        else:
            keys[act.key] = ai
        for gi, group_name in enumerate(act.support):
            if group_name not in rs.support_groups:
                err((*aloc, "support", gi), f"unknown support group {group_name!r}")
        for ri, rule in enumerate(act.supporting_permits):
            check_rule(rule, (*aloc, "supporting_permits", ri))
        for ri, risk in enumerate(act.risk_rules):
            rloc: Loc = (*aloc, "risk_rules", ri)
            check_id(risk.id, rloc)
            if risk.when.risk is not None:
                err((*rloc, "when", "risk"), "a risk rule cannot depend on the risk level")
            for pi, code in enumerate(risk.extra_permits):
                if code not in permits:
                    err((*rloc, "extra_permits", pi), f"unknown permit {code!r}")
        for hi, hint in enumerate(act.risk_hints):
            hloc: Loc = (*aloc, "risk_hints", hi)
            check_id(hint.id, hloc)
            if hint.when.risk is not None:
                err((*hloc, "when", "risk"), "a risk hint cannot depend on the risk level")
        for wi, word in enumerate(act.everyday_words):
            norm = " ".join(word.lower().split())
            if not norm or norm != word:
                err((*aloc, "everyday_words", wi), f"write {word!r} lower-case, single-spaced")
            owner = word_owner.get(norm)
            if owner is not None and owner != act.key:
                err((*aloc, "everyday_words", wi), f"{word!r} is already a word for {owner}")
            word_owner.setdefault(norm, act.key)
