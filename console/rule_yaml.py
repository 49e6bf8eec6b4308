"""Edits to a rule file's YAML text that keep everything else as the admin wrote it.

The form-based editor changes a few values at a time; rewriting the whole file from parsed data
would drop every comment (the rule file's comments explain sources). So a value is replaced in
place by its text span, a new mapping key is inserted next to its siblings and a new list item is
appended after the last one. When an edit cannot be made in place, or its result does not read
back as intended, the file is dumped again from data (comments are lost only then).

`set_values` applies a whole form at once: values equal to what the file holds are left alone
(so the diff and the audit show only what the admin changed), the rest are spliced into the
text from one parse of it, and the result is read back once to check it.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from datetime import date
from typing import Any

import yaml

from permit_rules.ruleset import parse_rule_yaml

Loc = tuple[str | int, ...]
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class EditError(ValueError):
    pass


def parse_path(path: str) -> Loc:
    """`activities[3].risk_rules[0].when` -> ("activities", 3, "risk_rules", 0, "when")."""
    out: list[str | int] = []
    for part in path.split("."):
        name, _, rest = part.partition("[")
        if name:
            out.append(name)
        while rest:
            index, _, rest = rest.partition("]")
            if not index.isdigit():
                raise EditError(f"bad path {path!r}")
            out.append(int(index))
            rest = rest.removeprefix("[")
    if not out:
        raise EditError("empty path")
    return tuple(out)


def format_path(loc: Sequence[str | int]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _inline(value: Any) -> str:
    """The value as YAML on one line: a string plain (or quoted where YAML needs it), anything
    else as JSON, which is valid YAML flow syntax."""
    value = _plain(value)
    if isinstance(value, str):
        dumped = yaml.safe_dump(value, allow_unicode=True, width=1_000_000)
        one_line = dumped.removesuffix("\n...\n").removesuffix("\n")
        if "\n" not in one_line:
            return one_line
    return json.dumps(value, ensure_ascii=False)


def _load(text: str) -> Any:
    """A fresh copy of the data (safe to change), unlike `parse_rule_yaml`'s shared one."""
    return yaml.load(text, Loader=_LOADER)  # noqa: S506 - a safe loader (libyaml's or PyYAML's)


