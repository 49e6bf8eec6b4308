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

from tests.browser.a11y import assert_accessible
from tests.browser.test_console import (  # noqa: F401 - fixtures used by name
    Citizen,
    Server,
    browser,
    context,
    server,
    sign_in,
)
from tests.browser.test_console_pages import run
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
    assert_accessible(page)
    page.click('table.rules a[href="/console/rules/activities/56101"]')
    expect(page.locator("h1")).to_contain_text("56101")
    assert_accessible(page)
    page.go_back()
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
    expect(error).to_contain_text("harus 0 atau lebih")
    expect(due).to_have_value("-1")

    due.fill("2")
    page.click("#save-permit")
    expect(page.locator(".field-error")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("Tersimpan ke draf.")
    expect(due).to_have_value("2")
    assert_accessible(page)

    # Exactly that value changed in the draft: one line out, one line in, nothing rewritten.
    page.goto(draft_url)
    expect(page.locator("#diff")).to_contain_text("+    due_working_days: 2")
    expect(page.locator("#diff .d-add")).to_have_count(1)
    expect(page.locator("#diff .d-del")).to_have_count(1)
    expect(page.locator("#diff .d-del")).to_have_text("-    due_working_days: 0")
    assert_accessible(page)
    page.click("text=Pratinjau keputusan")
    page.fill("#p-kbli", "56101")
    page.fill("#p-capital", "50000000")
    page.click("#preview")
    expect(page.locator('#preview-draft tr[data-code="NIB"] .due')).to_contain_text("2 hari kerja")
    expect(page.locator("#preview-draft h2")).not_to_contain_text("versi")  # not yet a version
    assert_accessible(page)
    expect(page.locator('#preview-published tr[data-code="NIB"] .due')).to_contain_text(
        "0 hari kerja"
    )

    page.goto(draft_url)
    page.click("#publish")
    # Publishing asks first and says what changes for citizens.
    expect(page.locator("#citizen-changes")).to_contain_text("Izin NIB: waktu layanan")
    assert_accessible(page)
    page.click("#confirm")
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
    assert_accessible(page)
    page.click("nav >> text=Laporan")
    expect(page.locator("h1")).to_have_text("Laporan layanan")
    expect(page.locator("svg.chart")).to_have_count(5)
    expect(page.locator("section.report-section").nth(1)).to_contain_text("56101")
    assert_accessible(page)


def test_rollback_asks_first_and_shows_what_changes(
    server: Server,  # noqa: F811
    second: str,
    context: BrowserContext,  # noqa: F811
) -> None:
    page = context.new_page()
    sign_in(page, server)
    page.goto(f"{server.base}/console/rules")
    active = page.locator("#active-version").inner_text()
    before = requirements_answer(Citizen(second))
    page.locator("button.rollback").first.click()
    expect(page.locator("h1")).to_contain_text("Kembalikan aturan")
    expect(page.locator("#citizen-changes")).to_be_visible()
    assert_accessible(page)
    # Not confirmed: nothing changed for citizens.
    page.click("#cancel")
    expect(page.locator("#active-version")).to_have_text(active)
    assert requirements_answer(Citizen(second)).split("versi")[-1] == before.split("versi")[-1]
    page.locator("button.rollback").first.click()
    page.click("#confirm")
    expect(page.locator("#active-version")).to_have_text(str(int(active) + 1))
    expect(page.locator("#history")).to_contain_text("dikembalikan ke isi versi")


def test_ikm_chart_keeps_its_0_to_100_scale(
    server: Server,  # noqa: F811
    context: BrowserContext,  # noqa: F811
) -> None:
    run(add_survey_answers(server.db_url))
    page = context.new_page()
    sign_in(page, server)
    page.goto(f"{server.base}/console/reports")
    chart = page.locator("svg.chart", has_text="IKM per unsur")
    expect(chart.locator("rect.band")).to_have_count(4)  # grade bands D, C, B, A
    expect(chart.locator("line.target")).to_have_count(1)
    bands = chart.locator("rect.band").evaluate_all(
        "rs => rs.map(r => [r.dataset.grade, +r.getAttribute('x'), +r.getAttribute('width')])"
    )
    start = bands[0][1] - bands[0][2] * 25 / 40  # band D spans 25-65 on a 0-100 axis
    full = (bands[-1][1] + bands[-1][2]) - start
    for bar in chart.locator("rect.bar").evaluate_all(
        "rs => rs.map(r => [+r.dataset.value, +r.getAttribute('width')])"
    ):
        value, width = bar
        assert abs(width / full * 100 - value) < 0.5, (value, width, full)
    # 58.3 (grade D) fills about 58 % of the axis, not all of it.
    widths = chart.locator("rect.bar").evaluate_all("rs => rs.map(r => +r.getAttribute('width'))")
    assert max(widths) < 0.7 * full
    # Saving a setting says so.
    page.fill("#s-umk", "12.345")
    page.click("#s-save-count")
    expect(page.locator("#settings-saved")).to_contain_text("jumlah UMK 12.345")
    assert_accessible(page)


async def add_survey_answers(db_url: str) -> None:
    """Three answers whose element averages are 2.33 (IKM 58.3, grade D)."""
    from storage.db import create_engine, session_factory
    from storage.models import SurveyResponse

    engine = create_engine(db_url)
    try:
        async with session_factory(engine)() as db, db.begin():
            for score in (2, 2, 3):
                db.add(
                    SurveyResponse(
                        service="officer_chat", requirements=score, speed=score,
                        clarity=score, manner=score, comment="",
                    )
                )  # fmt: skip
    finally:
        await engine.dispose()
