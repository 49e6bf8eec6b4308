"""The citizen's web chat widget in real headless Chromium against the real server (issue 16).

What only a browser shows: keyboard and screen-reader access (with an axe-core scan), sending /
failed / resend, the typing indicator, upload progress and thumbnail, stale buttons, rendered
markup, the reference number on one line, and the widget at a cheap phone's width.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    FileChooser,
    Locator,
    Page,
    Request,
    Route,
    expect,
    sync_playwright,
)

from tests.browser.a11y import assert_accessible
from tests.browser.test_console import PASSWORD, open_queue_item, sign_in
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
PHONE = {"width": 360, "height": 640}
# Enabled buttons in a bubble older than the citizen's last message (there should be none).
STALE_BUT_ENABLED = """() => {
  const items = [...document.querySelectorAll('#log li')];
  const lastMine = items.map(li => li.classList.contains('me')).lastIndexOf(true);
  return items.slice(0, lastMine).flatMap(li => [...li.querySelectorAll('button:not([disabled])')])
    .filter(b => !b.classList.contains('resend')).map(b => b.textContent);
}"""  # a cheap Android phone, CSS pixels
# The focused element (id or words) and its outline, or None when focus left the page.
FOCUS_RING = """() => { const e = document.activeElement;
  if (!e || e === document.body) return null;
  const s = getComputedStyle(e);
  return [e.id || e.textContent.trim(), s.outlineStyle, parseFloat(s.outlineWidth)]; }"""
MESSAGES = re.compile(r"/api/webchat/sessions/[^/]+/messages$")


class Server(ServerProcess):
    """The real server, with an officer on duty around the clock (for the handoff test)."""

    def __init__(self, tmp: Path) -> None:
        self.db_url = f"sqlite+aiosqlite:///{tmp / 'webchat.db'}"
        env = server_env(
            self.db_url,
            tmp,
            SIKETAN__OFFICE__HOLIDAYS_COUNTRY="",
            SIKETAN__OFFICE__SESSION_SECRET="browser-test-secret",
            CONSOLE_TEST_PASSWORD=PASSWORD,
        )
        for day in ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"):
            env[f"SIKETAN__OFFICE__HOURS__{day}"] = "00:00-24:00"
        subprocess.run(
            [sys.executable, "-m", "bot", "officers", "add", "ani", "--name", "Ani",
             "--role", "admin", "--password-env", "CONSOLE_TEST_PASSWORD"],
            cwd=REPO, env=env, check=True, capture_output=True,
        )  # fmt: skip
        super().__init__(env, tmp)
        self.wait_ready()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, trained_model: Path) -> Iterator[Server]:
    s = Server(tmp_path_factory.mktemp("webchat"))
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
    ctx = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    ctx.set_default_timeout(15_000)
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture
def page(context: BrowserContext, server: Server) -> Page:
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server.base + "/")
    expect(page.locator("#log li.bot")).to_have_count(1)  # the greeting: the widget is ready
    return page


def say(page: Page, text: str) -> None:
    page.fill("#text", text)
    page.press("#text", "Enter")


def wait_until(page: Page, condition: Callable[[], bool], within: float = 15) -> None:
    """Let Playwright dispatch its events (route handlers) until `condition` holds."""
    deadline = time.monotonic() + within
    while not condition():
        assert time.monotonic() < deadline, "condition never held"
        page.wait_for_timeout(50)


def ask(page: Page, text: str) -> Locator:
    """Send `text` and wait for the bot's answer: its first new bubble (a fixed element)."""
    bots = page.locator("#log li.bot")
    before = bots.count()
    say(page, text)
    expect(bots).not_to_have_count(before)
    return bots.nth(before)


def last_bot(page: Page) -> Any:
    return page.locator("#log li.bot").last


def test_first_open_sends_nothing_on_the_citizens_behalf(
    context: BrowserContext, server: Server
) -> None:
    page = context.new_page()
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    page.goto(server.base + "/")
    expect(page.locator("#text")).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert posts == []
    expect(page.locator("#log li.me")).to_have_count(0)
    # The greeting and the menu are there all the same.
    greeting = page.locator("#log li.bot")
    expect(greeting).to_contain_text("selamat datang di SIKETAN")
    expect(greeting.get_by_role("button", name="Cek syarat izin")).to_be_enabled()


def test_bubbles_say_who_spoke_and_markup_is_rendered(page: Page) -> None:
    reply = ask(page, "bantuan")
    mine = page.locator("#log li.me").last
    expect(mine.locator(".who")).to_have_text("Anda: ")
    expect(mine).to_contain_text("Terkirim")
    expect(reply.locator(".who")).to_have_text("SIKETAN: ")
    # The help text marks its commands *menu*, *batal*: bold here, never literal asterisks.
    expect(reply.locator("strong", has_text="menu")).to_have_count(1)
    assert "*" not in reply.inner_text()
    assert_accessible(page)


