"""Text fitting shared by the channel adapters: platforms cap message and button lengths."""

from __future__ import annotations

from collections.abc import Callable

# Where a long message may be cut, best first: paragraph, line, sentence, clause, word.
BREAKS = ("\n\n", "\n", ". ", "! ", "? ", "; ", ", ", " ")


def split_text(text: str, limit: int, measure: Callable[[str], int] = len) -> list[str]:
    """Split `text` into parts of at most `limit` (as `measure` counts), at the best break.

    A break is only used if it leaves at least a third of the limit in the part, so no tiny
    part is sent; without one the text is cut hard. Empty text gives no parts.
    """
    parts: list[str] = []
    rest = text.strip()
    while measure(rest) > limit:
        window = rest[:limit]
        while measure(window) > limit:
            window = window[: len(window) - (measure(window) - limit)]
        cut = 0
        for sep in BREAKS:
            at = window.rfind(sep)
            if at >= len(window) // 3:
                cut = at + len(sep)
                break
        if cut <= 0:
            cut = len(window)
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        parts.append(rest)
    return parts


def shorten(text: str, limit: int) -> str:
    """Fit `text` in `limit` characters, cutting at a word where sensible, with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,.;:-") + "…"
