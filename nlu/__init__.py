"""SIKETAN natural-language understanding (pure core: no web, database or channel imports).

`parse(text)` returns the shape of Rasa's `POST /model/parse` plus KBLI candidates and language.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from pathlib import Path

from nlu.engine import DEFAULT_MODEL_PATH, NluEngine, load_rules_everyday_words
from nlu.entities import check_nik
from nlu.kbli import KbliMatcher
from nlu.types import Entity, IntentScore, KbliCandidate, ParseResult

__all__ = [
    "DEFAULT_MODEL_PATH",
    "Entity",
    "IntentScore",
    "KbliCandidate",
    "KbliMatcher",
    "NluEngine",
    "ParseResult",
    "build_default_engine",
    "check_nik",
    "load_rules_everyday_words",
    "parse",
]

_lock = threading.Lock()
_default: NluEngine | None = None


def build_default_engine(
    model_path: Path | None = None,
    everyday_words: Mapping[str, Sequence[str]] | None = None,
) -> NluEngine:
    """Load the trained artifact when present, otherwise train in memory (about 1-2 s)."""
    path = Path(model_path) if model_path is not None else DEFAULT_MODEL_PATH
    if path.is_file():
        try:
            return NluEngine.load(path, everyday_words=everyday_words)
        except Exception:  # a stale or foreign artifact: train instead of failing
            import logging

            logging.getLogger(__name__).exception("cannot load %s; training in memory", path)
    return NluEngine.train(everyday_words=everyday_words)


def default_engine() -> NluEngine:
    global _default
    if _default is None:
        with _lock:
            if _default is None:
                _default = build_default_engine()
    return _default


def parse(text: str) -> ParseResult:
    """Parse one message with the lazily built default engine. Never raises."""
    return default_engine().parse(text)
