"""KBLI catalogs: the classification of business activities that OSS uses.

KBLI 2025 (Peraturan BPS 7/2025) is the catalog in force; OSS has used it since mid-2026. KBLI 2020
stays loaded only to convert old codes (from an old NIB, an old application). The same five
digits can mean different activities in the two versions (KBLI 2020 56102 "Rumah/Warung Makan" is
KBLI 2025 56101; KBLI 2025 56102 is food from a non-permanent building), so a code never travels
without its version: `KbliCode`.

`data/kbli2025.csv` is shipped exactly as extracted (its licence asks that it not be edited);
our own corrections live in `data/kbli2025_corrections.csv` and are applied when it is loaded.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Literal

DATA_DIR = Path(__file__).resolve().parent / "data"

KBLI2020 = "KBLI2020"
KBLI2025 = "KBLI2025"
IN_FORCE_VERSION = KBLI2025
PREVIOUS_VERSION = KBLI2020
# What a person may type before a code ("2020:56102", "KBLI 2025 56101").
VERSION_BY_YEAR = {"2020": KBLI2020, "2025": KBLI2025}

CATALOG_FILES = {KBLI2025: DATA_DIR / "kbli2025.csv", KBLI2020: DATA_DIR / "kbli2020.csv"}
CORRECTIONS_FILE = DATA_DIR / "kbli2025_corrections.csv"

# Kept for callers that name "the catalog" without a version: it is the one in force.
DEFAULT_CATALOG_VERSION = IN_FORCE_VERSION
DEFAULT_CATALOG_FILE = CATALOG_FILES[IN_FORCE_VERSION]


def version_label(version: str) -> str:
    """'KBLI2025' -> 'KBLI 2025' (how people write it)."""
    match = re.fullmatch(r"KBLI(\d{4})", version)
    return f"KBLI {match.group(1)}" if match else version


@dataclass(frozen=True, slots=True)
class KbliCode:
    """A five-digit code and the KBLI version it belongs to."""

    version: str
    code: str

    @property
    def label(self) -> str:
        return f"{version_label(self.version)} {self.code}"

    def __str__(self) -> str:
        return self.label


_SMALL_WORDS = frozenset(
    [
        "dan",
        "di",
        "ke",
        "dari",
        "untuk",
        "yang",
        "atau",
        "serta",
        "dengan",
        "selain",
        "tanpa",
        "oleh",
        "pada",
        "dalam",
        "melalui",
        "sebagai",
        "beserta",
    ]
)
# Abbreviations printed in capitals that stay capitals in a title ("YTDL" = yang tidak
# diklasifikasikan di tempat lain).
_KEEP_CAPS = frozenset(
    [
        "YTDL",
        "LPG",
        "BBM",
        "BBG",
        "SPA",
        "TK",
        "PAUD",
        "SD",
        "SMP",
        "SMA",
        "SMK",
        "IT",
        "TV",
        "AC",
        "KBLI",
        "UMKM",
        "RT",
        "RW",
        "CD",
        "ROM",
        "ATM",
    ]
)


def display_title(title: str) -> str:
    """A catalog title as people read it: KBLI 2025 prints titles in capitals
    ('AKTIVITAS PENYEDIAAN MAKANAN DI BANGUNAN TETAP' -> 'Aktivitas Penyediaan Makanan di
    Bangunan Tetap'); titles already in mixed case are kept."""
    if title != title.upper():
        return title
    words: list[str] = []
    for i, word in enumerate(title.split(" ")):
        bare = word.strip("(),;/.-")
        if bare in _KEEP_CAPS:
            words.append(word)
        elif i > 0 and word.lower() in _SMALL_WORDS:
            words.append(word.lower())
        else:
            words.append(re.sub(r"(^|[-/(])([a-z])", _upper, word.lower()))
    return " ".join(words)


def _upper(match: re.Match[str]) -> str:
    return match.group(1) + match.group(2).upper()


@dataclass(frozen=True, slots=True)
class KbliEntry:
    code: str
    title: str
    description: str = ""
    section: str = ""

    @property
    def display_title(self) -> str:
        return display_title(self.title)


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


def apply_corrections(catalog: KbliCatalog, text: str) -> KbliCatalog:
    """Apply our corrections (columns code, field, was, value, source) to a catalog.

    A correction names the value it replaces: when the catalog no longer holds that value (a new
    extraction fixed it, or changed it), loading fails instead of overwriting blindly.
    """
    entries = dict(catalog.entries)
    for lineno, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        code, field = row.get("code") or "", row.get("field") or ""
        entry = entries.get(code)
        if entry is None or field not in ("title", "description"):
            raise CatalogError(f"corrections line {lineno}: no {field!r} of code {code!r} to fix")
        if getattr(entry, field) != (row.get("was") or "").strip():
            raise CatalogError(
                f"corrections line {lineno}: {code} {field} is no longer the value corrected"
            )
        if not (row.get("source") or "").strip():
            raise CatalogError(f"corrections line {lineno}: a correction needs its source")
        entries[code] = replace(entry, **{field: (row.get("value") or "").strip()})
    return KbliCatalog(version=catalog.version, entries=entries)


def load_catalog(path: Path, version: str) -> KbliCatalog:
    return parse_catalog_csv(path.read_text(encoding="utf-8-sig"), version)


@lru_cache(maxsize=2)
def load_shipped_catalog(version: str) -> KbliCatalog:
    """The catalog shipped for a version (KBLI 2025 with our corrections applied)."""
    path = CATALOG_FILES.get(version)
    if path is None:
        raise CatalogError(f"no catalog is shipped for {version!r}")
    catalog = load_catalog(path, version)
    if version == KBLI2025:
        catalog = apply_corrections(catalog, CORRECTIONS_FILE.read_text(encoding="utf-8"))
    return catalog


def load_default_catalog() -> KbliCatalog:
    """The catalog in force (KBLI 2025)."""
    return load_shipped_catalog(IN_FORCE_VERSION)


def load_previous_catalog() -> KbliCatalog:
    """KBLI 2020, kept to convert old codes."""
    return load_shipped_catalog(PREVIOUS_VERSION)


def catalog_from_entries(version: str, entries: Iterable[KbliEntry]) -> KbliCatalog:
    return KbliCatalog(version=version, entries={e.code: e for e in entries})


# ---------------------------------------------------------------------- typed codes
CodeProblem = Literal["empty", "not_a_code", "too_short", "too_long", "unknown_version"]


class CodeInputError(ValueError):
    """What a person typed is not a usable KBLI code; `problem` says why (for the answer)."""

    def __init__(self, problem: CodeProblem, text: str, *, digits: str = "", version: str = ""):
        self.problem = problem
        self.text = text
        self.digits = digits  # the digits read, e.g. "5610" for a 4-digit group code
        self.version = version  # the version asked for, when one was given
        super().__init__(_PROBLEM_TEXT[problem].format(text=text, digits=digits, version=version))


_PROBLEM_TEXT: dict[CodeProblem, str] = {
    "empty": "no KBLI code given",
    "not_a_code": "{text!r} is not a KBLI code (five digits, e.g. 56101)",
    "too_short": "{digits} has fewer than five digits; a KBLI activity code has five",
    "too_long": "{digits} has more than five digits; a KBLI activity code has five",
    "unknown_version": "KBLI version {version!r} is not known (use 2020 or 2025)",
}

_PREFIX = re.compile(r"^\s*kbli\s*", re.IGNORECASE)
_VERSION_COLON = re.compile(r"^\s*(?:kbli\s*)?([^:\s]*)\s*:\s*(.*)$", re.IGNORECASE)
_YEAR_THEN_CODE = re.compile(r"^(\d{4})[\s/]+([\d.\s-]{5,})$")
_CODE_CHARS = re.compile(r"^[\d.\s-]+$")


def parse_code_input(text: str, default_version: str = IN_FORCE_VERSION) -> KbliCode:
    """Read a code as people type it: '56101', '56.101', '56 101', '2020:56102',
    'KBLI 2020 56102'. Raise CodeInputError (never guess) for anything else."""
    raw = text.strip()
    if not raw:
        raise CodeInputError("empty", text)
    version = default_version
    body = raw
    colon = _VERSION_COLON.match(raw)
    if colon:
        version = _version_from(colon.group(1), text)
        body = colon.group(2)
    else:
        body = _PREFIX.sub("", raw)
        year = _YEAR_THEN_CODE.match(body.strip())
        if year:
            version = _version_from(year.group(1), text)
            body = year.group(2)
    body = body.strip()
    if not body or not _CODE_CHARS.match(body):
        raise CodeInputError("not_a_code", text)
    digits = re.sub(r"[.\s-]", "", body)
    if not digits:
        raise CodeInputError("not_a_code", text)
    if len(digits) < 5:
        raise CodeInputError("too_short", text, digits=digits, version=version)
    if len(digits) > 5:
        raise CodeInputError("too_long", text, digits=digits, version=version)
    return KbliCode(version, digits)


def _version_from(word: str, text: str) -> str:
    key = word.strip().upper().removeprefix("KBLI").strip()
    version = VERSION_BY_YEAR.get(key)
    if version is None:
        raise CodeInputError("unknown_version", text, version=word.strip())
    return version
