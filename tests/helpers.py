"""Test helpers shared by several test modules."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx

from bot.app import App, build_app
from bot.settings import Settings, load_settings
from bot.web import create_web_app
from storage.migrate import upgrade_database

# One trained NLU artifact for the whole test run (training takes seconds, not per test).
SHARED_MODEL = Path(tempfile.gettempdir()) / f"siketan-test-nlu-{os.getpid()}.joblib"


def ensure_model() -> Path:
    """Train the NLU once per test run; every app and server process in the tests loads it."""
    if not SHARED_MODEL.exists():
        from nlu import NluEngine
        from permit_rules import load_everyday_words

        NluEngine.train(everyday_words=load_everyday_words()).save(SHARED_MODEL)
    return SHARED_MODEL


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def settings_for(db_url: str, tmp_path: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "database": {"url": db_url},
        "files": {"root": tmp_path / "files"},
        "nlu": {"model_path": ensure_model()},
    }
    values.update(overrides)
    return load_settings(None, **values)


@asynccontextmanager
async def running_app(settings: Settings) -> AsyncIterator[tuple[App, httpx.AsyncClient]]:
    """The real app in this process, served through ASGI (no sockets)."""
    await upgrade_database(settings.database.url)
    app = build_app(settings)
    web = create_web_app(app, run_background=False)
    await app.start(run_outbox=False)
    transport = httpx.ASGITransport(app=web)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://siketan.test") as client:
            yield app, client
    finally:
        await app.stop()


async def new_session(client: httpx.AsyncClient) -> tuple[str, dict[str, str]]:
    r = await client.post("/api/webchat/sessions")
    assert r.status_code == 201
    data = r.json()
    return data["session_id"], {"Authorization": f"Bearer {data['token']}"}


REPO = Path(__file__).resolve().parent.parent

# A web chat citizen's requirements guide for a food stall, message by message; the last reply
# is the answer ("Hasil cek izin ...").
FOOD_STALL_REQUIREMENTS: tuple[dict[str, str], ...] = (
    {"payload": "menu:requirements"},
    {"text": "jualan bakso di warung"},
    {"payload": "kbli:56101"},  # KBLI 2025: food in a permanent building
    {"payload": "running:new"},
    {"text": "50 juta"},
)


class ServerProcess:
    """`siketan serve` in its own process on a free port, with settings from `env`."""

    def __init__(self, env: dict[str, str], log_dir: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = env
        self.log = open(log_dir / f"server-{self.port}.log", "wb")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve", "--port", str(self.port)],
            cwd=REPO,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {Path(self.log.name).read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.base}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError("server did not become ready")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()


def server_env(db_url: str, tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "SIKETAN__DATABASE__URL": db_url,
        "SIKETAN__NLU__MODEL_PATH": str(ensure_model()),
        "SIKETAN__FILES__ROOT": str(tmp_path / "files"),
        **extra,
    }
