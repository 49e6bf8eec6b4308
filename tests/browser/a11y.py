"""Automated accessibility scan for browser tests: axe-core (vendored) over the current page.

Every console page a browser test visits is scanned; a violation fails the test with the rule,
its impact and the offending elements. Other browser tests (web chat) can use it the same way.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
# Checked so that a changed file is noticed (vendor/README.md records where it came from).
AXE_SHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"
# WCAG 2.1 A and AA plus axe's best practices (labels, landmarks, headings).
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


def _axe_source() -> str:
    data = AXE.read_bytes()
    assert hashlib.sha256(data).hexdigest() == AXE_SHA256, f"{AXE} differs from vendor/README.md"
    return data.decode("utf-8")


def violations(page: Page, *, exclude: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """axe's violations on the page as it is now (rules in TAGS)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=_axe_source())
    context: dict[str, Any] = {"include": [["html"]]}
    if exclude:
        context["exclude"] = [[s] for s in exclude]
    result = page.evaluate(
        "([context, tags]) => axe.run(context, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})",
        [context, TAGS],
    )
    return list(result["violations"])


def describe(found: list[dict[str, Any]]) -> str:
    lines = []
    for v in found:
        lines.append(f"{v['id']} ({v.get('impact')}): {v['help']}")
        for node in v["nodes"][:5]:
            lines.append(f"    {' '.join(node['target'])}: {node.get('failureSummary', '')[:300]}")
    return "\n".join(lines)


def assert_accessible(page: Page, *, exclude: tuple[str, ...] = ()) -> None:
    """Fail with every axe violation on the current page."""
    found = violations(page, exclude=exclude)
    assert not found, f"accessibility violations on {page.url}:\n{describe(found)}"
