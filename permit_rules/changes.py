"""What changed between two decisions for the same business (issue 13 part 4).

When a rule version is published (or rolled back), every open application is judged again; the
officer sees the old and the new decision side by side and the citizen hears what changed and
what to do, but only where the decision changed: the risk level, the permits and basic
requirements, or the documents they ask for. Decisions are compared as their stored JSON
(`decision_to_json`), because that is what the application was judged by.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from permit_rules.catalog import KbliCode
from permit_rules.engine import BusinessProfile

__all__ = ["DecisionChange", "PermitLine", "compare_decisions", "profile_of_application"]


@dataclass(frozen=True, slots=True)
class PermitLine:
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class DecisionChange:
    risk_before: str | None
    risk_after: str | None
    added: tuple[PermitLine, ...] = ()
    removed: tuple[PermitLine, ...] = ()
    # (permit name, document) newly asked for / no longer asked for
    documents_added: tuple[tuple[str, str], ...] = ()
    documents_removed: tuple[tuple[str, str], ...] = ()

    @property
    def changed(self) -> bool:
        return (
            self.risk_before != self.risk_after
            or bool(self.added or self.removed)
            or bool(self.documents_added or self.documents_removed)
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "risk_before": self.risk_before,
            "risk_after": self.risk_after,
            "added": [[p.code, p.name] for p in self.added],
            "removed": [[p.code, p.name] for p in self.removed],
            "documents_added": [list(d) for d in self.documents_added],
            "documents_removed": [list(d) for d in self.documents_removed],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DecisionChange:
        return cls(
            risk_before=data.get("risk_before"),
            risk_after=data.get("risk_after"),
            added=tuple(PermitLine(str(c), str(n)) for c, n in data.get("added") or ()),
            removed=tuple(PermitLine(str(c), str(n)) for c, n in data.get("removed") or ()),
            documents_added=tuple((str(p), str(d)) for p, d in data.get("documents_added") or ()),
            documents_removed=tuple(
                (str(p), str(d)) for p, d in data.get("documents_removed") or ()
            ),
        )


def _required(decision: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """Permits and basic requirements that apply for certain (conditional ones do not)."""
    items: Iterable[Any] = [
        *(decision.get("permits") or ()),
        *(decision.get("basic_requirements") or ()),
    ]
    return {str(p.get("code")): p for p in items if isinstance(p, Mapping) and p.get("code")}


def _documents(items: Mapping[str, Mapping[str, Any]]) -> set[tuple[str, str]]:
    return {
        (str(p.get("name") or code), str(doc))
        for code, p in items.items()
        for doc in p.get("documents") or ()
    }


def compare_decisions(before: Mapping[str, Any], after: Mapping[str, Any]) -> DecisionChange:
    old, new = _required(before), _required(after)
    docs_old, docs_new = _documents(old), _documents(new)

    def lines(
        codes: Iterable[str], source: Mapping[str, Mapping[str, Any]]
    ) -> tuple[PermitLine, ...]:
        return tuple(PermitLine(c, str(source[c].get("name") or c)) for c in sorted(codes))

    return DecisionChange(
        risk_before=before.get("risk_level"),
        risk_after=after.get("risk_level"),
        added=lines(new.keys() - old.keys(), new),
        removed=lines(old.keys() - new.keys(), old),
        documents_added=tuple(sorted(docs_new - docs_old)),
        documents_removed=tuple(sorted(docs_old - docs_new)),
    )


def _number(value: Any) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def profile_of_application(
    kbli: str,
    kbli_version: str,
    business: Mapping[str, Any],
    converted_from: KbliCode | None = None,
) -> BusinessProfile:
    """The business profile an application was judged by, from what it stored."""
    capital, sales = _number(business.get("capital")), _number(business.get("annual_sales"))
    land, workers = _number(business.get("land_area")), _number(business.get("workers"))
    conditions = business.get("conditions") or {}
    return BusinessProfile(
        kbli=kbli,
        kbli_version=kbli_version,
        converted_from=converted_from,
        capital=int(capital) if capital is not None else None,
        annual_sales=int(sales) if sales is not None else None,
        existed_before_2021=business.get("running") == "before_2021",
        land_area_m2=land,
        workers=int(workers) if workers is not None else None,
        conditions={
            str(k): str(v) for k, v in dict(conditions).items() if v not in (None, "", "none")
        },
    )
