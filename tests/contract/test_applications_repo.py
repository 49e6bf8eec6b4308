"""Application storage: reference numbers under concurrency, owner-only lookups, transitions."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from dialogs.ports import NewApplication, Owner
from storage import conversations
from storage.applications import (
    DbRuleSource,
    SqlApplicationRepository,
    TransitionError,
    get_by_reference,
    next_reference,
    record_change,
)

pytestmark = pytest.mark.postgres


def new_app(owner: Owner) -> NewApplication:
    return NewApplication(
        owner=owner,
        locale="id",
        applicant={"full_name": "Siti", "nik": "3574015708900001"},
        business={"business_name": "Bakso"},
        location={"kecamatan": "Mayangan"},
        kbli="56101",
        kbli_version="KBLI2025",
        kbli_title="Aktivitas Penyediaan Makanan di Bangunan Tetap",
        decision={},
        rule_set_version=1,
        due_date=date(2026, 12, 4),
    )


async def test_references_unique_and_sequential_under_concurrency(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async def one() -> str:
        async with sessions() as session, session.begin():
            return await next_reference(session, 2026)

    refs = await asyncio.gather(*(one() for _ in range(20)))
    assert sorted(refs) == [f"SKT-2026-{n:06d}" for n in range(1, 21)]
    async with sessions() as session, session.begin():
        assert await next_reference(session, 2027) == "SKT-2027-000001"


async def test_owner_only_and_transitions(sessions: async_sessionmaker[AsyncSession]) -> None:
    owner = Owner("telegram", "111")
    async with sessions() as session, session.begin():
        await conversations.lock_conversation(session, "telegram", "111")
        created = await SqlApplicationRepository(session).create(new_app(owner))
    async with sessions() as session, session.begin():
        repo = SqlApplicationRepository(session)
        assert (await repo.find(created.reference, owner)) is not None
        assert await repo.find(created.reference, Owner("telegram", "222")) is None
        assert await repo.find(created.reference, Owner("whatsapp", "111")) is None
        row = await get_by_reference(session, created.reference)
        assert row is not None
        with pytest.raises(TransitionError):
            record_change(session, row, "completed", by="x")
        record_change(session, row, "in_review", by="officer")
        assert row.status == "in_review"


async def test_rule_source_seeds_and_caches(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session, session.begin():
        version, rules = await DbRuleSource(session).active()
        again = await DbRuleSource(session).active()
    assert version == 1 and again[1] is rules
