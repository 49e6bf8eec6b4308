"""The real server (`siketan serve`) in separate processes, driven over HTTP.

On SQLite one process serves; on PostgreSQL two processes serve the same database and each
conversation's messages alternate between them, so per-conversation order has to come from
the database lock, not from one process's memory.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import postgres_url
from tests.helpers import ServerProcess, server_env

pytestmark = pytest.mark.postgres


class Server(ServerProcess):
    def __init__(self, db_url: str, tmp_path: Path) -> None:
        super().__init__(server_env(db_url, tmp_path), tmp_path)


@pytest.fixture
def servers(db_url: str, tmp_path: Path, trained_model: Path) -> Iterator[list[Server]]:
    count = 2 if postgres_url() else 1
    started = [Server(db_url, tmp_path) for _ in range(count)]
    try:
        for s in started:
            s.wait_ready()
        yield started
    finally:
        for s in started:
            s.stop()


async def test_fifty_conversations_twenty_messages_over_http(servers: list[Server]) -> None:
    async with httpx.AsyncClient(timeout=30) as client:

        async def converse(c: int) -> None:
            r = await client.post(f"{servers[0].base}/api/webchat/sessions")
            sid, token = r.json()["session_id"], r.json()["token"]
            auth = {"Authorization": f"Bearer {token}"}
            expected: list[str] = []
            for i in range(20):
                server = servers[i % len(servers)]
                payload = "menu:office" if i % 2 == 0 else "cmd:menu"
                r = await client.post(
                    f"{server.base}/api/webchat/sessions/{sid}/messages",
                    json={"payload": payload, "client_message_id": f"{c}-{i}"},
                    headers=auth,
                )
                assert r.status_code == 200, r.text
                replies = r.json()["messages"]
                assert replies
                expected += [m["text"] for m in replies]
                first = replies[0]["text"]
                assert ("Basuki Rahmat" in first) == (i % 2 == 0)
            history = await client.get(
                f"{servers[-1].base}/api/webchat/sessions/{sid}/messages", headers=auth
            )
            assert [m["text"] for m in history.json()["messages"]] == expected

        await asyncio.gather(*(converse(c) for c in range(50)))


async def test_conversation_continues_after_restart(
    db_url: str, tmp_path: Path, trained_model: Path
) -> None:
    server = Server(db_url, tmp_path)
    try:
        server.wait_ready()
        async with httpx.AsyncClient(timeout=30) as client:
            r = await client.post(f"{server.base}/api/webchat/sessions")
            sid, auth = r.json()["session_id"], {"Authorization": f"Bearer {r.json()['token']}"}
            r = await client.post(
                f"{server.base}/api/webchat/sessions/{sid}/messages",
                json={"text": "menu"},
                headers=auth,
            )
            assert r.json()["messages"][-1]["buttons"]
    finally:
        server.stop()
    again = Server(db_url, tmp_path)
    try:
        again.wait_ready()
        async with httpx.AsyncClient(timeout=30) as client:
            r = await client.post(
                f"{again.base}/api/webchat/sessions/{sid}/messages",
                json={"text": "5"},
                headers=auth,
            )
            assert "Basuki Rahmat" in r.json()["messages"][0]["text"]
    finally:
        again.stop()
