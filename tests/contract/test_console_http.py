"""The console over HTTP (in-process ASGI): sign-in, CSRF, application status with the issued
document, file serving headers, canned replies for admins, disabled accounts, escaping."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from bot.app import App
from office.accounts import add_officer
from storage import console as console_repo
from storage.models import Application, AuditEntry, Conversation
from tests.contract.test_webchat_api import PNG
from tests.helpers import new_session, running_app, settings_for

pytestmark = pytest.mark.postgres
PASSWORD = "rahasia-sekali-123"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


async def make_officer(app: App, username: str, role: str = "officer") -> None:
    async with app.sessions() as db, db.begin():
        await add_officer(db, username, username.title(), PASSWORD, role)


async def sign_in(client: httpx.AsyncClient, username: str, password: str = PASSWORD) -> str:
    form = await client.get("/console/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token
    r = await client.post(
        "/console/login",
        data={"username": username, "password": password, "csrf_token": token.group(1)},
    )
    assert r.status_code == 303
    page = await client.get("/console")
    if page.status_code != 200:
        return ""
    found = re.search(r'<meta name="csrf-token" content="([^"]+)"', page.text)
    return found.group(1) if found else ""


async def citizen_application(app: App, client: httpx.AsyncClient) -> tuple[Any, int, str]:
    sid, auth = await new_session(client)
    await client.post(f"/api/webchat/sessions/{sid}/messages", json={"text": "menu"}, headers=auth)
    async with app.sessions() as db, db.begin():
        conv = (
            await db.execute(select(Conversation).where(Conversation.chat_id == sid))
        ).scalar_one()
        row = Application(
            reference=f"SKT-2026-{conv.id:06d}",
            conversation_id=conv.id,
            channel="webchat",
            chat_id=sid,
            applicant={"name": "Siti <b>Aminah</b>", "nik": "3574015501900001"},
            business={"name": "Warung <script>x</script>"},
            location={"kecamatan": "Mayangan"},
            kbli="56101",
            kbli_version="KBLI2025",
            decision={"risk_level": "rendah"},
            rule_set_version=1,
            status="submitted",
            due_date=date.today() - timedelta(days=1),
        )
        db.add(row)
        await db.flush()
        app_id = row.id
    return (sid, auth), app_id, f"SKT-2026-{conv.id:06d}"


async def test_status_to_completed_sends_the_permit(db_url: str, tmp_path: Path) -> None:
    async with running_app(settings_for(db_url, tmp_path)) as (app, client):
        await make_officer(app, "ani")
        (sid, auth), app_id, reference = await citizen_application(app, client)
        csrf = await sign_in(client, "ani")
        listing = await client.get("/console/applications?overdue=1")
        assert reference in listing.text and "terlambat" in listing.text
        assert "<script>x</script>" not in listing.text
        detail = await client.get(f"/console/applications/{app_id}")
        assert "Siti &lt;b&gt;Aminah&lt;/b&gt;" in detail.text
        assert "3574015501900001" not in detail.text  # NIK masked
        url = f"/console/applications/{app_id}/status"
        for status in ("in_review", "processing"):
            r = await client.post(url, data={"status": status, "csrf_token": csrf})
            assert r.status_code == 303 and "error" not in r.headers["location"]
        # Completing is final: the first post only asks to confirm (the upload is kept).
        r = await client.post(
            url,
            data={"status": "completed", "csrf_token": csrf, "permit_number": "NIB-9120001234567"},
            files={"file": ("nib.pdf", PDF, "application/pdf")},
        )
        assert r.status_code == 200 and "tidak dapat diubah lagi" in r.text
        kept = re.search(r'name="document_ref" value="(sha256:[0-9a-f]{64})"', r.text)
        assert kept, r.text
        got = (await client.get(f"/api/webchat/sessions/{sid}/messages", headers=auth)).json()
        assert "NIB-9120001234567" not in "\n".join(m["text"] for m in got["messages"])
        r = await client.post(
            url,
            data={
                "status": "completed",
                "csrf_token": csrf,
                "permit_number": "NIB-9120001234567",
                "document_ref": kept.group(1),
                "confirmed": "1",
            },
        )
        assert r.status_code == 303 and "error" not in r.headers["location"], r.headers
        got = (await client.get(f"/api/webchat/sessions/{sid}/messages", headers=auth)).json()
        texts = "\n".join(m["text"] for m in got["messages"])
        assert reference in texts and "NIB-9120001234567" in texts
        assert any(m.get("document", {}).get("mime") == "application/pdf" for m in got["messages"])
        # A transition that is not allowed is refused with a message, not a crash.
        r = await client.post(url, data={"status": "in_review", "csrf_token": csrf})
        assert "error=bad_status" in r.headers["location"]
        async with app.sessions() as db:
            actions = [e.action for e in (await db.execute(select(AuditEntry))).scalars()]
        assert actions.count("application.status") == 3


async def test_completing_needs_the_permit_and_it_can_follow(db_url: str, tmp_path: Path) -> None:
    async with running_app(settings_for(db_url, tmp_path)) as (app, client):
        await make_officer(app, "ani")
        (sid, auth), app_id, reference = await citizen_application(app, client)
        csrf = await sign_in(client, "ani")
        url = f"/console/applications/{app_id}/status"
        for status in ("in_review", "processing"):
            await client.post(url, data={"status": status, "csrf_token": csrf})
        # Neither document nor number: refused, even when "confirmed" is forged into the form.
        for extra in ({}, {"confirmed": "1"}):
            data = {"status": "completed", "csrf_token": csrf, **extra}
            r = await client.post(url, data=data)
            assert r.status_code == 303 and "error=needs_result" in r.headers["location"]
        # A document reference the file store does not hold is not accepted either.
        data = {"status": "completed", "csrf_token": csrf, "confirmed": "1"}
        r = await client.post(url, data={**data, "document_ref": "sha256:" + "0" * 64})
        assert "error=needs_result" in r.headers["location"]
        async with app.office.sessions() as db:
            row = await db.get(Application, app_id)
            assert row is not None and row.status == "processing"
        # With the number only: completed, and the citizen is NOT told a document was sent.
        r = await client.post(url, data={**data, "permit_number": "9120001234567"})
        assert r.status_code == 303 and "error" not in r.headers["location"]
        got = (await client.get(f"/api/webchat/sessions/{sid}/messages", headers=auth)).json()
        texts = "\n".join(m["text"] for m in got["messages"])
        assert "9120001234567" in texts and "Dokumen dikirim" not in texts
        assert "setelah tersedia" in texts
        assert not any(m.get("document") for m in got["messages"])
        # The document follows later, on the completed application.
        page = await client.get(f"/console/applications/{app_id}")
        assert 'id="result-form"' in page.text
        r = await client.post(
            f"/console/applications/{app_id}/result",
            data={"csrf_token": csrf},
            files={"file": ("nib.pdf", PDF, "application/pdf")},
        )
        assert r.status_code == 303 and "error" not in r.headers["location"]
        got = (await client.get(f"/api/webchat/sessions/{sid}/messages", headers=auth)).json()
        assert any(m.get("document", {}).get("mime") == "application/pdf" for m in got["messages"])
        assert reference in got["messages"][-1]["text"] or reference in got["messages"][-2]["text"]


async def test_applications_search_on_every_database(db_url: str, tmp_path: Path) -> None:
    async with running_app(settings_for(db_url, tmp_path)) as (app, client):
        await make_officer(app, "ani")
        _, app_id, reference = await citizen_application(app, client)
        async with app.sessions() as db, db.begin():
            row = await db.get(Application, app_id)
            assert row is not None
            row.applicant = {"full_name": "Siti Aminah", "nik": "3574015501900001"}
        await sign_in(client, "ani")
        for query, found in (
            ("siti", True),
            ("AMINAH", True),
            ("0001", True),  # the NIK's last digits
            ("9000", False),  # digits inside the NIK are not its end
            (reference[-6:], True),
            ("budi", False),
            ("%", False),
        ):
            page = await client.get("/console/applications", params={"q": query})
            assert page.status_code == 200
            assert (reference in page.text) is found, query


async def test_file_serving_headers(db_url: str, tmp_path: Path) -> None:
    async with running_app(settings_for(db_url, tmp_path)) as (app, client):
        await make_officer(app, "ani")
        stored = await app.files.store_bytes(PNG, "ktp.png")
        anonymous = await client.get(f"/console/files/{stored.sha256}")
        assert anonymous.status_code == 303  # to the sign-in page
        await sign_in(client, "ani")
        inline = await client.get(f"/console/files/{stored.sha256}?name=ktp.png")
        assert inline.headers["content-type"] == "image/png"
        assert inline.headers["x-content-type-options"] == "nosniff"
        assert inline.headers["content-disposition"].startswith("inline")
        download = await client.get(
            f"/console/files/{stored.sha256}?download=1&name=%22%3E%3Cscript%3E.png"
        )
        assert download.headers["content-disposition"].startswith("attachment")
        assert "<" not in download.headers["content-disposition"]
        assert (await client.get("/console/files/" + "0" * 64)).status_code == 404
        assert (await client.get("/console/files/../../etc/passwd")).status_code == 404


async def test_canned_replies_are_edited_by_admins_only(db_url: str, tmp_path: Path) -> None:
    async with running_app(settings_for(db_url, tmp_path)) as (app, client):
        await make_officer(app, "ani", "admin")
        await make_officer(app, "budi")
        transport = client._transport
        async with httpx.AsyncClient(transport=transport, base_url="http://siketan.test") as other:
            csrf_budi = await sign_in(other, "budi")
            r = await other.post(
                "/console/canned", data={"title": "x", "body": "y", "csrf_token": csrf_budi}
            )
            assert r.status_code == 403
            assert (await other.get("/console/audit")).status_code == 403
        csrf = await sign_in(client, "ani")
        r = await client.post(
            "/console/canned",
            data={"title": "Salam", "body": "Selamat pagi Bapak/Ibu", "csrf_token": csrf},
        )
        assert r.status_code == 303
        page = await client.get("/console/canned")
        assert "Selamat pagi Bapak/Ibu" in page.text
        audit = await client.get("/console/audit")
        assert "canned.save" in audit.text


async def test_canned_replies_start_with_the_office_answers_once(
    db_url: str, tmp_path: Path
) -> None:
    async with running_app(settings_for(db_url, tmp_path)) as (app, client):
        await make_officer(app, "ani", "admin")
        csrf = await sign_in(client, "ani")
        page = await client.get("/console/canned")
        for title in ("Jam layanan", "Alamat kantor", "Langkah membuat NIB"):
            assert title in page.text
        assert "Jl. Basuki Rahmat" in page.text and "oss.go.id" in page.text
        ids = re.findall(r'name="canned_id" value="(\d+)"', page.text)
        for canned_id in ids:  # an admin removes them all: they do not come back
            r = await client.post(
                "/console/canned",
                data={"csrf_token": csrf, "canned_id": canned_id, "title": "x", "body": "y",
                      "delete": "1"},
            )  # fmt: skip
            assert r.status_code == 303
        page = await client.get("/console/canned")
        assert "Jam layanan" not in page.text and "Belum ada balasan cepat" in page.text


async def test_wrong_password_and_disabled_account(db_url: str, tmp_path: Path) -> None:
    async with running_app(settings_for(db_url, tmp_path)) as (app, client):
        await make_officer(app, "ani")
        assert await sign_in(client, "ani", "salah-salah-salah") == ""
        assert await sign_in(client, "ani") != ""
        assert (await client.get("/console/api/queue")).status_code == 200
        async with app.sessions() as db, db.begin():
            officer = await console_repo.officer_by_username(db, "ani")
            assert officer is not None
            await console_repo.disable_officer(db, officer)
        assert (await client.get("/console/api/queue")).status_code == 401
        async with app.sessions() as db:
            actions = [e.action for e in (await db.execute(select(AuditEntry))).scalars()]
        assert "login.failed" in actions and "login" in actions


async def test_pages_send_security_headers(db_url: str, tmp_path: Path) -> None:
    async with running_app(settings_for(db_url, tmp_path)) as (app, client):
        await make_officer(app, "ani")
        await sign_in(client, "ani")
        page = await client.get("/console")
        assert "script-src 'self'" in page.headers["content-security-policy"]
        assert page.headers["x-frame-options"] == "DENY"
        login = await client.get("/console/login?next=https://evil.example/")
        assert 'value="/console"' in login.text  # no open redirect after sign-in
