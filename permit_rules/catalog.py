"""KBLI catalog: the classification of business activities that OSS uses (KBLI 2020 shipped).

A catalog is plain data with its version name, so another one (KBLI 2025) can be loaded from a
CSV file without code changes.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

DEFAULT_CATALOG_FILE = Path(__file__).resolve().parent / "data" / "kbli2020.csv"
DEFAULT_CATALOG_VERSION = "KBLI2020"


@dataclass(frozen=True, slots=True)
class KbliEntry:
    code: str
    title: str
    description: str = ""
    section: str = ""


@dataclass(frozen=True)
class KbliCatalog:
    version: str
    entries: Mapping[str, KbliEntry]

    def __contains__(self, code: object) -> bool:
        return code in self.entries

    def __iter__(self) -> Iterator[KbliEntry]:
        return iter(self.entries.values())

    def __len__(self) -> int:
        return len(self.entries)

    def get(self, code: str) -> KbliEntry | None:
        return self.entries.get(code)

    def codes_with_prefix(self, prefix: str) -> list[str]:
        return sorted(c for c in self.entries if c.startswith(prefix))


class CatalogError(ValueError):
    """A catalog file cannot be read; the message names the line."""


def parse_catalog_csv(text: str, version: str) -> KbliCatalog:
    """Read a CSV with at least `code` and `title` columns (`description`, `section` optional)."""
    reader = csv.DictReader(io.StringIO(text))
    fields = set(reader.fieldnames or [])
    if not {"code", "title"} <= fields:
        raise CatalogError("the CSV needs the columns 'code' and 'title' in its first line")
    entries: dict[str, KbliEntry] = {}
    for lineno, row in enumerate(reader, start=2):
        code = (row.get("code") or "").strip()
        title = (row.get("title") or "").strip()
        if not code.isdigit() or len(code) != 5:
            raise CatalogError(f"line {lineno}: code {code!r} is not a 5-digit KBLI code")
        if not title:
            raise CatalogError(f"line {lineno}: code {code} has no title")
        if code in entries:
            raise CatalogError(f"line {lineno}: code {code} appears twice")
        entries[code] = KbliEntry(
            code=code,
            title=title,
            description=(row.get("description") or "").strip(),
            section=(row.get("section") or "").strip(),
        )
    if not entries:
        raise CatalogError("the CSV holds no KBLI codes")
    return KbliCatalog(version=version, entries=entries)


def load_catalog(path: Path, version: str) -> KbliCatalog:
    return parse_catalog_csv(path.read_text(encoding="utf-8-sig"), version)


def load_default_catalog() -> KbliCatalog:
    return load_catalog(DEFAULT_CATALOG_FILE, DEFAULT_CATALOG_VERSION)


def catalog_from_entries(version: str, entries: Iterable[KbliEntry]) -> KbliCatalog:
    return KbliCatalog(version=version, entries={e.code: e for e in entries})
