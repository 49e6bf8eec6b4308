"""The officer console in real headless Chromium against the real server process (issue 8).

Browser tests FAIL (never skip) when Chromium is missing: `.ci/run` installs it.
"""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from tests.browser.a11y import assert_accessible
from tests.contract.test_webchat_api import PNG
from tests.helpers import REPO, ServerProcess, server_env

pytestmark = pytest.mark.browser
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PASSWORD = "rahasia-sekali-123"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
XSS = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'


class Server(ServerProcess):
    def __init__(self, tmp: Path) -> None:
        self.db_url = f"sqlite+aiosqlite:///{tmp / 'console.db'}"
        env = server_env(
            self.db_url,
            tmp,
            SIKETAN__OFFICE__HOLIDAYS_COUNTRY="",
            SIKETAN__OFFICE__SESSION_SECRET="browser-test-secret",
            CONSOLE_TEST_PASSWORD=PASSWORD,
        )
        for day in ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"):
            # Officers on duty whenever the test runs.
            env[f"SIKETAN__OFFICE__HOURS__{day}"] = "00:00-24:00"
        for user, role in (("ani", "admin"), ("budi", "officer")):
            subprocess.run(
                [sys.executable, "-m", "bot", "officers", "add", user, "--name", user.title(),
                 "--role", role, "--password-env", "CONSOLE_TEST_PASSWORD"],
                cwd=REPO, env=env, check=True, capture_output=True,
            )  # fmt: skip
        super().__init__(env, tmp)
        self.wait_ready()


class Citizen:
    """A web-chat citizen, through the public API only."""

    def __init__(self, base: str) -> None:
        self.http = httpx.Client(base_url=base, timeout=15)
        r = self.http.post("/api/webchat/sessions")
        data = r.json()
        self.sid = data["session_id"]
        self.http.headers["Authorization"] = f"Bearer {data['token']}"

    def say(self, text: str) -> list[dict[str, Any]]:
        r = self.http.post(f"/api/webchat/sessions/{self.sid}/messages", json={"text": text})
        assert r.status_code == 200, r.text
        return list(r.json()["messages"])

    def upload(self, name: str, data: bytes) -> list[dict[str, Any]]:
        r = self.http.post(
            f"/api/webchat/sessions/{self.sid}/files", files={"file": (name, data, "image/png")}
        )
        assert r.status_code == 200, r.text
        return list(r.json()["messages"])

    def received(self) -> list[dict[str, Any]]:
        r = self.http.get(f"/api/webchat/sessions/{self.sid}/messages")
        return list(r.json()["messages"])

    def wait_for(self, needle: str, within: float = 10) -> dict[str, Any]:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            for m in self.received():
                if needle in m["text"]:
                    return m
            time.sleep(0.2)
        raise AssertionError(f"citizen never received {needle!r}: {self.received()}")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, trained_model: Path) -> Iterator[Server]:
    s = Server(tmp_path_factory.mktemp("console"))
    try:
        yield s
    finally:
        s.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: apt-get install -y chromium"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    # bypass_csp lets the accessibility scan inject axe-core; test_citizen_markup_shows_as_text
    # keeps the page's CSP on.
    ctx = browser.new_context(bypass_csp=True)
    ctx.set_default_timeout(15_000)
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture
def strict_context(browser: Browser) -> Iterator[BrowserContext]:
    ctx = browser.new_context()
    ctx.set_default_timeout(15_000)
    try:
        yield ctx
    finally:
        ctx.close()


def sign_in(page: Page, server: Server, user: str = "ani") -> None:
    page.goto(f"{server.base}/console")
    expect(page).to_have_url(re.compile(r"/console/login"))
    page.fill("#username", user)
    page.fill("#password", PASSWORD)
    page.click("#login")
    expect(page.locator("h1")).to_have_text("Antrean percakapan")


def open_queue_item(page: Page, server: Server) -> None:
    page.goto(f"{server.base}/console")
    page.locator("#queue-body tr").last.locator("button.claim").click()
    expect(page).to_have_url(re.compile(r"/console/conversations/\d+"))


def test_officer_takes_over_and_hands_back(server: Server, context: BrowserContext) -> None:
    citizen = Citizen(server.base)
    queued = citizen.say("petugas")
    assert "antrean" in queued[-1]["text"]
    page = context.new_page()
    sign_in(page, server)
    # The queue shows the waiting citizen (server-rendered, then kept live).
    expect(page.locator("#queue-body tr").first).to_contain_text("Web chat")
    assert_accessible(page)
    open_queue_item(page, server)
    expect(page.locator("#transcript")).to_contain_text("petugas")
    assert_accessible(page)

    page.fill("#reply-text", "Selamat siang, saya Ani dari DPMPTSP.")
    page.click("#send")
    reply = citizen.wait_for("saya Ani dari DPMPTSP")
    assert reply["author"] == "officer"
    # The citizen's answer appears live in the officer's page (no reload).
    assert citizen.say("Saya mau tanya NIB untuk warung bakso") == []
    expect(page.locator("#transcript")).to_contain_text("warung bakso")
    expect(page.locator("#transcript")).to_contain_text("saya Ani dari DPMPTSP")

    # Files both ways: the citizen's photo shows in the page, the officer's file reaches them.
    citizen.upload("foto ktp.png", PNG)
    expect(page.locator("#transcript img")).to_have_count(1)
    page.set_input_files("#officer-file", files=[
        {"name": "formulir.pdf", "mimeType": "application/pdf", "buffer": PDF}
    ])  # fmt: skip
    page.click("#send-file")
    document = citizen.wait_for("formulir.pdf")
    assert document["document"]["mime"] == "application/pdf"

    page.click("#close")
    citizen.wait_for("sudah selesai")
    answer = citizen.say("menu")
    assert answer and answer[-1]["buttons"], answer  # the bot is back


