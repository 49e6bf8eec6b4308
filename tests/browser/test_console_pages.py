"""What officers read in the console, in real Chromium (issue 17): the applications list and its
filters, an application formatted for people, a conversation opened at its newest message, the
queue and a conversation on a 390 px phone, and an accessibility scan (axe-core) of each page."""

from __future__ import annotations

import asyncio
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.browser.a11y import assert_accessible
from tests.browser.test_console import (  # noqa: F401 - fixtures used by name
    Citizen,
    Server,
    browser,
    context,
    server,
    sign_in,
)

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
TODAY = date.today()


def run(coro: Any) -> Any:
    # Playwright's sync API runs an event loop in this thread: use another one for the setup.
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


async def add_applications(db_url: str, sid: str) -> dict[str, tuple[int, str]]:
    """Three applications of this web-chat citizen, as the application form stores them."""
    from sqlalchemy import select

    from permit_rules import BusinessProfile, decision_to_json, evaluate, load_default_rule_set
    from storage.db import create_engine, session_factory
    from storage.models import Application, Conversation

    profile = BusinessProfile(
        kbli="56101", capital=30_000_000, annual_sales=None, existed_before_2021=False,
        land_area_m2=None, workers=None, conditions={},
    )  # fmt: skip
    decision = decision_to_json(evaluate(load_default_rule_set(), profile, version=1))
    people = {
        "late": ("Siti Aminah", "3574015501900001", "Warung Bakso Bu Siti", -3, "in_review"),
        "soon": ("Budi Santoso", "3574010101800042", "Bengkel Budi", 4, "submitted"),
        "done": ("Wati", "3574010101800077", "Toko Wati", -10, "completed"),
    }
    engine = create_engine(db_url)
    made: dict[str, tuple[int, str]] = {}
    try:
        async with session_factory(engine)() as db, db.begin():
            conv = (
                await db.execute(select(Conversation).where(Conversation.chat_id == sid))
            ).scalar_one()
            for key, (name, nik, business, days, status) in people.items():
                reference = f"SKT-2026-{conv.id:04d}{len(made) + 1:02d}"
                row = Application(
                    reference=reference, conversation_id=conv.id, channel="webchat",
                    chat_id=sid,
                    applicant={"full_name": name, "nik": nik, "phone": "081234567890",
                               "email": ""},
                    business={"business_name": business, "description": "jualan bakso",
                              "running": "new", "capital": 30_000_000, "annual_sales": None,
                              "land_area": None, "workers": None, "conditions": {}},
                    location={"address": "Jl. Mawar 1", "kecamatan": "Mayangan",
                              "kelurahan": "Mangunharjo", "city": "Kota Probolinggo"},
                    kbli="56101", kbli_version="KBLI2025", kbli_title=decision["kbli_title"],
                    decision=decision,
                    rule_set_version=1, status=status, due_date=TODAY + timedelta(days=days),
                )  # fmt: skip
                db.add(row)
                await db.flush()
                made[key] = (row.id, reference)
        return made
    finally:
        await engine.dispose()


@pytest.fixture(scope="module")
def applications(server: Server) -> dict[str, tuple[int, str]]:  # noqa: F811
    citizen = Citizen(server.base)
    citizen.say("menu")
    made: dict[str, tuple[int, str]] = run(add_applications(server.db_url, citizen.sid))
    return made


def rows(page: Page) -> list[str]:
    return [str(r) for r in page.locator("table.apps tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.reference || '')"
    )]  # fmt: skip


def test_applications_list_shows_who_what_and_when(
    server: Server,  # noqa: F811
    context: BrowserContext,  # noqa: F811
    applications: dict[str, tuple[int, str]],
) -> None:
    page = context.new_page()
    sign_in(page, server)
    page.goto(f"{server.base}/console/applications")
    late = page.locator(f'tr[data-reference="{applications["late"][1]}"]')
    expect(late.locator(".name")).to_have_text("Siti Aminah")
    expect(late.locator(".business")).to_have_text("Warung Bakso Bu Siti")
    # The code travels with its KBLI version (2020 and 2025 share codes).
    expect(late.locator(".kbli")).to_have_text(
        re.compile(r"^56101 \(KBLI 2025\) Aktivitas Penyediaan Makanan")
    )
    expect(late).to_contain_text("Usaha Mikro")
    expect(late.locator(".due .late")).to_have_text("(terlambat 3 hari)")
    assert "overdue" in (late.get_attribute("class") or "")
    color = late.locator(".due .late").evaluate("e => getComputedStyle(e).color")
    assert color == "rgb(164, 36, 26)"  # red
    soon = page.locator(f'tr[data-reference="{applications["soon"][1]}"]')
    expect(soon.locator(".due")).to_contain_text("4 hari lagi")
    # Overdue first.
    ours = [r for r in rows(page) if r in {ref for _, ref in applications.values()}]
    assert ours[0] == applications["late"][1]
    assert_accessible(page)

    # Search by name, by the NIK's last digits, by reference; filter by status.
    for query, expected in (
        ("budi", "soon"),
        ("0077", "done"),
        (applications["late"][1], "late"),
    ):
        page.fill("#app-search", query)
        page.click("#app-filter")
        assert rows(page) == [applications[expected][1]], query
    page.fill("#app-search", "")
    page.select_option("#app-status-filter", "completed")
    page.click("#app-filter")
    assert applications["done"][1] in rows(page)
    assert applications["late"][1] not in rows(page)


