"""How rule-file text is shown: a diff between versions, and the lines around each error."""

from __future__ import annotations

import difflib


def _kind(line: str) -> str:
    if line.startswith(("---", "+++", "@@")):
        return "meta"
    if line.startswith("+"):
        return "add"
    if line.startswith("-"):
        return "del"
    return "same"


def diff_lines(old: str, new: str, old_name: str, new_name: str) -> list[tuple[str, str]]:
    lines = difflib.unified_diff(
        old.splitlines(), new.splitlines(), old_name, new_name, n=2, lineterm=""
    )
    return [(_kind(line), line) for line in lines]


def numbered_lines(
    text: str, by_line: dict[int, list[str]]
) -> list[tuple[int | None, str, list[str]]]:
    """The lines around each error, numbered, with the errors under their line."""
    if not by_line:
        return []
    lines = text.splitlines()
    near = {n for line in by_line for n in range(max(1, line - 3), line + 4)}
    out: list[tuple[int | None, str, list[str]]] = []
    for n in sorted(k for k in near if k <= max(len(lines), 1)):
        if out and out[-1][0] is not None and out[-1][0] != n - 1:
            out.append((None, "", []))
        out.append((n, lines[n - 1] if n <= len(lines) else "", by_line.get(n, [])))
    return out
