"""Rule-set versions in the database: seed, drafts, publish, immutability, rollback, catalogs."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from permit_rules import CatalogError, CorrespondenceError, RuleSetError, default_rules_text
from storage.models.base import utcnow
from storage.models.rules import RuleSetVersion
from storage.rule_sets import (
    RuleSetStoreError,
    active_catalog,
    active_catalogs,
    active_version,
    history,
    import_catalog,
    import_correspondence,
    publish,
    publish_text,
    rollback,
    save_draft,
    seed_if_empty,
    validate_draft,
    version_content,
)

pytestmark = pytest.mark.postgres
SAMPLE = (Path(__file__).resolve().parent.parent / "data" / "rules" / "sample.yaml").read_text(
    encoding="utf-8"
)


async def test_seed_once_and_active(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as s, s.begin():
        assert await seed_if_empty(s) == 1
        assert await seed_if_empty(s) is None
        number, rule_set = await active_version(s)
    assert number == 1 and len(rule_set.activities) >= 60
    async with sessions() as s:
        assert await version_content(s, 1) == default_rules_text()


async def test_active_version_seeds_an_empty_database(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as s, s.begin():
        number, _ = await active_version(s)
    assert number == 1


async def test_draft_publish_and_rollback(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as s, s.begin():
        await seed_if_empty(s)
        draft = await save_draft(s, SAMPLE, by="budi", note="test")
        assert await validate_draft(s, draft) == []
        assert await publish(s, draft, by="budi") == 2
        with pytest.raises(RuleSetStoreError):
            await publish(s, draft, by="budi")  # a published version never changes
    async with sessions() as s, s.begin():
        number, rs = await active_version(s)
        assert number == 2 and rs.meta.name == "test rules"
        assert await rollback(s, 1, by="ani") == 3
    async with sessions() as s, s.begin():
        number, rs = await active_version(s)
        assert number == 3 and rs.meta.kbli_version == "KBLI2025"
        assert await version_content(s, 3) == await version_content(s, 1)
        rows = await history(s)
        assert [(r.number, r.status, r.active) for r in rows] == [
            (1, "published", False),
            (2, "published", False),
            (3, "published", True),
        ]
        assert rows[2].rolled_back_from == 1 and rows[2].published_by == "ani"
        assert rows[2].published_at is not None
        with pytest.raises(RuleSetStoreError):
            await rollback(s, 99, by="ani")
        published = (
            await s.scalars(select(RuleSetVersion).where(RuleSetVersion.number == 2))
        ).one()
        assert published.status == "published" and published.created_by == "budi"


async def test_invalid_draft_is_refused(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as s, s.begin():
        with pytest.raises(RuleSetError):
            await save_draft(s, "meta: {}\n", by="budi")
        await seed_if_empty(s)
        assert await publish_text(s, SAMPLE, by="budi") == 2


async def test_import_catalog(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as s, s.begin():
        assert (await active_catalog(s)).version == "KBLI2025"
        assert len(await active_catalog(s)) == 1559
        result = await import_catalog(s, "code,title\n56101,Warung\n", "KBLI2025", by="admin")
        assert result.code_count == 1 and "56290" in result.missing_codes
        assert "56101" not in result.missing_codes
    async with sessions() as s, s.begin():
        active = await active_catalog(s)
        assert active.version == "KBLI2025" and "56101" in active and len(active) == 1
        again = await import_catalog(s, "code,title\n56290,Jasa boga\n", "KBLI2025", by="x")
        assert "56101" in again.missing_codes
        # a KBLI 2020 file is kept for conversion, never made the catalog in force
        old = await import_catalog(s, "code,title\n56102,Warung\n", "KBLI2020", by="x")
        assert old.missing_codes == []
        assert (await active_catalog(s)).version == "KBLI2025"
        assert "56102" in (await active_catalogs(s)).previous
        with pytest.raises(CatalogError):  # a code never travels without a known version
            await import_catalog(s, "code,title\n01111,Jagung\n", "OTHER", by="x")


OLD_RULES = SAMPLE.replace("kbli_version: KBLI2025", "kbli_version: KBLI2020")


async def test_rules_keyed_to_kbli_2020_are_replaced_and_cannot_come_back(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    # A database from before KBLI 2025: its active version was keyed to KBLI 2020 codes.
    async with sessions() as s, s.begin():
        now = utcnow()
        s.add(
            RuleSetVersion(
                number=1, status="published", content=OLD_RULES, content_sha256="x",
                kbli_version="KBLI2020", created_by="seed", created_at=now,
                published_by="seed", published_at=now,
            )
        )  # fmt: skip
    async with sessions() as s, s.begin():
        number, rules = await active_version(s)
        assert number == 2 and rules.meta.kbli_version == "KBLI2025"
        assert "version 1 used KBLI 2020" in (await history(s))[1].note
        with pytest.raises(RuleSetStoreError, match="KBLI 2025 is in force"):
            await rollback(s, 1, by="ani")
        with pytest.raises(RuleSetStoreError, match="KBLI 2025 is in force"):
            await publish_text(s, OLD_RULES, by="ani")
        assert await seed_if_empty(s) is None


async def test_correspondence_import(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as s, s.begin():
        shipped = (await active_catalogs(s)).correspondence
        assert shipped.edge_count == 307
        with pytest.raises(CorrespondenceError) as info:
            await import_correspondence(s, "kbli2020,kbli2025\n99999,56101\n", by="x")
        assert [e.line for e in info.value.errors] == [2]
    async with sessions() as s, s.begin():
        assert (await active_catalogs(s)).correspondence.edge_count == 307  # nothing loaded
        result = await import_correspondence(
            s, "kbli2020,kbli2025\n56102,56101\n56102,56400\n", by="x"
        )
        assert (result.edge_count, result.code_count) == (2, 1)
    async with sessions() as s:
        table = (await active_catalogs(s)).correspondence
        assert [e.new for e in table.targets("56102")] == ["56101", "56400"]


async def test_a_server_starting_during_a_publish_does_not_seed_again(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    # An admin's first publish on an empty database is in progress (seeded version 1, published
    # version 2, not committed yet) while a server process asks for the active rules. It must
    # wait and answer version 2, not seed the repository's rules again on top of it.
    admin = sessions()
    await admin.begin()
    try:
        await seed_if_empty(admin)
        assert await publish_text(admin, SAMPLE, by="admin") == 2

        async def server_reads() -> int:
            async with sessions() as session, session.begin():
                number, _rules = await active_version(session)
                return number

        reading = asyncio.create_task(server_reads())
        await asyncio.sleep(0.5)
        assert not reading.done()
        await admin.commit()
    finally:
        await admin.close()
    assert await asyncio.wait_for(reading, 10) == 2
    async with sessions() as session:
        numbers = (await session.scalars(select(RuleSetVersion.number))).all()
    assert sorted(n for n in numbers if n is not None) == [1, 2]
