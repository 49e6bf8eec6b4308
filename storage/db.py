"""Engine and session factory for SQLite (aiosqlite, WAL) and PostgreSQL (asyncpg)."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import aiosqlite
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

# How long a transaction waits for another process (a CLI command, a second server) to release
# SQLite's write lock before giving up with "database is locked".
SQLITE_LOCK_WAIT_SECONDS = 30.0


def create_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    parsed = make_url(url)
    # Parameters (citizens' texts, NIKs in application data) never appear in logged SQL or in
    # the messages of database errors that reach the logs.
    kwargs: dict[str, Any] = {"echo": echo, "hide_parameters": True}
    if parsed.get_backend_name() == "sqlite":
        # The URL means what it means to SQLAlchemy (file path, `?uri=true`, options): its own
        # dialect turns it into sqlite3.connect() arguments.
        args, options = parsed.get_dialect()().create_connect_args(parsed)
        database = str(args[0])
        if database != ":memory:" and not options.get("uri"):
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        kwargs["async_creator"] = lambda: SameThreadSqlite.open(database, options)
        # SQLite has one writer at a time. With one connection per process, transactions queue
        # on the pool (an asyncio wait) instead of in SQLite's busy handler, which sleeps in
        # steps of up to 100 ms and made p99 latency under load ten times worse.
        if database != ":memory:":  # an in-memory database gets SQLAlchemy's single StaticPool
            kwargs.update(pool_size=1, max_overflow=0, pool_timeout=60)
        engine = create_async_engine(url, **kwargs)
        _configure_sqlite(engine)
        return engine
    kwargs.update(pool_size=10, max_overflow=20, pool_pre_ping=True)
    return create_async_engine(url, **kwargs)


class SameThreadSqlite(aiosqlite.Connection):
    """aiosqlite, with each call run on the event loop's own thread instead of aiosqlite's.

    aiosqlite hands every cursor, execute, fetch and close to a worker thread and back: about
    four thread switches per statement, which were half the time of a whole chat message
    (profiled: 5.4 ms per message with the hops, 2.7 ms without). A statement on a local WAL
    database takes microseconds, so running it in place is cheaper than the hand-off. SQLite's
    own busy handler would sleep on the loop's thread, so it is off (busy_timeout 0) and a
    locked database is waited for here with asyncio sleeps: the server keeps serving while a
    CLI command or another process holds the write lock.
    """

    @classmethod
    def open(cls, database: str, options: Mapping[str, Any]) -> SameThreadSqlite:
        # Opened on aiosqlite's thread, used on the loop's thread; never sleeps in SQLite.
        options = {**options, "timeout": 0, "check_same_thread": False}

        def connector() -> sqlite3.Connection:
            connection: sqlite3.Connection = sqlite3.connect(database, **options)
            return connection

        return cls(connector, iter_chunk_size=64)

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + SQLITE_LOCK_WAIT_SECONDS
        delay = 0.001
        while True:
            try:
                return fn(*args, **kwargs)
            except sqlite3.OperationalError as exc:
                # With BEGIN IMMEDIATE the lock is taken at BEGIN, before anything is done, so
                # a busy statement can simply be tried again.
                busy = (getattr(exc, "sqlite_errorcode", 0) & 0xFF) == sqlite3.SQLITE_BUSY
                if not busy or loop.time() + delay > deadline:
                    raise
            await asyncio.sleep(delay)
            delay = min(delay * 2, 0.05)


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Take the write lock at BEGIN (BEGIN IMMEDIATE): one writer at a time is SQLite's model,
        # and acquiring it up front avoids deadlocking read-then-write upgrades between sessions.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA busy_timeout=0")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
