"""How the server logs: one format for our notices and the request lines, chatty libraries quiet."""

from __future__ import annotations

import logging

FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"

# Libraries whose INFO lines say nothing an operator needs. fontTools logs some 75 lines
# ("subset.glyphs", "Closed glyph list over ...") for every receipt PDF it subsets.
QUIET = ("fontTools",)


def configure_logging(level: int = logging.INFO) -> None:
    """Set up the root logger once per process (uvicorn workers call it again: a no-op then)."""
    logging.basicConfig(level=level, format=FORMAT)
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
