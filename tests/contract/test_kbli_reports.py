"""Reports never mix KBLI versions: a check recorded with KBLI 2020 56102 (warung, before KBLI
2025) and one with KBLI 2025 56102 (non-permanent building) are two activities."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from office.report_export import report_sections
from office.reports import build_report
from storage.models import RequirementCheck

pytestmark = pytest.mark.postgres


async def test_checks_are_counted_and_titled_per_kbli_version(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as db, db.begin():
        for version, officer in (("KBLI2020", False), ("KBLI2020", False), ("KBLI2025", True)):
            db.add(
                RequirementCheck(
                    channel="webchat",
                    kbli="56102",
                    kbli_version=version,
                    rule_set_version=1,
                    scale="mikro",
                    needs_officer=officer,
                    created_at=datetime(2026, 6, 2, 3, 0, tzinfo=UTC),
                )
            )
    async with sessions() as db, db.begin():
        report = await build_report(db, date(2026, 6, 1), date(2026, 6, 30))
    rows = [(r.label, r.title, r.checks, r.needs_officer) for r in report.checks]
    assert rows == [
        ("KBLI 2020 56102", "Rumah/Warung Makan", 2, 0),
        ("KBLI 2025 56102", "Aktivitas Penyediaan Makanan di Bangunan Tidak Tetap", 1, 1),
    ]
    [checks] = [rows for title, _h, rows in report_sections(report) if "per kegiatan" in title]
    assert [row[0] for row in checks] == ["KBLI 2020 56102", "KBLI 2025 56102"]