def test_citizen_markup_shows_as_text(server: Server, strict_context: BrowserContext) -> None:
    citizen = Citizen(server.base)
    citizen.say("petugas")
    citizen.say(XSS)  # rendered server-side when the page loads
    page = strict_context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    sign_in(page, server)
    open_queue_item(page, server)
    expect(page.locator("#transcript")).to_contain_text("<script>window.__pwned=1</script>")
    citizen.say(XSS + " live")  # appended live through the WebSocket
    expect(page.locator("#transcript")).to_contain_text('onerror="window.__pwned=2"> live')
    page.wait_for_timeout(500)
    assert page.evaluate("window.__pwned") is None
    assert page.locator("#transcript img").count() == 0
    assert page.locator("#transcript script").count() == 0
    assert dialogs == []


def test_requests_without_csrf_or_session_are_refused(
    server: Server, context: BrowserContext
) -> None:
    citizen = Citizen(server.base)
    citizen.say("petugas")
    page = context.new_page()
    sign_in(page, server, "budi")
    handoff_id = page.locator("#queue-body tr").last.get_attribute("data-id")
    # Signed in, but no CSRF token: refused, and the conversation stays in the queue.
    r = page.request.post(f"{server.base}/console/handoffs/{handoff_id}/claim", form={})
    assert r.status == 403
    r = page.request.post(
        f"{server.base}/console/handoffs/{handoff_id}/claim", form={"csrf_token": "forged"}
    )
    assert r.status == 403
    r = page.request.post(
        f"{server.base}/console/api/handoffs/{handoff_id}/reply",
        data='{"text": "x"}',
        headers={"Content-Type": "application/json"},
    )
    assert r.status == 403
    # No session at all.
    anonymous = httpx.post(
        f"{server.base}/console/api/handoffs/{handoff_id}/reply",
        json={"text": "x"},
        headers={"X-CSRF-Token": "whatever"},
    )
    assert anonymous.status_code == 401
    assert httpx.get(f"{server.base}/console/api/queue").status_code == 401
    # A login form posted without its token (cross-site login) is refused too.
    forged_login = httpx.post(
        f"{server.base}/console/login", data={"username": "ani", "password": PASSWORD}
    )
    assert forged_login.status_code == 403
    # Sign-out ends the session on the server.
    page.goto(f"{server.base}/console")
    page.click("#logout")
    expect(page).to_have_url(re.compile(r"/console/login"))
    assert page.request.get(f"{server.base}/console/api/queue").status == 401
    assert not any(c["name"] == "siketan_console" for c in context.cookies())


def test_session_cookie_flags(server: Server, context: BrowserContext) -> None:
    page = context.new_page()
    sign_in(page, server)
    cookie = next(c for c in context.cookies() if c["name"] == "siketan_console")
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Lax"


def test_status_change_reaches_the_citizen(server: Server, context: BrowserContext) -> None:
    citizen = Citizen(server.base)
    citizen.say("menu")
    # Playwright's sync API runs an event loop in this thread: use another one for the setup.
    with ThreadPoolExecutor(1) as pool:
        reference = pool.submit(
            asyncio.run, _insert_application(server.db_url, citizen.sid)
        ).result()
    page = context.new_page()
    sign_in(page, server)
    page.goto(f"{server.base}/console/applications")
    expect(page.locator("table.apps")).to_contain_text(reference)
    page.click(f"text={reference}")
    expect(page.locator("#app-status")).to_have_text("Diajukan")
    assert_accessible(page)
    page.select_option("#new-status", "in_review")
    page.fill("#status-note", "Berkas sedang kami periksa.")
    page.click("#change-status")
    expect(page.locator("#app-status")).to_have_text("Diperiksa")
    told = citizen.wait_for(reference)
    assert "Berkas sedang kami periksa." in told["text"]


async def _insert_application(db_url: str, sid: str) -> str:
    """A submitted application from this web-chat citizen (as the application form stores it)."""
    from sqlalchemy import select

    from storage.db import create_engine, session_factory
    from storage.models import Application, Conversation

    engine = create_engine(db_url)
    try:
        async with session_factory(engine)() as db, db.begin():
            conv = (
                await db.execute(select(Conversation).where(Conversation.chat_id == sid))
            ).scalar_one()
            reference = f"SKT-2026-{conv.id:06d}"
            db.add(
                Application(
                    reference=reference,
                    conversation_id=conv.id,
                    channel="webchat",
                    chat_id=sid,
                    applicant={"name": "Siti <b>Aminah</b>", "nik": "3574015501900001"},
                    business={"name": "Warung Bakso Pak Kumis"},
                    location={"kecamatan": "Mayangan"},
                    kbli="56101",
                    kbli_version="KBLI2025",
                    kbli_title="Rumah makan",
                    decision={"risk_level": "rendah"},
                    rule_set_version=1,
                    status="submitted",
                    due_date=date.today() + timedelta(days=7),
                )
            )
        return reference
    finally:
        await engine.dispose()
