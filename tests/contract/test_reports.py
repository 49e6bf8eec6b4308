"""Report figures on a seeded data set, checked against values worked out by hand; the console
page, its settings and its CSV/XLSX export; `siketan report --json`.

The period is Q1 2026 (1 Jan - 31 Mar, WIB). Rows just outside it are seeded too, so the
period boundaries are checked as well.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncSession
from typer.testing import CliRunner

from bot.cli import app as cli
from office.reports import build_report
from storage.models import (
    Application,
    Conversation,
    Handoff,
    RequirementCheck,
    SurveyResponse,
    TranscriptMessage,
)
from tests.contract.test_console_http import make_officer, sign_in
from tests.helpers import running_app, settings_for

pytestmark = pytest.mark.postgres
WIB = ZoneInfo("Asia/Jakarta")
START, END = date(2026, 1, 1), date(2026, 3, 31)


def wib(text: str) -> datetime:
    """A local (WIB) time written 'YYYY-MM-DD HH:MM', in UTC as the app stores every time
    (SQLite keeps the wall time and drops the offset)."""
    return datetime.fromisoformat(text).replace(tzinfo=WIB).astimezone(UTC)


async def seed(db: AsyncSession) -> None:
    convs = {}
    for name, channel in (("c1", "webchat"), ("c2", "webchat"), ("c3", "telegram")):
        convs[name] = Conversation(
            channel=channel, chat_id=name, created_at=wib("2025-12-01 08:00")
        )
        db.add(convs[name])
    await db.flush()
    inbound = {
        # 09:00 and 09:10 are one conversation; 10:00 (50 min later) a second; next day a third.
        "c1": ["2026-01-05 09:00", "2026-01-05 09:10", "2026-01-05 10:00", "2026-01-06 09:00"],
        "c2": ["2026-02-01 08:00", "2025-12-31 23:59"],  # the second is before the period
        "c3": ["2026-03-31 23:30", "2026-04-01 00:30"],  # the second is after it
    }
    for name, moments in inbound.items():
        for moment in moments:
            db.add(
                TranscriptMessage(
                    conversation_id=convs[name].id,
                    direction="in",
                    author="citizen",
                    text="halo",
                    created_at=wib(moment),
                )
            )
        # Bot replies are not citizen messages.
        db.add(
            TranscriptMessage(
                conversation_id=convs[name].id,
                direction="out",
                author="bot",
                text="jawaban",
                created_at=wib(moments[0]) + timedelta(seconds=1),
            )
        )
    for kbli, officer, moment in (
        ("56101", False, "2026-01-05 09:05"),
        ("56101", True, "2026-02-01 08:05"),
        ("56101", False, "2026-03-31 23:35"),
        ("96100", True, "2026-02-01 09:00"),
        ("96100", False, "2026-04-01 00:35"),  # after the period
    ):
        db.add(
            RequirementCheck(
                conversation_id=convs["c1"].id,
                channel="webchat",
                kbli=kbli,
                kbli_version="KBLI2025",
                rule_set_version=1,
                scale="mikro",
                risk_level=None,
                needs_officer=officer,
                created_at=wib(moment),
            )
        )
    applications: list[tuple[str, str, str, str | None, str, str]] = [
        # name, created, due, completed, status, scale
        ("a1", "2026-01-10 10:00", "2026-01-20", "2026-01-15 10:00", "completed", "mikro"),
        ("a2", "2026-01-12 10:00", "2026-01-14", "2026-01-20 10:00", "completed", "kecil"),
        ("a3", "2026-02-01 10:00", "2026-02-10", "2026-02-10 22:00", "completed", "menengah"),
        ("a4", "2026-03-01 10:00", "2026-03-10", None, "processing", "mikro"),
        ("a5", "2026-03-02 10:00", "2026-03-12", None, "submitted", "mikro"),
        ("a6", "2025-12-20 10:00", "2026-01-06", "2026-01-05 10:00", "completed", "mikro"),
        ("a7", "2026-03-20 10:00", "2026-04-05", "2026-04-02 10:00", "completed", "mikro"),
    ]
    for i, (_name, created, due, completed, status, scale) in enumerate(applications, 1):
        db.add(
            Application(
                reference=f"SKT-2026-{i:06d}",
                conversation_id=convs["c1"].id,
                channel="webchat",
                chat_id="c1",
                kbli="56101",
                kbli_version="KBLI2025",
                decision={"scale": scale},
                rule_set_version=1,
                status=status,
                due_date=date.fromisoformat(due),
                created_at=wib(created),
                updated_at=wib(created),
                completed_at=wib(completed) if completed else None,
            )
        )
    for requested, claimed, first in (
        ("2026-01-05 09:00", 4, 6),
        ("2026-02-01 08:00", 10, 15),
        ("2026-02-02 08:00", 1, None),
        ("2026-03-03 08:00", None, None),  # never claimed
        ("2026-04-01 08:00", 60, 61),  # after the period
    ):
        at = wib(requested)
        db.add(
            Handoff(
                conversation_id=convs["c2"].id,
                reason="asked",
                status="closed" if claimed else "ticket",
                requested_at=at,
                claimed_at=at + timedelta(minutes=claimed) if claimed else None,
                first_response_at=at + timedelta(minutes=first) if first else None,
            )
        )
    for ratings, moment in (
        ((4, 3, 4, 4), "2026-01-15 11:00"),
        ((3, 2, None, 4), "2026-01-20 11:00"),
        ((4, 4, 3, 3), "2026-03-31 20:00"),
        ((1, 1, 1, 1), "2026-04-01 09:00"),  # after the period
    ):
        r, s, c, m = ratings
        db.add(
            SurveyResponse(
                service="application",
                requirements=r,
                speed=s,
                clarity=c,
                manner=m,
                created_at=wib(moment),
            )
        )


def check_figures(report: Any) -> None:
    channels = {r.channel: (r.conversations, r.citizens, r.messages) for r in report.channels}
    assert channels == {"webchat": (4, 2, 5), "telegram": (1, 1, 1)}
    checks = [(r.kbli, r.checks, r.needs_officer) for r in report.checks]
    assert checks == [("56101", 3, 1), ("96100", 1, 1)]
    assert report.checks[0].title == "Aktivitas Penyediaan Makanan di Bangunan Tetap"
    # Submitted in the period, by their current status (a7 was completed after it).
    assert report.statuses == {
        "submitted": 1,
        "in_review": 0,
        "needs_revision": 0,
        "processing": 1,
        "completed": 4,
        "rejected": 0,
    }
    # Completed in the period: a1 (5 d, on time), a2 (8 d, late), a3 (9.5 d, on its due day),
    # a6 (16 d, on time) -> 3 of 4 on time; median (8 + 9.5) / 2; p90 9.5 + 0.7 x 6.5.
    c = report.completion
    assert (c.completed, c.on_time, c.on_time_percent) == (4, 3, 75.0)
    assert c.days.median == pytest.approx(8.75) and c.days.p90 == pytest.approx(14.05)
    assert report.handoffs == 4
    # Waits 4, 10, 1 minutes; first responses 6, 15.
    wait, first = report.handoff_wait_minutes, report.first_response_minutes
    assert (wait.count, wait.median, wait.p90) == (3, pytest.approx(4), pytest.approx(8.8))
    assert (first.count, first.median, first.p90) == (2, 10.5, pytest.approx(14.1))
    # IKM: requirements 11/3, speed 9/3, clarity 7/2, manner 11/3.
    ikm = {e.key: e.index for e in report.satisfaction.elements}
    assert ikm["requirements"] == pytest.approx(91.6667, abs=1e-4)
    assert ikm["speed"] == pytest.approx(75.0)
    assert ikm["clarity"] == pytest.approx(87.5)
    assert ikm["manner"] == pytest.approx(91.6667, abs=1e-4)
    overall = (11 / 3 + 3 + 3.5 + 11 / 3) / 4
    assert report.satisfaction.responses == 3
    assert report.satisfaction.index == pytest.approx(overall * 25)  # 86.46
    assert report.satisfaction.grade == "B"
    # Micro and small businesses served in Q1: a1, a2, a6 (a3 is medium) -> 3 / 1500 = 0.2 %;
    # against the 0.4 % target: 50 % -> "Kurang efektif" (>25-50 %).
    (q1,) = report.effectiveness
    assert (q1.quarter, q1.served, q1.business_count, q1.target_percent) == (
        "2026-Q1",
        3,
        1500,
        0.4,
    )
    assert q1.achievement_percent == pytest.approx(0.2)
    assert q1.effectiveness_percent == pytest.approx(50.0)
    assert q1.category == "Kurang efektif"


async def test_report_figures_page_and_exports(db_url: str, tmp_path: Path) -> None:
    async with running_app(settings_for(db_url, tmp_path)) as (app, client):
        async with app.sessions() as db, db.begin():
            await seed(db)
        await make_officer(app, "ani", "admin")
        await make_officer(app, "budi")
        csrf = await sign_in(client, "ani")
        # The business count and the quarter's target are admin settings, kept in the DB.
        for data in ({"umk_count": "1.500"}, {"quarter": "2026-Q1", "target": "0,4"}):
            r = await client.post("/console/reports/settings", data={"csrf_token": csrf, **data})
            assert r.status_code == 303
        r = await client.post(
            "/console/reports/settings",
            data={"csrf_token": csrf, "quarter": "2026-Q9", "target": "5"},
        )
        assert "error=" in r.headers["location"]

        async with app.sessions() as db, db.begin():
            check_figures(await build_report(db, START, END))

        period = "start=2026-01-01&end=2026-03-31"
        page = await client.get(f"/console/reports?{period}")
        assert page.status_code == 200
        assert page.text.count("<svg") == 5 and "<script" not in page.text.split("<main>")[1]
        assert '<div class="figure" id="k-ontime">75.0 %</div>' in page.text
        assert "Kurang efektif" in page.text

        exported = await client.get(f"/console/reports.csv?{period}")
        assert exported.headers["content-type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(exported.text.lstrip("\ufeff"))))
        assert ["webchat", "4", "2", "5"] in rows
        assert ["4", "3", "75.0", "8.75", "14.05"] in rows
        assert ["2026-Q1", "3", "1500", "0.2", "0.4", "50.0", "Kurang efektif"] in rows

        book = load_workbook(
            io.BytesIO((await client.get(f"/console/reports.xlsx?{period}")).content)
        )
        sheet = book[book.sheetnames[5]]
        values = [[c.value for c in row] for row in sheet.iter_rows()]
        assert ["IKM keseluruhan", 3, 3.46, 86.46] in values
        assert len(book.sheetnames) == 7
        # Sheet names are shortened at a word, and every sheet states what and when it covers.
        assert "Indeks kepuasan masyarakat" in book.sheetnames
        for name in book.sheetnames:
            sheet = book[name]
            title = str(sheet["A1"].value)
            assert title.split()[: len(name.split())] == name.split(), (name, title)
            assert str(sheet["A2"].value).startswith("Periode: ")

        # Officers see neither the reports nor their settings.
        budi = type(client)(transport=client._transport, base_url=str(client.base_url))
        async with budi:
            budi_csrf = await sign_in(budi, "budi")
            assert (await budi.get("/console/reports")).status_code == 403
            r = await budi.post(
                "/console/reports/settings", data={"csrf_token": budi_csrf, "umk_count": "1"}
            )
            assert r.status_code == 403

    result = await asyncio.to_thread(
        CliRunner().invoke,
        cli,
        ["report", "--from", "2026-01-01", "--to", "2026-03-31", "--json"],
        env={"SIKETAN__DATABASE__URL": db_url},
    )
    assert result.exit_code == 0, result.output
    sections = {s["title"]: s["rows"] for s in json.loads(result.stdout)["sections"]}
    assert sections["Penyelesaian terhadap batas waktu"] == [[4, 3, 75.0, 8.75, 14.05]]
