"""Operating the real server process: its request log, its hints, and stopping it (issue 16)."""

from __future__ import annotations

import asyncio
import re
import shlex
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import websockets

from tests.helpers import REPO, ServerProcess, server_env


class Server(ServerProcess):
    def __init__(self, tmp: Path) -> None:
        super().__init__(server_env(f"sqlite+aiosqlite:///{tmp / 'ops.db'}", tmp), tmp)
        self.wait_ready()

    def output(self) -> str:
        self.log.flush()
        return Path(self.log.name).read_text(encoding="utf-8", errors="replace")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, trained_model: Path) -> Iterator[Server]:
    s = Server(tmp_path_factory.mktemp("ops"))
    try:
        yield s
    finally:
        s.stop()


@pytest.fixture
def own_server(tmp_path: Path, trained_model: Path) -> Iterator[Server]:
    """A server this test may stop."""
    s = Server(tmp_path)
    try:
        yield s
    finally:
        s.stop()


def _session(server: Server) -> tuple[str, str]:
    data = httpx.post(f"{server.base}/api/webchat/sessions", timeout=10).json()
    return str(data["session_id"]), str(data["token"])


def _ws_url(server: Server, sid: str, token: str) -> str:
    return f"ws://127.0.0.1:{server.port}/api/webchat/sessions/{sid}/ws?token={token}&after=0"


def test_one_log_line_per_request_without_tokens(server: Server) -> None:
    sid, token = _session(server)
    auth = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=server.base, headers=auth, timeout=10) as http:
        assert http.get(f"/api/webchat/sessions/{sid}/messages?after=0").status_code == 200
        assert http.get("/no-such-page?token=leak-me").status_code == 404

    async def open_socket() -> None:
        async with websockets.connect(_ws_url(server, sid, token)):
            pass

    asyncio.run(open_socket())
    deadline = time.monotonic() + 10
    while "WS /api/webchat" not in server.output() and time.monotonic() < deadline:
        time.sleep(0.1)
    lines = server.output().splitlines()
    request_lines = [line for line in lines if " siketan.http " in line]
    pattern = r"INFO siketan\.http (GET|POST|WS) (/\S*) (\d{3}) \d+\.\d ms$"
    seen = [re.search(pattern, line) for line in request_lines]
    assert all(seen), request_lines
    assert {(m.group(1), m.group(2), m.group(3)) for m in seen if m} >= {
        ("POST", "/api/webchat/sessions", "201"),
        ("GET", f"/api/webchat/sessions/{sid}/messages", "200"),
        ("GET", "/no-such-page", "404"),
        ("WS", f"/api/webchat/sessions/{sid}/ws", "101"),
    }
    output = server.output()
    assert token not in output
    assert "leak-me" not in output


def test_the_admin_hint_is_a_command_that_runs(server: Server) -> None:
    found = re.search(
        r"No console admin yet: (.+) officers add <username> --role admin", server.output()
    )
    assert found, server.output()[-2000:]
    done = subprocess.run(
        [*shlex.split(found.group(1)), "officers", "add", "--help"],
        cwd=REPO, env=server.env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "--role" in done.stdout


def test_sigterm_stops_the_server_within_5_seconds_with_connections_open(
    own_server: Server,
) -> None:
    server = own_server
    sessions = [_session(server) for _ in range(3)]

    async def scenario() -> tuple[list[int | None], float]:
        sockets = [await websockets.connect(_ws_url(server, sid, token)) for sid, token in sessions]
        async with httpx.AsyncClient(base_url=server.base, timeout=10) as keep_alive:
            assert (await keep_alive.get("/healthz")).status_code == 200
            sent = time.monotonic()
            server.proc.send_signal(signal.SIGTERM)
            codes: list[int | None] = []
            for ws in sockets:
                with pytest.raises(websockets.ConnectionClosed):
                    await asyncio.wait_for(ws.recv(), 5)
                codes.append(ws.close_code)
            return codes, sent

    codes, sent = asyncio.run(scenario())
    # A clean close frame ("service restart"): the widget and the console reconnect by themselves.
    assert codes == [1012, 1012, 1012]
    try:
        status = server.proc.wait(max(0.0, sent + 5 - time.monotonic()))
    except subprocess.TimeoutExpired:
        pytest.fail("the server was still running 5 s after SIGTERM")
    # uvicorn re-raises the signal once it has shut down, so the status says "ended by SIGTERM".
    assert status in (0, -signal.SIGTERM)
