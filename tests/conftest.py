"""Shared fixtures.

Storage-backed tests use `db_url`: a fresh SQLite file per test by default, or the PostgreSQL
database named by SIKETAN__DATABASE__URL (the `.ci/run` PostgreSQL pass sets it and selects the
tests marked `postgres`). The schema is built by the real Alembic migrations.
"""

from __future__ import annotations

import os
import socket
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from storage.db import create_engine, session_factory
from storage.migrate import upgrade_database

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(autouse=True)
def _no_internet(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail loudly on any connection that is not to this machine."""
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> object:
        host = address[0] if isinstance(address, tuple) else None
        if host is not None and not (
            str(host).startswith("127.") or host in ("localhost", "::1", "0.0.0.0")
        ):
            raise RuntimeError(f"test tried to reach the network: {address!r}")
        return real_connect(self, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", guarded)


def postgres_url() -> str | None:
    url = os.environ.get("SIKETAN__DATABASE__URL", "")
    return url if url.startswith("postgresql") else None


@pytest.fixture
def db_url(tmp_path: Path) -> Iterator[str]:
    url = postgres_url()
    if url is None:
        yield f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
        return
    import asyncio

    async def reset() -> None:
        engine = create_engine(url)
        async with engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
        await engine.dispose()

    asyncio.run(reset())
    yield url


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    await upgrade_database(db_url)
    eng = create_engine(db_url)
    yield eng
    await eng.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return session_factory(engine)


@pytest.fixture(scope="session")
def trained_model() -> Path:
    """The NLU artifact every server process in the tests loads (trained once per run)."""
    from tests.helpers import ensure_model

    return ensure_model()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    from tests.helpers import SHARED_MODEL

    SHARED_MODEL.unlink(missing_ok=True)
