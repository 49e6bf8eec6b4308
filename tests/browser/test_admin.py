"""The rules editor and the reports in real headless Chromium against the real server process
(issue 9): an admin changes a due time, previews it, publishes, and the bot's next answer in the
web chat gives the new due time.

Reuses the console tests' server, browser and sign-in (a module-scoped server of its own). The
citizen talks to a SECOND server process on the same database, so the published version must
travel through the database, not through anything in the publishing process's memory.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, expect

from tests.browser.test_console import (  # noqa: F401 - fixtures used by name
    Citizen,
    Server,
    browser,
    context,
    server,
    sign_in,
)
from tests.helpers import FOOD_STALL_REQUIREMENTS, ServerProcess

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def second(server: Server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:  # noqa: F811
    """Another `siketan serve` process on the same database; yields its base URL."""
    other = ServerProcess(server.env, tmp_path_factory.mktemp("second"))
    try:
        other.wait_ready()
        yield other.base
    finally:
        other.stop()


def requirements_answer(citizen: Citizen) -> str:
    """The citizen runs the requirements guide for a food stall through the web chat API."""
    url = f"/api/webchat/sessions/{citizen.sid}/messages"
    messages: list[dict[str, Any]] = []
    for body in FOOD_STALL_REQUIREMENTS:
        r = citizen.http.post(url, json=body)
        assert r.status_code == 200, r.text
        messages = r.json()["messages"]
    answer = "\n".join(m["text"] for m in messages)
    assert "Hasil cek izin" in answer, answer
    return answer


def test_admin_changes_a_due_time_and_the_bot_answers_with_it(
    server: Server,  # noqa: F811
    second: str,
    context: BrowserContext,  # noqa: F811
) -> None:
    before = requirements_answer(Citizen(second))
    assert "hari itu juga" in before and "versi 1" in before

    page = context.new_page()
    sign_in(page, server)
    page.click("nav >> text=Aturan")
    expect(page.locator("h1")).to_have_text("Aturan perizinan")
    page.fill("#rule-search", "warung bakso")
    page.keyboard.press("Enter")
    expect(page.locator("table.rules")).to_contain_text("56101")
    page.click("#new-draft")
    expect(page).to_have_url(re.compile(r"/console/rules/drafts/\d+$"))
    draft_url = page.url
    page.click("summary >> text=Izin dalam katalog aturan")
    page.click('.permit-list a[href^="/console/rules/permits/NIB?"]')
    due = page.locator("#f-permits-NIB-due-working-days")

    # A wrong value is refused with the error next to the field, and the entry is kept.
    due.fill("-1")
    page.click("#save-permit")
    error = page.locator('.field-error[data-for="permits.NIB.due_working_days"]')
    expect(error).to_contain_text("greater than or equal to 0")
    expect(due).to_have_value("-1")

    due.fill("2")
    page.click("#save-permit")
    expect(page.locator(".field-error")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("Tersimpan ke draf.")
    expect(due).to_have_value("2")

    # Preview: the draft's answer beside the published one.
    page.goto(draft_url)
    expect(page.locator("#diff")).to_contain_text("+    due_working_days: 2")
    page.click("text=Pratinjau keputusan")
    page.fill("#p-kbli", "56101")
    page.fill("#p-capital", "50000000")
    page.click("#preview")
    expect(page.locator('#preview-draft tr[data-code="NIB"] .due')).to_contain_text("2 hari kerja")
    expect(page.locator('#preview-published tr[data-code="NIB"] .due')).to_contain_text(
        "0 hari kerja"
    )

    page.goto(draft_url)
    page.click("#publish")
    expect(page.locator("#active-version")).to_have_text("2")
    expect(page.locator("#published-note")).to_contain_text("Versi 2 diterbitkan")
    expect(page.locator("#history")).to_contain_text("ani")

    after = requirements_answer(Citizen(second))
    assert "2 hari kerja" in after and "versi 2" in after
    assert "hari itu juga" not in after.split("Nomor Induk Berusaha", 1)[1].split("✅", 2)[0]

    # The change is in the audit log, and the reports page draws its charts.
    page.click("nav >> text=Log audit")
    expect(page.locator("table")).to_contain_text("rules.publish")
    expect(page.locator("table")).to_contain_text("rules.permit.edit")
    page.click("nav >> text=Laporan")
    expect(page.locator("h1")).to_have_text("Laporan layanan")
    expect(page.locator("svg.chart")).to_have_count(5)
    expect(page.locator("section.report-section").nth(1)).to_contain_text("56101")