def test_keyboard_alone_attaches_a_document(page: Page, tmp_path: Path) -> None:
    # Listening before the key press: the browser then hands the file dialog to the test.
    choosers: list[FileChooser] = []
    page.on("filechooser", lambda chooser: choosers.append(chooser))
    ask(page, "halo")
    attach = page.get_by_role("button", name=re.compile("Kirim dokumen"))
    page.focus("#text")
    page.keyboard.press("Shift+Tab")
    expect(attach).to_be_focused()
    photo = tmp_path / "ktp saya.png"
    photo.write_bytes(PNG)
    page.keyboard.press("Enter")
    wait_until(page, lambda: bool(choosers))
    choosers[0].set_files(str(photo))
    mine = page.locator("#log li.me").last
    # The citizen sees which picture went out, then that it arrived.
    expect(mine.locator("img.thumb")).to_have_attribute("alt", re.compile("ktp saya.png"))
    expect(mine).to_have_attribute("data-state", "sent")
    assert mine.locator("progress").evaluate("p => p.value") == 100
    assert_accessible(page)


def test_upload_progress_and_typing_indicator_show_while_the_server_works(
    page: Page, tmp_path: Path
) -> None:
    held: list[Route] = []
    page.route(re.compile(r"/files\?"), lambda route: held.append(route))
    ask(page, "halo")
    photo = tmp_path / "ktp.png"
    photo.write_bytes(PNG)
    page.set_input_files("#file", str(photo))
    mine = page.locator("#log li.me").last
    expect(mine.get_by_role("progressbar")).to_be_visible()
    expect(mine).to_have_attribute("data-state", "sending")
    expect(page.locator("#typing")).to_have_text("SIKETAN sedang mengetik…")
    wait_until(page, lambda: bool(held))
    held[0].continue_()
    expect(mine).to_have_attribute("data-state", "sent")
    expect(mine.get_by_role("progressbar")).to_be_hidden()
    expect(page.locator("#typing")).to_have_text("")


def test_a_failed_send_is_kept_and_resent_with_the_same_id(page: Page) -> None:
    sent: list[dict[str, Any]] = []

    def record(request: Request) -> None:
        if request.method == "POST" and MESSAGES.search(request.url):
            sent.append(json.loads(request.post_data or "{}"))

    page.on("request", record)
    ask(page, "halo")
    page.route(MESSAGES, lambda route: route.abort("connectionrefused"))
    say(page, "bantuan")
    mine = page.locator("#log li.me").last
    expect(mine).to_have_attribute("data-state", "failed")
    expect(mine).to_contain_text("Gagal terkirim.")
    resend = mine.get_by_role("button", name="Kirim ulang")
    expect(resend).to_be_focused()  # a keyboard user is right there
    assert_accessible(page)

    page.unroute(MESSAGES)
    resend.click()
    expect(mine).to_have_attribute("data-state", "sent")
    expect(last_bot(page)).to_contain_text("Perintah yang selalu bisa dipakai")
    texts = [b for b in sent if b.get("text") == "bantuan"]
    assert len(texts) == 2 and texts[0]["client_message_id"] == texts[1]["client_message_id"]
    expect(page.locator("#log li.me", has_text="bantuan")).to_have_count(1)


def test_used_and_stale_buttons_are_disabled(page: Page) -> None:
    menu = ask(page, "menu")
    expect(menu.locator(".buttons button")).not_to_have_count(0)
    menu.get_by_role("button", name="Info kantor").click()
    for button in menu.locator(".buttons button").all():
        expect(button).to_be_disabled()
    expect(menu.get_by_role("button", name="Info kantor")).to_have_class(re.compile("chosen"))
    expect(page.locator("#log li.bot", has_text="Basuki Rahmat")).to_have_count(1)
    # Only buttons that came after the citizen's last answer still work.
    stale = page.evaluate(STALE_BUT_ENABLED)
    assert stale == []


def test_buttons_go_stale_when_an_officer_joins(
    page: Page, server: Server, browser: Browser
) -> None:
    menu = ask(page, "menu")
    menu.get_by_role("button", name="Bicara dgn petugas").click()
    expect(last_bot(page)).to_contain_text("antrean")
    expect(page.locator("#log .buttons button:not([disabled])")).not_to_have_count(0)

    officer = browser.new_context()  # the officer's desktop browser
    try:
        console = officer.new_page()
        sign_in(console, server)  # type: ignore[arg-type]
        open_queue_item(console, server)  # type: ignore[arg-type]
        console.fill("#reply-text", "Selamat siang, saya Ani dari DPMPTSP.")
        console.click("#send")
        said = page.locator("#log li.officer")
        expect(said).to_contain_text("saya Ani dari DPMPTSP")
        expect(said.locator(".who")).to_be_visible()  # officers are named on screen too
        expect(page.locator("#log .buttons button:not([disabled])")).to_have_count(0)
    finally:
        officer.close()


