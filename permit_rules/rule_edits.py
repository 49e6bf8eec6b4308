"""Adding a risk row to a rule file's YAML text, keeping everything else as it was written.

An officer's confirmation of a risk level becomes a draft rule row for an admin to review, verify
and publish (issue 13 part 3). The draft is the rule set in force plus that one row, so the
admin's diff shows exactly it and every comment (the file's sources) stays.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml

__all__ = ["RuleEditError", "add_activity", "add_risk_rule"]


class RuleEditError(ValueError):
    pass


def _block(value: Any, indent: int) -> list[str]:
    dumped = yaml.safe_dump(
        value, allow_unicode=True, sort_keys=False, default_flow_style=None, width=100
    )
    return [(" " * indent + line) if line else line for line in dumped.rstrip("\n").split("\n")]


def add_risk_rule(text: str, kbli: str, rule: Mapping[str, Any]) -> str:
    """`text` with `rule` appended to the risk rules of the activity whose code is `kbli`."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if not isinstance(root, yaml.MappingNode):
        raise RuleEditError("the rule file is not a mapping")
    activities = next((v for k, v in root.value if k.value == "activities"), None)
    if not isinstance(activities, yaml.SequenceNode):
        raise RuleEditError("the rule file has no activities")
    activity = next(
        (
            item
            for item in activities.value
            if isinstance(item, yaml.MappingNode)
            and any(k.value == "kbli" and v.value == kbli for k, v in item.value)
        ),
        None,
    )
    if activity is None:
        raise RuleEditError(f"no activity with KBLI {kbli}")
    lines = text.split("\n")
    key_column = activity.value[0][0].start_mark.column
    existing = next((v for k, v in activity.value if k.value == "risk_rules"), None)
    if isinstance(existing, yaml.SequenceNode) and existing.value and existing.flow_style is False:
        item_column = existing.value[0].start_mark.column - 2
        insert_at = _end_line(lines, existing)
        new = _block([dict(rule)], item_column)
    elif existing is not None:
        raise RuleEditError(f"the risk rules of KBLI {kbli} are not a block list")
    else:
        insert_at = _end_line(lines, activity)
        new = [" " * key_column + "risk_rules:", *_block([dict(rule)], key_column + 2)]
    result = "\n".join([*lines[:insert_at], *new, *lines[insert_at:]])
    check = yaml.safe_load(result)
    [after] = [a for a in check["activities"] if a.get("kbli") == kbli]
    if after["risk_rules"][-1] != yaml.safe_load(yaml.safe_dump(dict(rule))):
        raise RuleEditError("the risk row did not read back as written")
    return result


def _end_line(lines: list[str], node: yaml.Node) -> int:
    """The line after the node's last non-blank, non-comment line (0-based)."""
    end = node.end_mark.line
    # The mark is where the next token starts; when nothing of the node precedes it on that
    # line, the node ended on an earlier one.
    if end >= len(lines) or not lines[end][: node.end_mark.column].strip(" -"):
        end -= 1
    end = min(end, len(lines) - 1)
    while end > node.start_mark.line and (
        not lines[end].strip() or lines[end].lstrip().startswith("#")
    ):
        end -= 1
    return end + 1


def add_activity(text: str, activity: Mapping[str, Any]) -> str:
    """`text` with a new activity appended at the end of the activities list (an officer
    confirmed the risk of a code the rules did not cover yet)."""
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    activities = (
        next((v for k, v in root.value if k.value == "activities"), None)
        if isinstance(root, yaml.MappingNode)
        else None
    )
    if not isinstance(activities, yaml.SequenceNode) or not activities.value:
        raise RuleEditError("the rule file has no activities to add to")
    lines = text.split("\n")
    column = activities.value[0].start_mark.column - 2
    insert_at = _end_line(lines, activities)
    result = "\n".join([*lines[:insert_at], *_block([dict(activity)], column), *lines[insert_at:]])
    if yaml.safe_load(result)["activities"][-1] != yaml.safe_load(yaml.safe_dump(dict(activity))):
        raise RuleEditError("the activity did not read back as written")
    return result
