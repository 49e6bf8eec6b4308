"""Database errors reaching the logs never carry the statement's parameters (texts, NIKs)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from storage.db import create_engine

NIK = "3574015012900001"


async def test_database_error_hides_parameters(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    try:
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE t (nik TEXT PRIMARY KEY)"))
            await conn.execute(text("INSERT INTO t VALUES (:nik)"), {"nik": NIK})
        with pytest.raises(IntegrityError) as err:
            async with engine.begin() as conn:
                await conn.execute(text("INSERT INTO t VALUES (:nik)"), {"nik": NIK})
        assert NIK not in str(err.value)
    finally:
        await engine.dispose()
