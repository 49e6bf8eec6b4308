"""Web chat greeting, history and documents over HTTP (issue 16 items 1, 6, 13), attacked too."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from dialogs.messages import ConversationKey, Outbound, OutboundKind
from storage import conversations as repo
from storage.models import WebchatSession
from tests.contract.test_webchat_api import PNG
from tests.helpers import new_session, running_app, settings_for

pytestmark = pytest.mark.postgres
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


async def test_the_greeting_needs_no_session_and_stores_nothing(
    db_url: str, tmp_path: Path
) -> None:
    async with running_app(settings_for(db_url, tmp_path)) as (app, client):
        r = await client.get("/api/webchat/welcome", params={"locale": "en"})
        assert r.status_code == 200
        data = r.json()
        assert data["locale"] == "en"
        (greeting,) = data["messages"]
        assert greeting["text"].startswith("Hello") and greeting["id"] is None
        assert "menu:requirements" in [b["payload"] for b in greeting["buttons"]]
        assert (
            await client.get("/api/webchat/welcome", params={"locale": "xx"})
        ).status_code == 422
        async with app.sessions() as db:
            count = (
                await db.execute(select(func.count()).select_from(WebchatSession))
            ).scalar_one()
        assert count == 0


async def test_history_has_both_sides_and_the_language(db_url: str, tmp_path: Path) -> None:
    async with running_app(settings_for(db_url, tmp_path)) as (_app, client):
        sid, auth = await new_session(client)
        url = f"/api/webchat/sessions/{sid}/messages"
        menu = await client.post(
            url, json={"text": "menu", "client_message_id": "c-1"}, headers=auth
        )
        assert menu.json()["locale"] == "id"
        english = await client.post(url, json={"payload": "menu:language"}, headers=auth)
        assert english.json()["locale"] == "en"
        r = await client.get(f"/api/webchat/sessions/{sid}/history", headers=auth)
        data = r.json()
        assert data["locale"] == "en" and data["more"] is False
        authors = [m["author"] for m in data["messages"]]
        assert authors[0] == "citizen" and "bot" in authors and authors.count("citizen") == 2
        first, *_ = data["messages"]
        assert first["text"] == "menu" and first["client_message_id"] == "c-1"
        tapped = [m for m in data["messages"] if m["author"] == "citizen"][1]
        assert tapped["text"] == "English"  # a tapped button reads as its title
        later = await client.get(
            f"/api/webchat/sessions/{sid}/history", params={"after": first["id"]}, headers=auth
        )
        assert [m["id"] for m in later.json()["messages"]] == [
            m["id"] for m in data["messages"][1:]
        ]


async def _conversation_with_files(app, client) -> tuple[str, dict[str, str], int, int]:  # type: ignore[no-untyped-def]
    """A session whose citizen uploaded a photo and received a PDF: (sid, auth, in id, out id)."""
    sid, auth = await new_session(client)
    r = await client.post(
        f"/api/webchat/sessions/{sid}/files",
        files={"file": ("ktp.png", PNG, "image/png")},
        headers=auth,
    )
    assert r.status_code == 200
    stored = await app.files.store_bytes(PDF, "izin.pdf")
    async with app.sessions() as db, db.begin():
        conv = await repo.get_conversation(db, "webchat", sid)
        document = Outbound(
            "Izin Bapak/Ibu", kind=OutboundKind.DOCUMENT, document_ref=f"sha256:{stored.sha256}",
            document_name="izin-SKT-2026-000001.pdf", document_mime="application/pdf",
        )  # fmt: skip
        (sent,) = await app.office.notifications.enqueue(
            db, conv.id, ConversationKey("webchat", sid), [document]
        )
        rows = await repo.transcript_after(db, conv.id, 0)
    uploaded = next(r.id for r in rows if r.direction == "in")
    return sid, auth, uploaded, sent.id


async def test_documents_reach_their_citizen_with_name_type_and_size(
    db_url: str, tmp_path: Path
) -> None:
    async with running_app(settings_for(db_url, tmp_path)) as (app, client):
        sid, auth, uploaded, sent = await _conversation_with_files(app, client)
        history = (await client.get(f"/api/webchat/sessions/{sid}/history", headers=auth)).json()
        by_id = {m["id"]: m for m in history["messages"]}
        assert by_id[sent]["document"] == {
            "name": "izin-SKT-2026-000001.pdf",
            "mime": "application/pdf",
            "size": len(PDF),
        }
        assert by_id[uploaded]["document"] == {
            "name": "ktp.png",
            "mime": "image/png",
            "size": len(PNG),
        }

        base = f"/api/webchat/sessions/{sid}/documents"
        r = await client.get(f"{base}/{sent}", headers=auth)
        assert r.status_code == 200 and r.content == PDF
        assert r.headers["content-type"] == "application/pdf"
        assert "izin-SKT-2026-000001.pdf" in r.headers["content-disposition"]
        assert r.headers["cache-control"] == "private, no-store"
        assert r.headers["x-content-type-options"] == "nosniff"
        head = await client.head(f"{base}/{sent}", headers=auth)
        assert head.status_code == 200 and head.headers["content-length"] == str(len(PDF))
        own_photo = await client.get(f"{base}/{uploaded}", headers=auth)
        assert own_photo.content == PNG and own_photo.headers["content-type"] == "image/png"


async def test_nobody_else_gets_a_document(db_url: str, tmp_path: Path) -> None:
    async with running_app(settings_for(db_url, tmp_path)) as (app, client):
        sid, _auth, uploaded, sent = await _conversation_with_files(app, client)
        other, other_auth = await new_session(client)
        await client.post(
            f"/api/webchat/sessions/{other}/messages", json={"text": "menu"}, headers=other_auth
        )
        base = f"/api/webchat/sessions/{sid}/documents"
        # No token, a wrong token, another session's token.
        assert (await client.get(f"{base}/{sent}")).status_code == 401
        wrong = {"Authorization": "Bearer not-the-token"}
        assert (await client.get(f"{base}/{sent}", headers=wrong)).status_code == 401
        assert (await client.get(f"{base}/{sent}", headers=other_auth)).status_code == 401
        # Another session asking for this conversation's message ids through its own path.
        for message_id in (sent, uploaded):
            r = await client.get(
                f"/api/webchat/sessions/{other}/documents/{message_id}", headers=other_auth
            )
            assert r.status_code == 404
        # Ids that are no document, absurd or not numbers: refused with a reason, never a 500.
        first_text = (
            await client.get(f"/api/webchat/sessions/{other}/history", headers=other_auth)
        ).json()
        text_id = first_text["messages"][0]["id"]
        for bad in (str(text_id), "0", "-1", str(2**63), "abc"):
            r = await client.get(
                f"/api/webchat/sessions/{other}/documents/{bad}", headers=other_auth
            )
            assert r.status_code in (404, 422), (bad, r.status_code)
        r = await client.get(
            f"/api/webchat/sessions/{other}/history", params={"after": 2**63}, headers=other_auth
        )
        assert r.status_code == 422
        assert (await client.get(f"/api/webchat/sessions/{sid}/history")).status_code == 401
