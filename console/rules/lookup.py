"""Finding things in a rule set: activities by code or words, and which rules can be marked
as checked against their legal source."""

from __future__ import annotations

import re

from permit_rules import RuleSet
from permit_rules.model import Activity

# Rules that carry verified_by / verified_on.
VERIFIABLE = re.compile(
    r"^(permits\.[A-Z][A-Z0-9_]*"
    r"|basic_requirements\[\d+\]"
    r"|support_groups\.[a-z0-9_]+\[\d+\]"
    r"|activities\[\d+\]\.(risk_rules|supporting_permits)\[\d+\])$"
)


def search_activities(rule_set: RuleSet, query: str) -> list[tuple[int, Activity]]:
    """Activities whose code starts with the query, or whose title/words contain all its words."""
    q = " ".join(query.lower().split())
    if not q:
        return list(enumerate(rule_set.activities))
    if q.isdigit():
        return [
            (i, a)
            for i, a in enumerate(rule_set.activities)
            if (a.kbli or a.kbli_prefix or "").startswith(q)
            or (a.kbli_prefix and q.startswith(a.kbli_prefix))
        ]
    words = q.split()
    found = []
    for i, a in enumerate(rule_set.activities):
        hay = " ".join([a.title.lower(), *a.everyday_words])
        if all(word in hay for word in words):
            found.append((i, a))
    return found


def activity_index(rule_set: RuleSet, key: str) -> int | None:
    return next((i for i, a in enumerate(rule_set.activities) if a.key == key), None)
