"""Rule-set versions in the database: seed, drafts, publish, immutability, rollback, catalogs."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from permit_rules import RuleSetError, default_rules_text
from storage.models.rules import RuleSetVersion
from storage.rule_sets import (
    RuleSetStoreError,
    active_catalog,
    active_version,
    history,
    import_catalog,
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
        assert number == 3 and rs.meta.kbli_version == "KBLI2020"
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
        assert (await active_catalog(s)).version == "KBLI2020"
        assert len(await active_catalog(s)) == 1790
        result = await import_catalog(s, "code,title\n56102,Warung\n", "KBLI2025", by="admin")
        assert result.code_count == 1 and "56290" in result.missing_codes
        assert "56102" not in result.missing_codes
    async with sessions() as s, s.begin():
        active = await active_catalog(s)
        assert active.version == "KBLI2025" and "56102" in active
        again = await import_catalog(s, "code,title\n56290,Jasa boga\n", "KBLI2025", by="x")
        assert "56102" in again.missing_codes
        await import_catalog(s, "code,title\n01111,Jagung\n", "OTHER", by="x")
        assert (await active_catalog(s)).version == "OTHER"


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