def _find(root: yaml.Node, loc: Loc) -> yaml.Node | None:
    node: yaml.Node | None = root
    for part in loc:
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            node = next((v for k, v in node.value if str(k.value) == part), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            node = node.value[part] if 0 <= part < len(node.value) else None
        else:
            return None
        if node is None:
            return None
    return node


def _is_block(node: yaml.Node) -> bool:
    return isinstance(node, yaml.CollectionNode) and not node.flow_style


def _content_end(text: str, node: yaml.Node) -> int:
    """Where the node's own text ends (block collections' marks run on over later comments)."""
    if isinstance(node, yaml.MappingNode) and _is_block(node) and node.value:
        return _content_end(text, node.value[-1][1])
    if isinstance(node, yaml.SequenceNode) and _is_block(node) and node.value:
        return _content_end(text, node.value[-1])
    if isinstance(node, yaml.ScalarNode) and node.style in ("|", ">"):
        # A block scalar's span runs over its line breaks and blank lines: keep those outside.
        start, end = node.start_mark.index, node.end_mark.index
        return start + len(text[start:end].rstrip())
    return int(node.end_mark.index)


def _get(data: Any, loc: Loc) -> Any:
    for part in loc:
        data = data[part]
    return data


def _set_data(data: Any, loc: Loc, value: Any) -> None:
    parent = _get(data, loc[:-1])
    key = loc[-1]
    if isinstance(parent, list) and isinstance(key, int) and key == len(parent):
        parent.append(value)
    else:
        parent[key] = value


def set_value(text: str, loc: Loc, value: Any) -> str:
    """The text with the value at `loc` set (a new mapping key or list item is added)."""
    value = _plain(value)
    try:
        edited = _edit(text, loc, value)
        if _get(parse_rule_yaml(edited)[1], loc) == _reload(value):
            return edited
    except (yaml.YAMLError, EditError, KeyError, IndexError, TypeError):
        pass
    data = _load(text)
    try:
        _set_data(data, loc, value)
    except (KeyError, IndexError, TypeError):
        raise EditError(f"{format_path(loc)} does not exist") from None
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def _reload(value: Any) -> Any:
    # What the value reads back as from YAML, written as `_inline` writes it.
    return _plain(yaml.load(_inline(value), Loader=_LOADER))  # noqa: S506 - a safe loader


def _current(data: Any, loc: Loc) -> Any:
    try:
        return _plain(_get(data, loc))
    except (KeyError, IndexError, TypeError):
        return None


def set_values(text: str, changes: Sequence[tuple[Loc, Any]]) -> tuple[str, list[Loc]]:
    """The text with every change applied, and the locations whose value really changed.

    A value equal to the one in the file (an absent key counts as None) is not written."""
    root, data = parse_rule_yaml(text)
    flat = [item for loc, v in changes for item in _flatten(root, loc, _plain(v))]
    real = [(loc, v) for loc, v in flat if _current(data, loc) != _reload(v)]
    if not real:
        return text, []
    in_place = [(loc, v) for loc, v in real if _replaceable(root, loc)]
    edited = _checked_splice(text, root, in_place)
    rest = [c for c in real if c not in in_place]
    if edited is None:  # the splice did not read back as intended: one at a time instead
        edited, rest = text, real
    for loc, value in rest:  # new keys and items, one at a time, each checked
        edited = set_value(edited, loc, value)
    return edited, [loc for loc, _ in real]


def _checked_splice(
    text: str, root: yaml.Node | None, changes: list[tuple[Loc, Any]]
) -> str | None:
    """`_splice`, read back once: None unless every value reads back as intended."""
    if not changes:
        return text
    edited = _splice(text, root, changes)
    if edited is None:
        return None
    try:
        new_data = parse_rule_yaml(edited)[1]
    except yaml.YAMLError:
        return None
    ok = all(_current(new_data, loc) == _reload(v) for loc, v in changes)
    return edited if ok else None


def _replaceable(root: yaml.Node | None, loc: Loc) -> bool:
    node = _find(root, loc) if root is not None else None
    return node is not None and not _is_block(node)


def _flatten(root: yaml.Node | None, loc: Loc, value: Any) -> list[tuple[Loc, Any]]:
    """A mapping written over a block mapping in the file is one change per key (as `_edit`
    does it), so that unchanged keys stay as they are."""
    node = _find(root, loc) if root is not None else None
    if isinstance(value, dict) and isinstance(node, yaml.MappingNode) and _is_block(node):
        return [item for k, v in value.items() for item in _flatten(root, (*loc, k), v)]
    return [(loc, value)]


def _splice(text: str, root: yaml.Node | None, changes: list[tuple[Loc, Any]]) -> str | None:
    """Replace existing scalar or flow values in place, all from one parse of the text; None
    when two of them overlap."""
    spans = []
    for loc, value in changes:
        node = _find(root, loc) if root is not None else None
        if node is None:
            return None
        spans.append((node.start_mark.index, _content_end(text, node), _inline(value)))
    spans.sort()
    if any(a[1] > b[0] for a, b in itertools.pairwise(spans)):
        return None
    for start, end, new in reversed(spans):
        text = text[:start] + new + text[end:]
    return text


def _value_start(text: str, root: yaml.Node, loc: Loc, node: yaml.Node) -> int:
    """Where a value written over `node` starts. A block collection under a mapping key is
    replaced from just after the key's colon: a flow value on the next line at the key's own
    indentation would not be YAML."""
    parent = _find(root, loc[:-1])
    if _is_block(node) and isinstance(parent, yaml.MappingNode):
        key = next(k for k, v in parent.value if v is node)
        return text.index(":", key.end_mark.index) + 1
    return int(node.start_mark.index)


def _edit(text: str, loc: Loc, value: Any) -> str:
    root = parse_rule_yaml(text)[0]
    if root is None:
        raise EditError("empty document")
    node = _find(root, loc)
    if node is not None:
        if isinstance(value, dict) and isinstance(node, yaml.MappingNode) and _is_block(node):
            for key, item in value.items():
                text = _edit(text, (*loc, key), item)
            return text
        start, end = _value_start(text, root, loc, node), _content_end(text, node)
        space = " " if text[start - 1] == ":" else ""
        return text[:start] + space + _inline(value) + text[end:]
    parent = _find(root, loc[:-1])
    key = loc[-1]
    if isinstance(parent, yaml.MappingNode) and isinstance(key, str) and _is_block(parent):
        first_key, first_value = parent.value[0]
        pos = _content_end(text, first_value)
        column = first_key.start_mark.column
        line = " " * column + f"{key}: {_inline(value)}"
        return str(text[:pos] + "\n" + line + text[pos:])
    if (
        isinstance(parent, yaml.SequenceNode)
        and _is_block(parent)
        and isinstance(key, int)
        and key == len(parent.value)
        and parent.value
    ):
        last = parent.value[-1]
        pos = _content_end(text, last)
        dash = max(0, last.start_mark.column - 2)
        block = yaml.safe_dump(value, allow_unicode=True, sort_keys=False, width=100).rstrip()
        lines = block.splitlines()
        item = " " * dash + "- " + lines[0]
        item += "".join("\n" + " " * (dash + 2) + rest for rest in lines[1:])
        return str(text[:pos] + "\n" + item + text[pos:])
    if parent is not None:
        current = _get(_load(text), loc[:-1])
        _set_data(current, (key,), value)
        start, end = parent.start_mark.index, _content_end(text, parent)
        return text[:start] + _inline(current) + text[end:]
    raise EditError(f"{format_path(loc)} does not exist")


def value_at(text: str, loc: Loc) -> Any:
    """The value at `loc` (None when absent). Shared with other readers: do not change it."""
    try:
        return _get(parse_rule_yaml(text)[1], loc)
    except (KeyError, IndexError, TypeError):
        return None
