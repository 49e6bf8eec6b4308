"""Rule-set versions and KBLI catalogs in the database.

Drafts can be saved, validated and published; a published version never changes; a rollback
publishes an earlier version's content again as a new number. The repository YAML seeds
version 1 on first use, and is published again when the rule set in force is keyed to a KBLI
version that is no longer in force (a database from before KBLI 2025).

KBLI catalogs: the one in force (KBLI 2025) is the shipped file until an admin imports another
KBLI 2025 file; KBLI 2020 is kept for converting old codes. The 2020 -> 2025 correspondence is the
shipped partial table until an admin imports one (e.g. BPS's full table).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select, update
from sqlalchemy import text as sql_text
from sqlalchemy.ext.asyncio import AsyncSession

from permit_rules import (
    IN_FORCE_VERSION,
    KBLI2020,
    KBLI2025,
    CatalogError,
    KbliCatalog,
    KbliCatalogs,
    RuleError,
    RuleSet,
    RuleSetError,
    default_rules_text,
    load_default_catalog,
    load_default_correspondence,
    load_previous_catalog,
    parse_catalog_csv,
    parse_correspondence_csv,
    validate_rule_text,
    version_label,
)
from storage.models.base import utcnow
from storage.models.rules import KbliCatalogVersion, KbliCorrespondenceTable, RuleSetVersion

SEED_AUTHOR = "seed"


class RuleSetStoreError(Exception):
    """A version operation is not allowed (unknown version, not a draft...)."""


@dataclass(frozen=True, slots=True)
class VersionInfo:
    id: int
    number: int | None
    status: str
    kbli_version: str
    content_sha256: str
    created_by: str
    created_at: datetime
    published_by: str | None
    published_at: datetime | None
    rolled_back_from: int | None
    note: str
    active: bool


@dataclass(frozen=True, slots=True)
class CatalogImport:
    version: str
    code_count: int
    missing_codes: list[str]  # activities of the active rule set whose code is not in it


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _parse(text: str, name: str) -> RuleSet:
    return RuleSet.from_yaml(text, name)


# Held (on PostgreSQL) by a transaction that numbers a new version, until it ends.
VERSION_NUMBERING_LOCK = 7_401_2027


async def _numbering_turn(session: AsyncSession) -> None:
    """Wait until no other transaction is numbering a version (seed, publish, rollback).

    On PostgreSQL, without it, a server seeding an empty database could decide "no version
    yet" before an admin's publish committed and then seed again as the newest version, undoing
    the publish. SQLite's BEGIN IMMEDIATE already serializes every writing transaction.
    """
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(
            sql_text("SELECT pg_advisory_xact_lock(:key)"), {"key": VERSION_NUMBERING_LOCK}
        )


async def _next_number(session: AsyncSession) -> int:
    await _numbering_turn(session)
    current = await session.scalar(select(func.max(RuleSetVersion.number)))
    return (current or 0) + 1


def _newest_published(column: Any) -> Select[Any]:
    """The active rule-set version is the published one with the highest number."""
    return (
        select(column)
        .where(RuleSetVersion.status == "published")
        .order_by(RuleSetVersion.number.desc())
        .limit(1)
    )


def _active_catalog(column: Any) -> Select[Any]:
    return select(column).where(KbliCatalogVersion.active.is_(True)).limit(1)


async def _active_row(session: AsyncSession) -> RuleSetVersion | None:
    return (await session.scalars(_newest_published(RuleSetVersion))).first()


async def seed_if_empty(session: AsyncSession, *, by: str = SEED_AUTHOR) -> int | None:
    """Publish the repository YAML when no version is published yet (version 1), or when the
    active version is keyed to a KBLI version that is no longer in force: its codes would be read
    as KBLI 2025 codes, and the same digits mean other activities there.

    Returns the new number, or None when the active version can stay.
    """
    await _numbering_turn(session)  # before looking: another transaction may be publishing
    active = await _active_row(session)
    if active is not None and active.kbli_version == IN_FORCE_VERSION:
        return None
    text = default_rules_text()
    rule_set = _parse(text, "permit_rules/rules/probolinggo.yaml")
    note = "seeded from the repository YAML"
    if active is not None:
        note = (
            f"repository rules ({version_label(rule_set.meta.kbli_version)}) published because "
            f"version {active.number} used {version_label(active.kbli_version)}"
        )
    now = utcnow()
    row = RuleSetVersion(
        number=await _next_number(session),
        status="published",
        content=text,
        content_sha256=_sha(text),
        kbli_version=rule_set.meta.kbli_version,
        created_by=by,
        created_at=now,
        published_by=by,
        published_at=now,
        note=note,
    )
    session.add(row)
    await session.flush()
    return row.number


async def active_version(session: AsyncSession) -> tuple[int, RuleSet]:
    """The active published version (seeding the repository rules when there is none, or when
    the active one is keyed to a KBLI version no longer in force)."""
    row = await _active_row(session)
    if row is None or row.kbli_version != IN_FORCE_VERSION:
        await seed_if_empty(session)
        row = await _active_row(session)
    if row is None or row.number is None:  # pragma: no cover - seeding always publishes
        raise RuleSetStoreError("no published rule set")
    return row.number, _parse(row.content, f"version {row.number}")


async def version_content(session: AsyncSession, number: int) -> str:
    row = await session.scalar(select(RuleSetVersion).where(RuleSetVersion.number == number))
    if row is None:
        raise RuleSetStoreError(f"there is no published version {number}")
    return row.content


async def save_draft(
    session: AsyncSession, text: str, *, by: str, note: str = "", source_name: str = "draft"
) -> int:
    """Validate and store a draft; returns the draft's id. Raises RuleSetError if invalid."""
    rule_set = _parse(text, source_name)
    row = RuleSetVersion(
        status="draft",
        content=text,
        content_sha256=_sha(text),
        kbli_version=rule_set.meta.kbli_version,
        created_by=by,
        note=note,
    )
    session.add(row)
    await session.flush()
    return row.id


