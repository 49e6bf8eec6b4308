"""The web chat HTTP contract (issue 2), through the real app and database."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from storage.models import ProcessedInbound, TranscriptMessage
from tests.helpers import new_session, running_app, settings_for

pytestmark = pytest.mark.postgres

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99"
    b"=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)


async def count(app, model) -> int:  # type: ignore[no-untyped-def]
    async with app.sessions() as db:
        return int((await db.execute(select(func.count()).select_from(model))).scalar_one())


async def test_session_and_greeting(db_url: str, tmp_path: Path) -> None:
    async with running_app(settings_for(db_url, tmp_path)) as (_app, client):
        sid, auth = await new_session(client)
        r = await client.post(
            f"/api/webchat/sessions/{sid}/messages", json={"text": "halo"}, headers=auth
        )
        assert r.status_code == 200
        messages = r.json()["messages"]
        assert messages and "SIKETAN" in messages[0]["text"]
        payloads = [b["payload"] for b in messages[-1]["buttons"]]
        assert "menu:office" in payloads
        for m in messages:
            assert set(m) >= {"id", "text", "buttons"}


async def test_button_payload_office_info(db_url: str, tmp_path: Path) -> None:
    async with running_app(settings_for(db_url, tmp_path)) as (_app, client):
        sid, auth = await new_session(client)
        r = await client.post(
            f"/api/webchat/sessions/{sid}/messages", json={"payload": "menu:office"}, headers=auth
        )
        text = r.json()["messages"][0]["text"]
        assert "Jl. Basuki Rahmat" in text
        assert "08.00–14.00" in text


async def test_client_message_id_resend_gets_same_replies(db_url: str, tmp_path: Path) -> None:
    async with running_app(settings_for(db_url, tmp_path)) as (app, client):
        sid, auth = await new_session(client)
        body = {"text": "menu", "client_message_id": "abc-1"}
        url = f"/api/webchat/sessions/{sid}/messages"
        first, second = await asyncio.gather(
            client.post(url, json=body, headers=auth), client.post(url, json=body, headers=auth)
        )
        assert first.json() == second.json()
        assert first.json()["messages"]
        assert await count(app, ProcessedInbound) == 1
        async with app.sessions() as db:
            incoming = (
                await db.execute(
                    select(func.count())
                    .select_from(TranscriptMessage)
                    .where(TranscriptMessage.direction == "in")
                )
            ).scalar_one()
        assert incoming == 1


@pytest.mark.parametrize(
    ("headers", "status"),
    [({}, 401), ({"Authorization": "Bearer wrong"}, 401), ({"Authorization": "Basic x"}, 401)],
)
async def test_wrong_token_refused_and_nothing_stored(
    db_url: str, tmp_path: Path, headers: dict[str, str], status: int
) -> None:
    async with running_app(settings_for(db_url, tmp_path)) as (app, client):
        sid, _auth = await new_session(client)
        r = await client.post(
            f"/api/webchat/sessions/{sid}/messages", json={"text": "halo"}, headers=headers
        )
        assert r.status_code == status
        r = await client.get(f"/api/webchat/sessions/{sid}/messages", headers=headers)
        assert r.status_code == status
        assert await count(app, TranscriptMessage) == 0


async def test_unknown_session_404(db_url: str, tmp_path: Path) -> None:
    async with running_app(settings_for(db_url, tmp_path)) as (app, client):
        _sid, auth = await new_session(client)
        r = await client.post(
            "/api/webchat/sessions/00000000-0000-0000-0000-000000000000/messages",
            json={"text": "halo"},
            headers=auth,
        )
        assert r.status_code == 404
        assert await count(app, TranscriptMessage) == 0


@pytest.mark.parametrize(
    "body",
    [{}, {"text": ""}, {"text": "a", "payload": "b"}, {"txt": "halo"}, {"text": 5}, [1, 2]],
)
async def test_malformed_body_422_with_reason(db_url: str, tmp_path: Path, body: object) -> None:
    async with running_app(settings_for(db_url, tmp_path)) as (app, client):
        sid, auth = await new_session(client)
        r = await client.post(f"/api/webchat/sessions/{sid}/messages", json=body, headers=auth)
        assert r.status_code == 422
        assert isinstance(r.json()["detail"], str) and r.json()["detail"]
        assert await count(app, TranscriptMessage) == 0


async def test_not_json_422(db_url: str, tmp_path: Path) -> None:
    async with running_app(settings_for(db_url, tmp_path)) as (app, client):
        sid, auth = await new_session(client)
        r = await client.post(
            f"/api/webchat/sessions/{sid}/messages",
            content=b"{not json",
            headers={**auth, "Content-Type": "application/json"},
        )
        assert r.status_code == 422
        assert await count(app, TranscriptMessage) == 0


async def test_too_long_text_polite_and_not_processed(db_url: str, tmp_path: Path) -> None:
    async with running_app(settings_for(db_url, tmp_path)) as (app, client):
        sid, auth = await new_session(client)
        r = await client.post(
            f"/api/webchat/sessions/{sid}/messages", json={"text": "a" * 4001}, headers=auth
        )
        assert r.status_code == 200
        assert "terlalu panjang" in r.json()["messages"][0]["text"]
        assert "4.000" in r.json()["messages"][0]["text"]
        assert await count(app, TranscriptMessage) == 0
        ok = await client.post(
            f"/api/webchat/sessions/{sid}/messages", json={"text": "a" * 4000}, headers=auth
        )
        assert ok.status_code == 200
        assert await count(app, TranscriptMessage) >= 2


async def test_rate_limit_per_session_others_unaffected(db_url: str, tmp_path: Path) -> None:
    async with running_app(settings_for(db_url, tmp_path)) as (app, client):
        sid, auth = await new_session(client)
        url = f"/api/webchat/sessions/{sid}/messages"
        for _ in range(30):
            assert (
                await client.post(url, json={"payload": "cmd:menu"}, headers=auth)
            ).status_code == 200
        before = await count(app, TranscriptMessage)
        r = await client.post(url, json={"text": "halo"}, headers=auth)
        assert "terlalu banyak pesan" in r.json()["messages"][0]["text"]
        assert await count(app, TranscriptMessage) == before
        other, other_auth = await new_session(client)
        r = await client.post(
            f"/api/webchat/sessions/{other}/messages",
            json={"payload": "menu:office"},
            headers=other_auth,
        )
        assert "Basuki Rahmat" in r.json()["messages"][0]["text"]


async def test_get_after_returns_later_messages(db_url: str, tmp_path: Path) -> None:
    async with running_app(settings_for(db_url, tmp_path)) as (_app, client):
        sid, auth = await new_session(client)
        url = f"/api/webchat/sessions/{sid}/messages"
        first = (await client.post(url, json={"payload": "cmd:menu"}, headers=auth)).json()[
            "messages"
        ]
        second = (await client.post(url, json={"payload": "menu:office"}, headers=auth)).json()[
            "messages"
        ]
        everything = (await client.get(url, headers=auth)).json()["messages"]
        assert [m["id"] for m in everything] == [m["id"] for m in first + second]
        later = (await client.get(url, params={"after": first[-1]["id"]}, headers=auth)).json()
        assert [m["id"] for m in later["messages"]] == [m["id"] for m in second]


async def test_file_upload_checked_by_content(db_url: str, tmp_path: Path) -> None:
    async with running_app(settings_for(db_url, tmp_path)) as (app, client):
        sid, auth = await new_session(client)
        url = f"/api/webchat/sessions/{sid}/files"
        bad = await client.post(
            url, files={"file": ("ktp.jpg", b"MZ\x90\x00 not an image", "image/jpeg")}, headers=auth
        )
        assert bad.status_code == 200
        assert "tidak bisa kami terima" in bad.json()["messages"][0]["text"]
        assert await count(app, TranscriptMessage) == 0
        good = await client.post(url, files={"file": ("foto.png", PNG, "image/png")}, headers=auth)
        assert good.status_code == 200
        assert good.json()["messages"]
        stored = list((tmp_path / "files").rglob("*"))
        assert any(p.is_file() for p in stored)


async def test_file_upload_requires_token(db_url: str, tmp_path: Path) -> None:
    async with running_app(settings_for(db_url, tmp_path)) as (_app, client):
        sid, _auth = await new_session(client)
        r = await client.post(
            f"/api/webchat/sessions/{sid}/files", files={"file": ("a.png", PNG, "image/png")}
        )
        assert r.status_code == 401
        assert not (tmp_path / "files").exists() or not any((tmp_path / "files").rglob("*"))


async def test_healthz(db_url: str, tmp_path: Path) -> None:
    async with running_app(settings_for(db_url, tmp_path)) as (app, client):
        r = await client.get("/healthz")
        assert r.status_code == 200
        assert r.json() == {"status": "ok", "database": "ok"}
        # Point the engine at a "database" that is a directory: it cannot be opened -> 503.
        from storage.db import create_engine

        real = app.engine
        app.engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}")
        r = await client.get("/healthz")
        await app.engine.dispose()
        app.engine = real
        assert r.status_code == 503
        assert r.json()["database"] != "ok"


async def test_widget_page_served(db_url: str, tmp_path: Path) -> None:
    async with running_app(settings_for(db_url, tmp_path)) as (_app, client):
        r = await client.get("/")
        assert r.status_code == 200
        assert "SIKETAN" in r.text
        assert (await client.get("/static/webchat.js")).status_code == 200
        assert (await client.get("/static/..%2Fweb.py")).status_code == 404


async def test_huge_message_body_refused_before_reading(db_url: str, tmp_path: Path) -> None:
    async with running_app(settings_for(db_url, tmp_path)) as (app, client):
        sid, auth = await new_session(client)
        r = await client.post(
            f"/api/webchat/sessions/{sid}/messages",
            content=b'{"text": "' + b"a" * 100_000 + b'"}',
            headers={**auth, "Content-Type": "application/json"},
        )
        assert r.status_code == 413
        assert "terlalu panjang" in r.json()["messages"][0]["text"]
        assert await count(app, TranscriptMessage) == 0


@pytest.mark.parametrize(
    ("extra", "status"),
    [
        # Just over the limit: within the request-size slack, so the upload check refuses it.
        (2_000, 200),
        # Far over: refused from Content-Length before the body is read at all.
        (200_000, 413),
    ],
)
async def test_file_too_large_refused(db_url: str, tmp_path: Path, extra: int, status: int) -> None:
    settings = settings_for(db_url, tmp_path, files={"root": tmp_path / "f", "max_bytes": 1000})
    async with running_app(settings) as (app, client):
        sid, auth = await new_session(client)
        r = await client.post(
            f"/api/webchat/sessions/{sid}/files",
            files={"file": ("a.png", PNG + b"\x00" * extra, "image/png")},
            headers=auth,
        )
        assert r.status_code == status
        assert "terlalu besar" in r.json()["messages"][0]["text"]
        assert await count(app, TranscriptMessage) == 0
        assert not (tmp_path / "f").exists() or not any((tmp_path / "f").rglob("*"))


async def test_body_without_length_refused(db_url: str, tmp_path: Path) -> None:
    async with running_app(settings_for(db_url, tmp_path)) as (app, client):
        sid, auth = await new_session(client)

        async def chunks() -> AsyncIterator[bytes]:
            yield b'{"text": "halo"}'

        r = await client.post(
            f"/api/webchat/sessions/{sid}/messages",
            content=chunks(),  # sent chunked: no Content-Length to check the size against
            headers={**auth, "Content-Type": "application/json"},
        )
        assert r.status_code == 411
        assert r.json()["messages"][0]["text"]
        assert await count(app, TranscriptMessage) == 0
