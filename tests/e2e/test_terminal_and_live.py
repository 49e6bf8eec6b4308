"""`siketan chat` in a real process, and the web chat WebSocket against a real server."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from tests.e2e.test_server_processes import Server
from tests.helpers import REPO


def test_terminal_chat_numbered_options(db_url: str, tmp_path: Path, trained_model: Path) -> None:
    env = {
        **os.environ,
        "SIKETAN__DATABASE__URL": db_url,
        "SIKETAN__NLU__MODEL_PATH": str(trained_model),
        "SIKETAN__FILES__ROOT": str(tmp_path / "files"),
    }
    # The bot greets with a numbered menu; "5" picks office information; then leave.
    result = subprocess.run(
        [sys.executable, "-m", "bot", "chat"],
        input="5\nkeluar\n",
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "SIKETAN: Halo Bapak/Ibu" in out
    assert "1. " in out and "5. Info kantor" in out
    assert "Jl. Basuki Rahmat" in out
    assert "Sampai jumpa" in out


async def test_websocket_pushes_replies_live(
    db_url: str, tmp_path: Path, trained_model: Path
) -> None:
    server = Server(db_url, tmp_path)
    try:
        await asyncio.to_thread(server.wait_ready)
        async with httpx.AsyncClient(base_url=server.base, timeout=30) as client:
            session = (await client.post("/api/webchat/sessions")).json()
            sid, token = session["session_id"], session["token"]
            ws_url = server.base.replace("http", "ws") + f"/api/webchat/sessions/{sid}/ws"
            with pytest.raises(InvalidStatus):
                async with connect(f"{ws_url}?token=wrong") as refused:
                    await refused.recv()
            async with connect(f"{ws_url}?token={token}") as ws:
                posted = await client.post(
                    f"/api/webchat/sessions/{sid}/messages",
                    json={"payload": "menu:office"},
                    headers={"Authorization": f"Bearer {token}"},
                )
                expected = [m["id"] for m in posted.json()["messages"]]
                pushed = []
                while len(pushed) < len(expected):
                    pushed.append(json.loads(await asyncio.wait_for(ws.recv(), 10)))
                assert [m["id"] for m in pushed] == expected
                assert "Basuki Rahmat" in pushed[0]["text"]
    finally:
        server.stop()