async def validate_draft(session: AsyncSession, draft_id: int) -> list[RuleError]:
    row = await session.get(RuleSetVersion, draft_id)
    if row is None:
        raise RuleSetStoreError(f"there is no draft {draft_id}")
    return validate_rule_text(row.content, f"draft {draft_id}")


async def publish(session: AsyncSession, draft_id: int, *, by: str) -> int:
    """Publish a draft as the next version number; returns that number."""
    row = await session.get(RuleSetVersion, draft_id)
    if row is None:
        raise RuleSetStoreError(f"there is no draft {draft_id}")
    if row.status != "draft":
        raise RuleSetStoreError(f"{draft_id} is already published as version {row.number}")
    errors = validate_rule_text(row.content, f"draft {draft_id}")
    if errors:
        raise RuleSetError(errors)
    _refuse_withdrawn_kbli(row.kbli_version)
    number = await _next_number(session)
    # Only a draft row can change, and only this once (guarded in the WHERE clause).
    result = await session.execute(
        update(RuleSetVersion)
        .where(RuleSetVersion.id == draft_id, RuleSetVersion.status == "draft")
        .values(status="published", number=number, published_by=by, published_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )
    if getattr(result, "rowcount", 1) != 1:
        raise RuleSetStoreError(f"draft {draft_id} was published concurrently")
    await session.refresh(row)
    return number


def _refuse_withdrawn_kbli(kbli_version: str) -> None:
    if kbli_version != IN_FORCE_VERSION:
        raise RuleSetStoreError(
            f"rules keyed to {version_label(kbli_version)} cannot be published: "
            f"{version_label(IN_FORCE_VERSION)} is in force (meta.kbli_version)"
        )


async def publish_text(session: AsyncSession, text: str, *, by: str, note: str = "") -> int:
    """Save a draft from text and publish it at once; returns the new version number."""
    draft_id = await save_draft(session, text, by=by, note=note)
    return await publish(session, draft_id, by=by)


async def rollback(session: AsyncSession, number: int, *, by: str, note: str = "") -> int:
    """Publish the content of an earlier version again as a new version; returns its number."""
    await seed_if_empty(session)
    source = await session.scalar(
        select(RuleSetVersion).where(
            RuleSetVersion.number == number, RuleSetVersion.status == "published"
        )
    )
    if source is None:
        raise RuleSetStoreError(f"there is no published version {number}")
    _refuse_withdrawn_kbli(source.kbli_version)
    now = utcnow()
    row = RuleSetVersion(
        number=await _next_number(session),
        status="published",
        content=source.content,
        content_sha256=source.content_sha256,
        kbli_version=source.kbli_version,
        created_by=by,
        created_at=now,
        published_by=by,
        published_at=now,
        rolled_back_from=number,
        note=note or f"rollback to version {number}",
    )
    session.add(row)
    await session.flush()
    assert row.number is not None
    return row.number


async def history(session: AsyncSession) -> list[VersionInfo]:
    """Every version, published ones by number, then drafts by id."""
    rows = list((await session.scalars(select(RuleSetVersion))).all())
    active = await _active_row(session)
    rows.sort(key=lambda r: (r.number is None, r.number or 0, r.id))
    return [
        VersionInfo(
            id=r.id,
            number=r.number,
            status=r.status,
            kbli_version=r.kbli_version,
            content_sha256=r.content_sha256,
            created_by=r.created_by,
            created_at=r.created_at,
            published_by=r.published_by,
            published_at=r.published_at,
            rolled_back_from=r.rolled_back_from,
            note=r.note,
            active=active is not None and r.id == active.id,
        )
        for r in rows
    ]


# ---------------------------------------------------------------------- KBLI catalogs
async def import_catalog(
    session: AsyncSession, csv_text: str, version: str, *, by: str
) -> CatalogImport:
    """Store a KBLI catalog CSV for its version; a KBLI 2025 catalog becomes the one in force (a
    KBLI 2020 one is kept for conversion). Report rules pointing at missing codes.

    Raises permit_rules.CatalogError when the CSV cannot be read or the version is not known.
    """
    if version not in (KBLI2020, KBLI2025):
        raise CatalogError(f"version {version!r}: use {KBLI2025} (in force) or {KBLI2020}")
    catalog = parse_catalog_csv(csv_text, version)
    in_force = version == IN_FORCE_VERSION
    if in_force:
        await session.execute(update(KbliCatalogVersion).values(active=False))
    existing = await session.scalar(
        select(KbliCatalogVersion).where(KbliCatalogVersion.version == version)
    )
    if existing is None:
        session.add(
            KbliCatalogVersion(
                version=version,
                content=csv_text,
                code_count=len(catalog),
                active=in_force,
                imported_by=by,
            )
        )
    else:
        existing.content = csv_text
        existing.code_count = len(catalog)
        existing.active = in_force
        existing.imported_by = by
        existing.imported_at = utcnow()
    await session.flush()
    _, rule_set = await active_version(session)
    missing = rule_set.missing_from_catalog(catalog) if in_force else []
    return CatalogImport(version, len(catalog), missing)


async def active_catalog(session: AsyncSession) -> KbliCatalog:
    """The catalog in force: an imported KBLI 2025 catalog, else the shipped one."""
    row = await session.scalar(_active_catalog(KbliCatalogVersion))
    if row is None or row.version != IN_FORCE_VERSION:
        return load_default_catalog()
    return parse_catalog_csv(row.content, row.version)


async def _previous_catalog(session: AsyncSession) -> KbliCatalog:
    row = await session.scalar(
        select(KbliCatalogVersion).where(KbliCatalogVersion.version == KBLI2020).limit(1)
    )
    return load_previous_catalog() if row is None else parse_catalog_csv(row.content, KBLI2020)


@dataclass(frozen=True, slots=True)
class CorrespondenceImport:
    edge_count: int
    code_count: int  # KBLI 2020 codes with at least one edge


async def import_correspondence(
    session: AsyncSession, csv_text: str, *, by: str
) -> CorrespondenceImport:
    """Check a KBLI 2020 -> 2025 table against both catalogs and make it the active one.

    Raises permit_rules.CorrespondenceError listing every problem with its line; nothing is
    stored then.
    """
    old, new = await _previous_catalog(session), await active_catalog(session)
    table = parse_correspondence_csv(csv_text, old, new, source="imported")
    await session.execute(update(KbliCorrespondenceTable).values(active=False))
    session.add(
        KbliCorrespondenceTable(
            from_version=old.version,
            to_version=new.version,
            content=csv_text,
            edge_count=table.edge_count,
            code_count=len(table),
            active=True,
            imported_by=by,
            imported_at=utcnow(),
        )
    )
    await session.flush()
    return CorrespondenceImport(table.edge_count, len(table))


async def active_catalogs(session: AsyncSession) -> KbliCatalogs:
    """The catalog in force, KBLI 2020, and the active correspondence between them."""
    new = await active_catalog(session)
    old = await _previous_catalog(session)
    row = await session.scalar(
        select(KbliCorrespondenceTable).where(KbliCorrespondenceTable.active.is_(True)).limit(1)
    )
    if row is None:
        correspondence = load_default_correspondence()
    else:
        correspondence = parse_correspondence_csv(row.content, old, new, source="imported")
    return KbliCatalogs(in_force=new, previous=old, correspondence=correspondence)


async def active_fingerprint(session: AsyncSession) -> tuple[str, str]:
    """(content hash of the active rule set, active catalog version): cheap change detection."""
    content = await session.scalar(_newest_published(RuleSetVersion.content_sha256))
    catalog = await session.scalar(_active_catalog(KbliCatalogVersion.version))
    return content or "", catalog or ""
