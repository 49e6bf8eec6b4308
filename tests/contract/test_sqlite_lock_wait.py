"""SQLite runs statements on the event loop's thread: a locked database must not freeze the loop.

Another process (a `siketan` CLI command, a second server) may hold SQLite's write lock. The
server then waits with asyncio sleeps, keeps serving other work, and goes on once the lock is
free; past the configured wait it fails with "database is locked" and nothing of the message is
kept.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

import storage.db
from bot.app import build_app
from dialogs.messages import ConversationKey, Inbound
from storage.migrate import upgrade_database
from storage.models import TranscriptMessage
from tests.helpers import settings_for


def msg(mid: str) -> Inbound:
    return Inbound(key=ConversationKey("webchat", "c1"), message_id=mid, payload="menu:office")


def other_process_lock(path: Path) -> sqlite3.Connection:
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    return holder


async def test_waits_for_another_writer_without_blocking_the_loop(tmp_path: Path) -> None:
    path = tmp_path / "lock.db"
    url = f"sqlite+aiosqlite:///{path}"
    await upgrade_database(url)
    app = build_app(settings_for(url, tmp_path))
    try:
        await app.pipeline.handle(msg("warm"))  # connection opened before the lock is taken
        holder = other_process_lock(path)
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.01)
                ticks += 1

        tick_task = asyncio.create_task(ticker())
        started = time.monotonic()
        handling = asyncio.create_task(app.pipeline.handle(msg("m1")))
        await asyncio.sleep(0.4)
        assert not handling.done()  # still waiting for the lock ...
        assert ticks >= 20  # ... while the loop kept running other work
        holder.commit()
        holder.close()
        result = await asyncio.wait_for(handling, 5)
        tick_task.cancel()
        assert time.monotonic() - started >= 0.4
        assert not result.duplicate
        assert "Basuki Rahmat" in result.replies[0].message.text
    finally:
        await app.stop()


async def test_gives_up_after_the_wait_and_keeps_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "lock.db"
    url = f"sqlite+aiosqlite:///{path}"
    await upgrade_database(url)
    monkeypatch.setattr(storage.db, "SQLITE_LOCK_WAIT_SECONDS", 0.3)
    app = build_app(settings_for(url, tmp_path))
    try:
        await app.pipeline.handle(msg("warm"))
        holder = other_process_lock(path)
        try:
            with pytest.raises(Exception, match="database is locked"):
                await app.pipeline.handle(msg("m1"))
        finally:
            holder.rollback()
            holder.close()
        # Nothing of m1 was kept, so its redelivery is processed normally.
        again = await app.pipeline.handle(msg("m1"))
        assert not again.duplicate and again.replies
        async with app.sessions() as db:
            count = select(func.count()).select_from(TranscriptMessage)
            incoming = count.where(TranscriptMessage.direction == "in")
            assert (await db.execute(incoming)).scalar_one() == 2
    finally:
        await app.stop()


async def test_sqlite_urls_keep_their_sqlalchemy_meaning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The engine opens SQLite itself, so it must read URLs as SQLAlchemy does: a relative path
    # (parent folder created), a `file:` URI with `?uri=true`, and an in-memory database.
    from sqlalchemy import text

    monkeypatch.chdir(tmp_path)
    urls = [
        "sqlite+aiosqlite:///var/a.db",
        "sqlite+aiosqlite:///file:b.db?mode=rwc&uri=true",
        "sqlite+aiosqlite://",
    ]
    for url in urls:
        engine = storage.db.create_engine(url)
        try:
            async with engine.begin() as conn:
                assert (await conn.execute(text("SELECT 1"))).scalar_one() == 1
        finally:
            await engine.dispose()
    assert (tmp_path / "var" / "a.db").is_file() and (tmp_path / "b.db").is_file()