def test_application_page_reads_like_a_form_not_a_dump(
    server: Server,  # noqa: F811
    context: BrowserContext,  # noqa: F811
    applications: dict[str, tuple[int, str]],
) -> None:
    page = context.new_page()
    sign_in(page, server)
    page.goto(f"{server.base}/console/applications/{applications['late'][0]}")
    main = page.locator("main")
    for shown in (
        "Nama lengkap",
        "Siti Aminah",
        "Modal usaha",
        "Rp30.000.000",
        "Belum, baru mau mulai",
        "Kecamatan",
        "Mayangan",
        "Usaha Mikro",
    ):
        expect(main).to_contain_text(shown)  # fmt: skip
    text = main.inner_text()
    for raw in ("full_name", "running", "30000000", "None", "{}", "3574015501900001"):
        assert raw not in text.replace("Data keputusan lengkap (JSON)", ""), raw
    months = (
        "Januari|Februari|Maret|April|Mei|Juni|Juli|Agustus|September|Oktober|November|Desember"
    )
    expect(page.locator("#app-due")).to_have_text(re.compile(rf"^\d{{1,2}} ({months}) \d{{4}}$"))
    # The decision as the citizen saw it: permits with their due time, fee and legal basis.
    nib = page.locator('#decision-permits tr[data-code="NIB"]')
    expect(nib).to_contain_text("Nomor Induk Berusaha")
    expect(nib.locator(".due")).to_contain_text("hari itu juga")
    expect(nib).to_contain_text("PP 28/2025")
    expect(page.locator("#rule-version")).to_have_text("1")
    assert page.locator("pre.decision").is_hidden()  # the JSON only on request
    assert_accessible(page)


def test_conversation_opens_at_the_newest_message(
    server: Server,  # noqa: F811
    context: BrowserContext,  # noqa: F811
) -> None:
    citizen = Citizen(server.base)
    citizen.say("petugas")
    for n in range(15):  # under the web chat limit of 30 a minute
        citizen.say(f"pesan nomor {n} dari warga yang menunggu")
    page = context.new_page()
    sign_in(page, server, "budi")
    row = page.locator("#queue-body tr").last
    expect(row).to_contain_text("pesan nomor 14")  # the follow-up, not only the request
    expect(row.locator(".name")).not_to_have_text(re.compile(r"^[0-9a-f-]{6}$"))
    row.locator("button.claim").click()
    expect(page).to_have_url(re.compile(r"/console/conversations/\d+"))
    expect(page.locator("#conversation-title")).to_contain_text("Web chat")
    assert not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}", page.locator("h1").inner_text())
    expect(page.locator("#transcript li").last).to_contain_text("bergabung")  # the claim
    transcript = page.locator("#transcript")
    page.wait_for_function(
        "t => t.scrollHeight > t.clientHeight"
        " && Math.abs(t.scrollHeight - t.clientHeight - t.scrollTop) < 4",
        arg=transcript.element_handle(),
    )
    # The citizen's last words are on screen without scrolling; the first ones are not.
    view = transcript.bounding_box()
    last = page.locator("#transcript li", has_text="pesan nomor 14").bounding_box()
    first = page.locator("#transcript li", has_text="pesan nomor 0 ").bounding_box()
    assert view and last and first
    assert view["y"] <= last["y"] and last["y"] + last["height"] <= view["y"] + view["height"]
    assert first["y"] < view["y"]
    heights = page.locator("#transcript li.citizen .text").evaluate_all(
        "els => els.map(e => e.getBoundingClientRect().height)"
    )
    assert max(heights) < 60, heights  # one-line messages are one line, not 200 px
    assert_accessible(page)


def _fits(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide on a {PHONE['width']} px phone"


def test_phone_queue_and_conversation_fit_the_screen(
    server: Server,  # noqa: F811
    browser: Browser,  # noqa: F811
    applications: dict[str, tuple[int, str]],
) -> None:
    citizen = Citizen(server.base)
    citizen.say("petugas")
    citizen.say("Permisi, saya mau tanya izin usaha laundry kiloan di rumah, syaratnya apa saja?")
    phone = browser.new_context(viewport=PHONE, bypass_csp=True, is_mobile=True, has_touch=True)
    phone.set_default_timeout(15_000)
    try:
        page = phone.new_page()
        sign_in(page, server, "budi")
        _fits(page)
        claim = page.locator("#queue-body tr").last.locator("button.claim")
        box = claim.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        assert box["height"] >= 44
        assert_accessible(page)
        claim.click()
        expect(page).to_have_url(re.compile(r"/console/conversations/\d+"))
        _fits(page)
        reply = page.locator("#send").bounding_box()
        assert reply is not None and reply["x"] + reply["width"] <= PHONE["width"]
        page.fill("#reply-text", "Baik Bu, saya bantu.")
        page.click("#send")
        expect(page.locator("#transcript")).to_contain_text("saya bantu")
        page.goto(f"{server.base}/console/applications")
        _fits(page)
        page.locator("table.apps a.ref").first.click()
        expect(page.locator("#change-status, #send-result").first).to_be_visible()
        _fits(page)
        assert_accessible(page)
    finally:
        phone.close()


def test_every_officer_page_passes_the_accessibility_scan(
    server: Server,  # noqa: F811
    context: BrowserContext,  # noqa: F811
    applications: dict[str, tuple[int, str]],
) -> None:
    page = context.new_page()
    page.goto(f"{server.base}/console/login")
    assert_accessible(page)
    sign_in(page, server, "budi")
    for path in ("/console", "/console/applications", "/console/canned"):
        page.goto(f"{server.base}{path}")
        assert_accessible(page)
    # The confirmation before a final status.
    page.goto(f"{server.base}/console/applications/{applications['soon'][0]}")
    page.select_option("#new-status", "rejected")
    page.fill("#status-note", "Lokasi usaha di luar Kota Probolinggo.")
    page.click("#change-status")
    expect(page.locator("#confirm-warning")).to_contain_text("tidak dapat diubah lagi")
    assert_accessible(page)
