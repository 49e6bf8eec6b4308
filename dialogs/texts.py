"""Text catalogs (`texts/id.yaml`, `texts/en.yaml`): every user-facing sentence lives there."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

TEXT_DIR = Path(__file__).resolve().parent / "texts"
LOCALES = ("id", "en")
DEFAULT_LOCALE = "id"


@cache
def _catalog(locale: str) -> dict[str, str]:
    data = yaml.safe_load((TEXT_DIR / f"{locale}.yaml").read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"text catalog {locale}.yaml must be a mapping")
    return {str(k): str(v) for k, v in data.items()}


def text(locale: str, key: str, **values: Any) -> str:
    """The sentence `key` in `locale`, falling back to Indonesian, filled with `values`."""
    catalog = _catalog(locale if locale in LOCALES else DEFAULT_LOCALE)
    template = catalog.get(key) or _catalog(DEFAULT_LOCALE)[key]
    return template.format(**values) if values else template


def keys(locale: str) -> set[str]:
    return set(_catalog(locale))
