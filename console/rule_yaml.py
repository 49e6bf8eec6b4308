"""Edits to a rule file's YAML text that keep everything else as the admin wrote it.

The form-based editor changes a few values at a time; rewriting the whole file from parsed data
would drop every comment (the rule file's comments explain sources). So a value is replaced in
place by its text span, a new mapping key is inserted next to its siblings and a new list item is
appended after the last one. When an edit cannot be made in place, or its result does not read
back as intended, the file is dumped again from data (comments are lost only then).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import Any

import yaml

Loc = tuple[str | int, ...]


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
    # JSON is valid YAML flow syntax: strings come out double-quoted and escaped.
    return json.dumps(_plain(value), ensure_ascii=False)


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


def _content_end(node: yaml.Node) -> int:
    """Where the node's own text ends (block collections' marks run on over later comments)."""
    if isinstance(node, yaml.MappingNode) and _is_block(node) and node.value:
        return _content_end(node.value[-1][1])
    if isinstance(node, yaml.SequenceNode) and _is_block(node) and node.value:
        return _content_end(node.value[-1])
    if isinstance(node, yaml.ScalarNode) and node.style in ("|", ">"):
        # A block scalar's span runs over its line breaks and blank lines: keep those outside.
        start, end = node.start_mark.index, node.end_mark.index
        return start + len(str(node.end_mark.buffer)[start:end].rstrip())
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
        if _get(yaml.safe_load(edited), loc) == _plain(_reload(value)):
            return edited
    except (yaml.YAMLError, EditError, KeyError, IndexError, TypeError):
        pass
    data = yaml.safe_load(text)
    try:
        _set_data(data, loc, value)
    except (KeyError, IndexError, TypeError):
        raise EditError(f"{format_path(loc)} does not exist") from None
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def _reload(value: Any) -> Any:
    # What the value reads back as from YAML (dates in strings stay strings in JSON form).
    return yaml.safe_load(_inline(value))


def _edit(text: str, loc: Loc, value: Any) -> str:
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if root is None:
        raise EditError("empty document")
    node = _find(root, loc)
    if node is not None:
        if isinstance(value, dict) and isinstance(node, yaml.MappingNode) and _is_block(node):
            for key, item in value.items():
                text = _edit(text, (*loc, key), item)
            return text
        start, end = node.start_mark.index, _content_end(node)
        return text[:start] + _inline(value) + text[end:]
    parent = _find(root, loc[:-1])
    key = loc[-1]
    if isinstance(parent, yaml.MappingNode) and isinstance(key, str) and _is_block(parent):
        first_key, first_value = parent.value[0]
        pos = _content_end(first_value)
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
        pos = _content_end(last)
        dash = max(0, last.start_mark.column - 2)
        block = yaml.safe_dump(value, allow_unicode=True, sort_keys=False, width=100).rstrip()
        lines = block.splitlines()
        item = " " * dash + "- " + lines[0]
        item += "".join("\n" + " " * (dash + 2) + rest for rest in lines[1:])
        return str(text[:pos] + "\n" + item + text[pos:])
    if parent is not None:
        current = _get(yaml.safe_load(text), loc[:-1])
        _set_data(current, (key,), value)
        start, end = parent.start_mark.index, _content_end(parent)
        return text[:start] + _inline(current) + text[end:]
    raise EditError(f"{format_path(loc)} does not exist")


def value_at(text: str, loc: Loc) -> Any:
    try:
        return _get(yaml.safe_load(text), loc)
    except (KeyError, IndexError, TypeError):
        return None
