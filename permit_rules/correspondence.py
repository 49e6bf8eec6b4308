"""KBLI 2020 -> KBLI 2025 correspondence (BPS "Tabel Konversi KBLI 2020-2025"), and what a code
someone typed means in the catalog in force.

The table is data: `data/kbli2020_2025.csv` ships the edges for the starter activities and other
codes common among micro businesses (a PARTIAL table); an admin can load BPS's full table in the
same columns (`siketan rules import-kbli-correspondence FILE.csv`). One-to-many edges are kept: the
person chooses. A 2020 code that has no edge is never converted by its digits (the same number may
mean another activity in 2025): an officer converts it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from permit_rules.catalog import (
    DATA_DIR,
    IN_FORCE_VERSION,
    KBLI2020,
    KBLI2025,
    CodeInputError,
    KbliCatalog,
    KbliCode,
    KbliEntry,
    load_default_catalog,
    load_previous_catalog,
    parse_code_input,
)

CORRESPONDENCE_FILE = DATA_DIR / "kbli2020_2025.csv"
DOUBTS_FILE = DATA_DIR / "kbli2020_2025_doubts.csv"
REQUIRED_COLUMNS = ("kbli2020", "kbli2025")
OPTIONAL_COLUMNS = ("note", "kbli2020_title", "kbli2025_title")

# KBLI 2025 "jasa intermediasi" codes: the platform or agent that connects customers with a
# provider, not the provider. Many 2020 service codes gained an edge to one of them; a warung that
# sells through an app is still a warung, so these are explained, never offered as the business.
INTERMEDIATION_CODES = frozenset({"56400", "95400", "96400"})


@dataclass(frozen=True, slots=True)
class Edge:
    old: str
    new: str
    note: str = ""
    doubt: str = ""  # why this edge (as parsed) should be checked by an officer; "" = none


@dataclass(frozen=True)
class Correspondence:
    from_version: str
    to_version: str
    edges: Mapping[str, tuple[Edge, ...]]  # old code -> its edges, in file order
    source: str = ""

    def targets(self, old_code: str) -> tuple[Edge, ...]:
        return self.edges.get(old_code, ())

    def sources(self, new_code: str) -> list[str]:
        """Old codes with an edge to this new code (for telling an officer where it came from)."""
        return sorted(old for old, es in self.edges.items() if any(e.new == new_code for e in es))

    @property
    def edge_count(self) -> int:
        return sum(len(es) for es in self.edges.values())

    def __len__(self) -> int:
        return len(self.edges)


@dataclass(frozen=True, slots=True)
class LineError:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class CorrespondenceError(ValueError):
    """A correspondence file is refused; `errors` lists every problem with its line."""

    def __init__(self, errors: list[LineError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


def parse_correspondence_csv(
    text: str,
    old_catalog: KbliCatalog,
    new_catalog: KbliCatalog,
    *,
    doubts: Mapping[tuple[str, str], str] | None = None,
    source: str = "",
) -> Correspondence:
    """Read a 2020 -> 2025 table; raise CorrespondenceError with EVERY problem (line numbers as a
    spreadsheet shows them, header = line 1). Nothing is returned unless the whole file is good."""
    errors: list[LineError] = []
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    columns = [c.strip() for c in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise CorrespondenceError(
            [LineError(1, f"missing column(s) {', '.join(missing)} (header: {', '.join(columns)})")]
        )
    edges: dict[str, list[Edge]] = {}
    first_seen: dict[tuple[str, str], int] = {}
    rows = 0
    for lineno, row in enumerate(reader, start=2):
        rows += 1
        row = {k.strip(): (v or "").strip() for k, v in row.items() if k is not None}
        old, new = row.get("kbli2020", ""), row.get("kbli2025", "")
        bad = False
        for column, code, catalog in (
            ("kbli2020", old, old_catalog),
            ("kbli2025", new, new_catalog),
        ):
            if not (code.isdigit() and len(code) == 5):
                errors.append(LineError(lineno, f"{column} {code!r} is not a 5-digit code"))
                bad = True
            elif code not in catalog:
                errors.append(LineError(lineno, f"{column} {code} is not in {catalog.version}"))
                bad = True
        if bad:
            continue
        pair = (old, new)
        if pair in first_seen:
            errors.append(
                LineError(
                    lineno, f"edge {old} -> {new} appears twice (first on line {first_seen[pair]})"
                )
            )
            continue
        first_seen[pair] = lineno
        doubt = (doubts or {}).get(pair, "")
        edges.setdefault(old, []).append(Edge(old, new, row.get("note", ""), doubt))
    if rows == 0:
        errors.append(LineError(2, "the file holds no edges"))
    if errors:
        raise CorrespondenceError(errors)
    return Correspondence(
        from_version=old_catalog.version,
        to_version=new_catalog.version,
        edges={old: tuple(es) for old, es in edges.items()},
        source=source,
    )


def parse_doubts_csv(text: str) -> dict[tuple[str, str], str]:
    """Our own notes on edges that look wrong as parsed (columns kbli2020, kbli2025, doubt)."""
    out: dict[tuple[str, str], str] = {}
    for row in csv.DictReader(io.StringIO(text)):
        out[(row["kbli2020"].strip(), row["kbli2025"].strip())] = row["doubt"].strip()
    return out


@lru_cache(maxsize=1)
def load_default_correspondence() -> Correspondence:
    return parse_correspondence_csv(
        CORRESPONDENCE_FILE.read_text(encoding="utf-8"),
        load_previous_catalog(),
        load_default_catalog(),
        doubts=parse_doubts_csv(DOUBTS_FILE.read_text(encoding="utf-8")),
        source=CORRESPONDENCE_FILE.name,
    )


@dataclass(frozen=True)
class KbliCatalogs:
    """The catalog in force, the previous one, and the table between them."""

    in_force: KbliCatalog
    previous: KbliCatalog
    correspondence: Correspondence

    def catalog(self, version: str) -> KbliCatalog | None:
        for catalog in (self.in_force, self.previous):
            if catalog.version == version:
                return catalog
        return None


def load_default_catalogs() -> KbliCatalogs:
    return KbliCatalogs(
        in_force=load_default_catalog(),
        previous=load_previous_catalog(),
        correspondence=load_default_correspondence(),
    )


# ---------------------------------------------------------------------- a typed code
LookupStatus = Literal[
    "in_force",  # a code of the catalog in force
    "converted",  # an old code with edge(s) to the catalog in force
    "no_edge",  # an old code the table has no edge for: an officer converts it
    "unknown_code",  # five digits, but not a code of that version
    "bad_input",  # not a code at all (see `problem`)
]


@dataclass(frozen=True)
class CodeLookup:
    """What a typed code means in the catalog in force. Never a guess: several choices are all
    listed, an unknown or unconvertible code says so."""

    text: str
    status: LookupStatus
    asked: KbliCode | None = None
    asked_title: str | None = None
    choices: tuple[KbliEntry, ...] = ()  # in-force activities to choose from
    intermediation: tuple[KbliEntry, ...] = ()  # platform codes the old code also maps to
    doubts: tuple[str, ...] = ()
    problem: str | None = None  # CodeInputError.problem for bad input
    group_codes: tuple[KbliEntry, ...] = field(default=())  # 3-4 digits: the codes under them

    @property
    def converted(self) -> bool:
        return self.status == "converted"

    @property
    def single(self) -> KbliEntry | None:
        """The one in-force activity, when there is no choice to make."""
        return self.choices[0] if len(self.choices) == 1 else None


def lookup_code(text: str, catalogs: KbliCatalogs) -> CodeLookup:
    """Read a typed code ('56101', '2020:56102', '56.102') and say what it is in KBLI 2025."""
    try:
        code = parse_code_input(text, catalogs.in_force.version)
    except CodeInputError as exc:
        group: tuple[KbliEntry, ...] = ()
        catalog = catalogs.catalog(exc.version or catalogs.in_force.version)
        if exc.problem == "too_short" and catalog is catalogs.in_force and len(exc.digits) >= 2:
            group = tuple(e for c in catalog.codes_with_prefix(exc.digits) if (e := catalog.get(c)))
        return CodeLookup(text, "bad_input", problem=exc.problem, group_codes=group)
    catalog = catalogs.catalog(code.version)
    entry = catalog.get(code.code) if catalog is not None else None
    if entry is None:
        return CodeLookup(text, "unknown_code", asked=code)
    if code.version == catalogs.in_force.version:
        return CodeLookup(text, "in_force", asked=code, asked_title=entry.title, choices=(entry,))
    edges = catalogs.correspondence.targets(code.code)
    if catalogs.correspondence.from_version != code.version or not edges:
        return CodeLookup(text, "no_edge", asked=code, asked_title=entry.title)
    choices: list[KbliEntry] = []
    platform: list[KbliEntry] = []
    for edge in edges:
        target = catalogs.in_force.get(edge.new)
        if target is None:  # pragma: no cover - edges are checked against the catalog on load
            continue
        (platform if edge.new in INTERMEDIATION_CODES else choices).append(target)
    doubts = tuple(e.doubt for e in edges if e.doubt)
    return CodeLookup(
        text,
        "converted",
        asked=code,
        asked_title=entry.title,
        choices=tuple(choices) if choices else tuple(platform),
        intermediation=tuple(platform) if choices else (),
        doubts=doubts,
    )


__all__ = [
    "INTERMEDIATION_CODES",
    "IN_FORCE_VERSION",
    "KBLI2020",
    "KBLI2025",
    "CodeLookup",
    "Correspondence",
    "CorrespondenceError",
    "Edge",
    "KbliCatalogs",
    "LineError",
    "load_default_catalogs",
    "load_default_correspondence",
    "lookup_code",
    "parse_correspondence_csv",
]
