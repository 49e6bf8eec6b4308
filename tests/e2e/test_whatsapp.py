"""WhatsApp end to end: the real app (ASGI, in process), signed webhooks with Meta's sample
payloads, the real outbox delivering through pywa to the Graph API emulator on 127.0.0.1."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from dialogs.messages import ConversationKey, Outbound
from storage.models import Conversation, OutboxMessage, ProcessedInbound, TranscriptMessage
from storage.models.base import utcnow
from tests.e2e.test_whatsapp_harness import (
    APP_SECRET,
    DATA,
    VERIFY_TOKEN,
    WEBHOOK,
    Citizen,
    fixture,
    fixture_bytes,
    image_update,
    post_update,
    whatsapp_app,
)

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 2000 + b"\xff\xd9"
FIXTURE_PHONE = "972987654321"  # the citizen in Meta's sample payloads


async def count(app, model, *where) -> int:  # type: ignore[no-untyped-def]
    async with app.sessions() as db:
        stmt = select(func.count()).select_from(model)
        for w in where:
            stmt = stmt.where(w)
        return int((await db.execute(stmt)).scalar_one())


async def test_webhook_verification(db_url: str, tmp_path: Path) -> None:
    async with whatsapp_app(db_url, tmp_path) as (_, client, _emu):
        ok = await client.get(
            WEBHOOK,
            params={
                "hub.mode": "subscribe",
                "hub.verify_token": VERIFY_TOKEN,
                "hub.challenge": "1158201444",
            },
        )
        assert ok.status_code == 200
        assert ok.text == "1158201444"
        assert ok.headers["content-type"].startswith("text/plain")
        wrong = await client.get(
            WEBHOOK,
            params={"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1"},
        )
        assert wrong.status_code == 403


async def test_forged_or_missing_signature_refused_nothing_stored(
    db_url: str, tmp_path: Path
) -> None:
    async with whatsapp_app(db_url, tmp_path) as (app, client, emulator):
        body = fixture_bytes("message_text.json")
        forged = await post_update(client, body, secret="not-the-app-secret")
        assert forged.status_code == 403
        unsigned = await client.post(
            WEBHOOK, content=body, headers={"Content-Type": "application/json"}
        )
        assert unsigned.status_code == 403
        tampered = await client.post(
            WEBHOOK,
            content=body.replace(b"Body Text", b"Forged"),
            headers={"X-Hub-Signature-256": (await _signature_of(body))},
        )
        assert tampered.status_code == 403
        assert await count(app, ProcessedInbound) == 0
        assert await count(app, TranscriptMessage) == 0
        assert await count(app, Conversation) == 0
        assert await app.outbox.run_once() == 0
        assert emulator.requests == []


async def _signature_of(body: bytes) -> str:
    from tests.emulators.graph_api import sign

    return sign(body, APP_SECRET)


async def test_duplicate_delivery_processed_once(db_url: str, tmp_path: Path) -> None:
    async with whatsapp_app(db_url, tmp_path) as (app, client, emulator):
        body = fixture_bytes("message_text.json")
        first = await post_update(client, body)
        assert first.status_code == 200
        outbox_after_first = await count(app, OutboxMessage)
        assert outbox_after_first >= 1
        again = await post_update(client, body)
        assert again.status_code == 200
        assert await count(app, ProcessedInbound) == 1
        assert await count(app, TranscriptMessage, TranscriptMessage.direction == "in") == 1
        assert await count(app, OutboxMessage) == outbox_after_first
        citizen = Citizen(app, client, emulator, phone=FIXTURE_PHONE)
        assert len(await citizen.replies()) == outbox_after_first


async def test_reply_goes_to_the_phone_number_of_the_sender(db_url: str, tmp_path: Path) -> None:
    async with whatsapp_app(db_url, tmp_path) as (app, client, emulator):
        citizen = Citizen(app, client, emulator)
        replies = await citizen.say("menu")
        assert replies
        assert all(m["to"] == citizen.phone for m in replies)
        assert any(m["type"] == "interactive" for m in replies)
        async with app.sessions() as db:
            conv = (await db.execute(select(Conversation))).scalar_one()
        assert (conv.channel, conv.chat_id) == ("whatsapp", citizen.phone)
        assert conv.sender_name == "Siti Aminah"


async def test_failed_status_recorded_on_the_outbox_row(db_url: str, tmp_path: Path) -> None:
    async with whatsapp_app(db_url, tmp_path) as (app, client, emulator):
        citizen = Citizen(app, client, emulator, phone=FIXTURE_PHONE)
        # The emulator answers with the wamid that Meta's sample receipts talk about.
        emulator.next_message_ids.append("wamid.xyzxyz")
        replies = await citizen.say("menu")
        assert replies
        async with app.sessions() as db:
            row = (
                await db.execute(
                    select(OutboxMessage).where(OutboxMessage.platform_message_id == "wamid.xyzxyz")
                )
            ).scalar_one()
        assert row.status == "sent"
        for name, expected in (
            ("status_sent.json", "sent"),
            ("status_delivered.json", "delivered"),
        ):
            response = await post_update(client, fixture_bytes(name))
            assert response.status_code == 200
            async with app.sessions() as db:
                refreshed = await db.get(OutboxMessage, row.id)
                assert refreshed is not None and refreshed.delivery_status == expected
        response = await post_update(client, fixture_bytes("status_failed.json"))
        assert response.status_code == 200
        async with app.sessions() as db:
            failed = await db.get(OutboxMessage, row.id)
        assert failed is not None
        assert failed.delivery_status == "failed"
        assert "130472" in failed.delivery_error


async def test_status_notice_outside_window_goes_as_template(db_url: str, tmp_path: Path) -> None:
    async with whatsapp_app(db_url, tmp_path) as (app, client, emulator):
        citizen = Citizen(app, client, emulator)
        await citizen.say("menu")
        async with app.sessions() as db, db.begin():
            conv = (await db.execute(select(Conversation))).scalar_one()
            conv.last_inbound_at = utcnow() - timedelta(hours=25)
        notice = Outbound(
            "Status permohonan SKT-2026-00012: Disetujui. Izin dapat diambil mulai 5 Desember 2026.",
            author="system",
            template="status_update",
            template_params=("SKT-2026-00012", "Disetujui", "5 Desember 2026"),
        )
        free_form = Outbound("Pesan biasa di luar jendela 24 jam", author="system")
        key = ConversationKey("whatsapp", citizen.phone)
        async with app.sessions() as db, db.begin():
            await app.office.notifications.enqueue(db, conv.id, key, [notice, free_form])
        attempts_before = len(emulator.message_attempts())
        replies = await citizen.replies()
        assert [m["type"] for m in replies] == ["template"]
        template = replies[0]["template"]
        assert template["name"] == "siketan_status_update"
        assert template["language"]["code"] == "id"
        params = [p["text"] for p in template["components"][0]["parameters"]]
        assert params == ["SKT-2026-00012", "Disetujui", "5 Desember 2026"]
        # The free-form message was not even attempted: it failed for good, with the reason.
        assert len(emulator.message_attempts()) == attempts_before + 1
        async with app.sessions() as db:
            rows = (
                (await db.execute(select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(2)))
                .scalars()
                .all()
            )
        last, template_row = rows
        assert last.status == "failed"
        assert last.last_error == "outside the 24-hour window"
        assert template_row.status == "sent" and template_row.platform_message_id


async def test_rate_limit_is_retried_later(db_url: str, tmp_path: Path) -> None:
    async with whatsapp_app(db_url, tmp_path) as (app, client, emulator):
        emulator.fail_next(130429)
        response = await post_update(client, fixture_bytes("message_text.json"))
        assert response.status_code == 200
        assert await app.outbox.run_once() >= 1
        async with app.sessions() as db:
            row = (
                await db.execute(select(OutboxMessage).order_by(OutboxMessage.id).limit(1))
            ).scalar_one()
        assert row.status == "pending"
        assert row.attempts == 1
        assert "130429" in row.last_error
        next_at = row.next_attempt_at
        if next_at.tzinfo is None:
            next_at = next_at.replace(tzinfo=utcnow().tzinfo)
        assert next_at > utcnow() + timedelta(seconds=3)  # honours retry_after, not 10 ms backoff


async def test_image_stored_through_the_media_endpoint(db_url: str, tmp_path: Path) -> None:
    async with whatsapp_app(db_url, tmp_path) as (app, client, emulator):
        emulator.add_media("778899", JPEG, "image/jpeg")
        response = await post_update(client, image_update("wamid.IMG1", "778899"))
        assert response.status_code == 200
        async with app.sessions() as db:
            row = (
                await db.execute(
                    select(TranscriptMessage).where(TranscriptMessage.direction == "in")
                )
            ).scalar_one()
        [attachment] = row.body["attachments"]
        assert attachment["error"] == ""
        assert attachment["ref"].startswith("sha256:")
        assert app.files.read(attachment["ref"].removeprefix("sha256:")) == JPEG
        paths = [r.path for r in emulator.requests]
        assert "/v21.0/778899" in paths and "/whatsapp_business/attachments/" in paths


async def test_unreadable_media_is_refused_politely(db_url: str, tmp_path: Path) -> None:
    async with whatsapp_app(db_url, tmp_path) as (app, client, emulator):
        emulator.add_media("55", b"GIF89a not a permitted type", "image/gif")
        response = await post_update(client, image_update("wamid.IMG2", "55"))
        assert response.status_code == 200
        async with app.sessions() as db:
            row = (
                await db.execute(
                    select(TranscriptMessage).where(TranscriptMessage.direction == "in")
                )
            ).scalar_one()
        assert row.body["attachments"][0]["error"] == "wrong_type"
        citizen = Citizen(app, client, emulator)
        replies = await citizen.replies()
        assert replies, "the citizen is told why the file was refused"


async def test_every_sample_payload_is_answered_200(db_url: str, tmp_path: Path) -> None:
    async with whatsapp_app(db_url, tmp_path) as (app, client, emulator):
        emulator.add_media("65463453", JPEG, "image/jpeg")  # message_image.json's media
        names = sorted(
            p.name for p in DATA.glob("*.json") if p.name != "graph_api_error_responses.json"
        )
        assert len(names) >= 25
        for name in names:
            response = await post_update(client, fixture_bytes(name))
            assert response.status_code == 200, (name, response.text)
        while await app.outbox.run_once():
            pass
        async with app.sessions() as db:
            stuck = (
                (
                    await db.execute(
                        select(OutboxMessage).where(OutboxMessage.status.not_in(("sent",)))
                    )
                )
                .scalars()
                .all()
            )
        assert stuck == []
        # Every message (by its id) was taken in once; receipts and system notices added none.
        ids = {
            m["id"]
            for name in names
            for change in fixture(name)["entry"][0]["changes"]
            for m in change["value"].get("messages", [])
            if m.get("type") not in ("reaction", "system", "edit")
        }
        assert await count(app, ProcessedInbound) == len(ids)


async def test_unsupported_kinds_answered_politely(db_url: str, tmp_path: Path) -> None:
    async with whatsapp_app(db_url, tmp_path) as (app, client, emulator):
        response = await post_update(client, fixture_bytes("message_sticker.json"))
        assert response.status_code == 200
        citizen = Citizen(app, client, emulator, phone=FIXTURE_PHONE)
        [reply] = await citizen.replies()
        assert "belum bisa membaca" in reply["text"]["body"]
        # A reaction needs no answer at all.
        await post_update(client, fixture_bytes("message_reaction.json"))
        assert await citizen.replies() == []


async def test_citizens_kept_apart_by_number(db_url: str, tmp_path: Path) -> None:
    """Two citizens at once are kept apart by their numbers."""
    async with whatsapp_app(db_url, tmp_path) as (app, client, emulator):
        siti = Citizen(app, client, emulator)
        budi = Citizen(app, client, emulator, phone="6285211112222")
        assert await siti.say("menu")
        assert await budi.say("menu")
        assert await count(app, Conversation) == 2
        rows = await count(app, OutboxMessage, OutboxMessage.chat_id == budi.phone)
        assert rows >= 1


async def test_authentic_but_unreadable_body_acknowledged(db_url: str, tmp_path: Path) -> None:
    async with whatsapp_app(db_url, tmp_path) as (app, client, _emulator):
        for body in (b"not json at all", b"[]", b'{"object": "whatsapp_business_account"}'):
            response = await post_update(client, body)
            assert response.status_code == 200  # acknowledged: Meta must not redeliver it forever
        missing = await client.get(WEBHOOK)
        assert missing.status_code == 403
        assert await count(app, ProcessedInbound) == 0