def test_reference_number_stays_on_one_line(page: Page) -> None:
    say(page, "cek status SKT-2026-000123 untuk usaha bakso saya yang di kelurahan Jrebeng Kidul")
    refs = page.locator("#log .ref")
    expect(refs.first).to_have_text("SKT-2026-000123")
    for ref in refs.all():
        # A wrapped inline element has one box per line.
        assert ref.evaluate("r => r.getClientRects().length") == 1


def test_the_widget_fits_a_phone_with_large_targets_and_visible_focus(page: Page) -> None:
    expect(ask(page, "menu").locator(".buttons button")).not_to_have_count(0)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"page is {width}px wide on a {PHONE['width']}px screen"
    for selector in ("#attach", "#text", "#submit"):
        box = page.locator(selector).bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], selector
        assert box["y"] + box["height"] <= PHONE["height"], selector
    small = page.evaluate(
        """() => [...document.querySelectorAll('button, a, input:not([type=file])')]
             .filter(e => e.offsetParent !== null)
             .map(e => [e.textContent || e.id, e.getBoundingClientRect()])
             .filter(([, r]) => r.height < 44 || r.width < 44)
             .map(([name, r]) => `${name}: ${r.width}x${r.height}`)"""
    )
    assert small == []
    # Tab through every control from the top: each shows a visible focus ring.
    page.locator("header").click()  # the keyboard's starting point: the top of the page
    visited = []
    for _ in range(40):
        page.keyboard.press("Tab")
        focus = page.evaluate(FOCUS_RING)
        if focus is None or focus[0] in visited:
            break
        visited.append(focus[0])
        assert focus[1] != "none" and focus[2] >= 2, focus
    assert {"attach", "text", "submit", "Info kantor"} <= set(visited), visited
    assert_accessible(page)


def test_the_page_follows_the_chosen_language(page: Page) -> None:
    menu = ask(page, "menu")
    menu.get_by_role("button", name="English").click()
    expect(page.locator("#text")).to_have_attribute("placeholder", "Type a message…")
    expect(page.locator("#submit")).to_have_text("Send")
    expect(page.locator("#subtitle")).to_contain_text("Virtual licensing counter")
    expect(page.locator("#attach")).to_have_attribute("aria-label", re.compile("Send a document"))
    assert page.evaluate("document.documentElement.lang") == "en"
    page.reload()  # and it stays so
    expect(page.locator("#submit")).to_have_text("Send")


def test_after_a_reload_both_sides_are_there(page: Page) -> None:
    ask(page, "bantuan")
    menu = ask(page, "menu")
    menu.get_by_role("button", name="Info kantor").click()
    expect(page.locator("#log li.bot", has_text="Basuki Rahmat")).to_have_count(1)
    before = page.locator("#log li").all_inner_texts()
    page.reload()
    expect(page.locator("#log li.bot", has_text="Basuki Rahmat")).to_have_count(1)
    mine = page.locator("#log li.me")
    # Typed words and tapped buttons alike, in order, each said once.
    expect(mine).to_have_count(3)
    expect(mine.nth(0)).to_contain_text("bantuan")
    expect(mine.nth(2)).to_contain_text("Info kantor")
    after = page.locator("#log li").all_inner_texts()
    # The same bubbles as before, but for the greeting (shown to new visitors, never stored).
    strip = [re.sub(r"\s*✓?\s*Terkirim\s*$", "", t).strip() for t in before]
    assert [t.strip() for t in after] == strip[1:]


def test_an_officers_files_reach_the_citizen_as_documents(
    page: Page, server: Server, browser: Browser, tmp_path: Path
) -> None:
    ask(page, "menu").get_by_role("button", name="Bicara dgn petugas").click()
    expect(last_bot(page)).to_contain_text("antrean")
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    officer = browser.new_context()
    try:
        console = officer.new_page()
        sign_in(console, server)  # type: ignore[arg-type]
        open_queue_item(console, server)  # type: ignore[arg-type]
        for name, mime, data in (
            ("denah.png", "image/png", PNG),
            ("formulir.pdf", "application/pdf", pdf),
        ):
            console.set_input_files(
                "#officer-file", files=[{"name": name, "mimeType": mime, "buffer": data}]
            )
            console.click("#send-file")
            expect(page.locator("#log .doc", has_text=name)).to_have_count(1)
    finally:
        officer.close()

    image = page.locator("#log .doc", has_text="denah.png")
    expect(image).to_contain_text("Gambar PNG")
    preview = image.locator("img.preview")
    expect(preview).to_have_attribute("alt", "Pratinjau: denah.png")
    wait_until(page, lambda: preview.evaluate("i => i.complete && i.naturalWidth > 0"))

    card = page.locator("#log .doc", has_text="formulir.pdf")
    expect(card.locator(".meta")).to_have_text(f"PDF · {len(pdf)} B")
    with page.expect_download() as download:
        card.get_by_role("button", name=re.compile("Unduh")).click()
    assert download.value.suggested_filename == "formulir.pdf"
    assert Path(download.value.path()).read_bytes() == pdf
    assert_accessible(page)
