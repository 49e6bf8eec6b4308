"""WhatsApp rendering and error handling: the real pywa client against the local Graph API
emulator (a real HTTP server on 127.0.0.1)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.channels.base import ChannelContext, DeliveryError, SendContext
from bot.channels.whatsapp import WhatsAppChannel
from bot.settings import WhatsAppTemplate
from dialogs.messages import Attachment, Button, ConversationKey, Outbound, OutboundKind
from storage.files import FileRejected, FileStore
from tests.emulators.graph_api import GraphApiEmulator

KEY = ConversationKey("whatsapp", "6281234567890")
TEMPLATES = {"status_update": WhatsAppTemplate(name="siketan_status_update", language="id")}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def now() -> datetime:
    return datetime.now(UTC)


IN_WINDOW = SendContext(last_inbound_at=now() - timedelta(minutes=3))
OUT_OF_WINDOW = SendContext(last_inbound_at=now() - timedelta(hours=25))


@pytest.fixture
def emulator() -> Iterator[GraphApiEmulator]:
    with GraphApiEmulator() as emu:
        yield emu


@pytest.fixture
async def channel(emulator: GraphApiEmulator, tmp_path: Path) -> AsyncIterator[WhatsAppChannel]:
    ch = WhatsAppChannel(
        phone_number_id=emulator.phone_number_id,
        access_token=emulator.access_token,
        app_secret="secret",
        verify_token="verify",
        api_version=emulator.api_version,
        graph_api_base_url=emulator.base_url,
        templates=TEMPLATES,
    )

    async def nothing(*_: object) -> None:
        return None

    await ch.start(
        ChannelContext(
            handle_inbound=nothing,
            files=FileStore(tmp_path / "files", 10_000_000),
            record_delivery=nothing,
        )
    )
    yield ch
    await ch.stop()


async def test_plain_text(channel: WhatsAppChannel, emulator: GraphApiEmulator) -> None:
    delivered = await channel.send(KEY, Outbound("Halo Bapak/Ibu"), IN_WINDOW)
    [sent] = emulator.sent_messages()
    assert sent["type"] == "text" and sent["to"] == "6281234567890"
    assert sent["text"]["body"] == "Halo Bapak/Ibu"
    assert delivered.platform_message_id.startswith("wamid.")
    assert emulator.requests[0].headers["authorization"] == f"Bearer {emulator.access_token}"


async def test_long_text_split_on_sentences(
    channel: WhatsAppChannel, emulator: GraphApiEmulator
) -> None:
    text = "Persyaratan NIB dapat diurus secara daring melalui OSS. " * 120
    await channel.send(KEY, Outbound(text), IN_WINDOW)
    bodies = [m["text"]["body"] for m in emulator.sent_messages()]
    assert len(bodies) == 2
    assert all(len(b) <= 4096 and b.endswith(".") for b in bodies)


async def test_up_to_three_options_are_reply_buttons(
    channel: WhatsAppChannel, emulator: GraphApiEmulator
) -> None:
    buttons = (
        Button("Ya, lanjutkan pengajuan", "form:yes"),
        Button("Ubah data", "form:edit"),
        Button("Batal", "cmd:cancel"),
    )
    await channel.send(KEY, Outbound("Apakah data sudah benar?", buttons=buttons), IN_WINDOW)
    [sent] = emulator.sent_messages()
    assert sent["type"] == "interactive"
    interactive = sent["interactive"]
    assert interactive["type"] == "button"
    assert interactive["body"]["text"] == "Apakah data sudah benar?"
    replies = [b["reply"] for b in interactive["action"]["buttons"]]
    assert [r["id"] for r in replies] == ["form:yes", "form:edit", "cmd:cancel"]
    assert all(len(r["title"]) <= 20 for r in replies)
    assert replies[0]["title"] == "Ya, lanjutkan…"


async def test_up_to_ten_options_are_a_list(
    channel: WhatsAppChannel, emulator: GraphApiEmulator
) -> None:
    buttons = tuple(
        Button(f"Perdagangan eceran makanan dan minuman nomor {i}", f"kbli:{i}") for i in range(7)
    )
    await channel.send(KEY, Outbound("Pilih kegiatan usaha:", buttons=buttons), IN_WINDOW)
    [sent] = emulator.sent_messages()
    interactive = sent["interactive"]
    assert interactive["type"] == "list"
    assert len(interactive["action"]["button"]) <= 20
    rows = interactive["action"]["sections"][0]["rows"]
    assert [r["id"] for r in rows] == [f"kbli:{i}" for i in range(7)]
    assert all(len(r["title"]) <= 24 for r in rows)
    assert all(len(r.get("description", "")) <= 72 for r in rows)
    assert rows[0]["description"].startswith("Perdagangan eceran")


async def test_as_list_and_list_title(channel: WhatsAppChannel, emulator: GraphApiEmulator) -> None:
    buttons = (Button("Cek syarat izin", "menu:requirements"), Button("Info kantor", "menu:office"))
    message = Outbound("Silakan pilih:", buttons=buttons, as_list=True, list_title="Menu")
    await channel.send(KEY, message, IN_WINDOW)
    [sent] = emulator.sent_messages()
    assert sent["interactive"]["type"] == "list"
    assert sent["interactive"]["action"]["button"] == "Menu"


async def test_more_than_ten_options_are_numbered_text(
    channel: WhatsAppChannel, emulator: GraphApiEmulator
) -> None:
    buttons = tuple(Button(f"Kelurahan {i}", f"kel:{i}") for i in range(1, 13))
    await channel.send(KEY, Outbound("Pilih kelurahan:", buttons=buttons), IN_WINDOW)
    [sent] = emulator.sent_messages()
    assert sent["type"] == "text"
    assert "1. Kelurahan 1" in sent["text"]["body"]
    assert "12. Kelurahan 12" in sent["text"]["body"]


async def test_long_body_with_buttons(channel: WhatsAppChannel, emulator: GraphApiEmulator) -> None:
    text = "Daftar dokumen yang perlu disiapkan oleh Bapak/Ibu. " * 40  # ~2,000 characters
    await channel.send(KEY, Outbound(text, buttons=(Button("Menu", "cmd:menu"),)), IN_WINDOW)
    first, second = emulator.sent_messages()
    assert first["type"] == "text"
    assert second["type"] == "interactive"
    assert len(second["interactive"]["body"]["text"]) <= 1024


async def test_requests_are_plain_text(
    channel: WhatsAppChannel, emulator: GraphApiEmulator
) -> None:
    await channel.send(
        KEY, Outbound("Mohon kirim nomor HP", kind=OutboundKind.REQUEST_CONTACT), IN_WINDOW
    )
    await channel.send(
        KEY, Outbound("Mohon kirim foto KTP", kind=OutboundKind.REQUEST_FILE), IN_WINDOW
    )
    assert [m["type"] for m in emulator.sent_messages()] == ["text", "text"]


async def test_document_uploaded_and_sent(
    channel: WhatsAppChannel, emulator: GraphApiEmulator, tmp_path: Path
) -> None:
    files = FileStore(tmp_path / "files", 10_000_000)
    stored = await files.store_bytes(PDF, "tanda-terima.pdf")
    message = Outbound(
        "Tanda terima permohonan",
        kind=OutboundKind.DOCUMENT,
        document_ref=f"sha256:{stored.sha256}",
        document_name="tanda-terima.pdf",
        document_mime="application/pdf",
    )
    await channel.send(KEY, message, IN_WINDOW)
    [(media_id, upload)] = emulator.uploads.items()
    assert upload.data == PDF
    assert upload.mime_type == "application/pdf"
    [sent] = emulator.sent_messages()
    assert sent["type"] == "document"
    assert sent["document"]["id"] == media_id
    assert sent["document"]["filename"] == "tanda-terima.pdf"
    assert sent["document"]["caption"] == "Tanda terima permohonan"


async def test_business_scoped_id_goes_to_recipient(
    channel: WhatsAppChannel, emulator: GraphApiEmulator
) -> None:
    key = ConversationKey("whatsapp", "US.13491208655302741918")
    await channel.send(key, Outbound("Halo"), IN_WINDOW)
    [sent] = emulator.sent_messages()
    assert sent["recipient"] == "US.13491208655302741918"
    assert "to" not in sent


# -- the 24-hour window ------------------------------------------------------------------------


def status_notice(template: str = "status_update") -> Outbound:
    return Outbound(
        "Status permohonan SKT-2026-00012 berubah menjadi: Disetujui.",
        author="system",
        template=template,
        template_params=("SKT-2026-00012", "Disetujui\n(silakan ambil)", "5 Desember 2026"),
    )


async def test_outside_window_sends_the_template(
    channel: WhatsAppChannel, emulator: GraphApiEmulator
) -> None:
    await channel.send(KEY, status_notice(), OUT_OF_WINDOW)
    [sent] = emulator.message_attempts()
    assert sent["type"] == "template"
    assert sent["template"]["name"] == "siketan_status_update"
    assert sent["template"]["language"] == {"code": "id"}
    [body] = sent["template"]["components"]
    assert body["type"].lower() == "body"
    assert [p["text"] for p in body["parameters"]] == [
        "SKT-2026-00012",
        "Disetujui (silakan ambil)",  # newlines are not allowed in template parameters
        "5 Desember 2026",
    ]


async def test_outside_window_without_template_is_not_attempted(
    channel: WhatsAppChannel, emulator: GraphApiEmulator
) -> None:
    with pytest.raises(DeliveryError) as info:
        await channel.send(KEY, Outbound("Halo"), OUT_OF_WINDOW)
    assert info.value.permanent
    assert info.value.reason == "outside the 24-hour window"
    assert emulator.requests == []


async def test_never_wrote_counts_as_outside(
    channel: WhatsAppChannel, emulator: GraphApiEmulator
) -> None:
    with pytest.raises(DeliveryError):
        await channel.send(KEY, Outbound("Halo"), SendContext(last_inbound_at=None))
    assert emulator.requests == []


async def test_unknown_template_key_is_permanent(
    channel: WhatsAppChannel, emulator: GraphApiEmulator
) -> None:
    with pytest.raises(DeliveryError) as info:
        await channel.send(KEY, status_notice("nope"), OUT_OF_WINDOW)
    assert info.value.permanent and "nope" in info.value.reason


async def test_reengagement_error_falls_back_to_template(
    channel: WhatsAppChannel, emulator: GraphApiEmulator
) -> None:
    emulator.fail_next(131047)
    delivered = await channel.send(KEY, status_notice(), IN_WINDOW)
    assert [m["type"] for m in emulator.message_attempts()] == ["text", "template"]
    assert [m["type"] for m in emulator.sent_messages()] == ["template"]
    assert delivered.platform_message_id


async def test_reengagement_without_template_is_permanent(
    channel: WhatsAppChannel, emulator: GraphApiEmulator
) -> None:
    emulator.fail_next(131047)
    with pytest.raises(DeliveryError) as info:
        await channel.send(KEY, Outbound("Halo"), IN_WINDOW)
    assert info.value.permanent and info.value.code == "131047"


# -- Graph API errors ----------------------------------------------------------------------------


@pytest.mark.parametrize("code", [130429, 131056])
async def test_rate_limits_are_retried_later(
    channel: WhatsAppChannel, emulator: GraphApiEmulator, code: int
) -> None:
    emulator.fail_next(code)
    with pytest.raises(DeliveryError) as info:
        await channel.send(KEY, Outbound("Halo"), IN_WINDOW)
    assert not info.value.permanent
    assert info.value.retry_after is not None and info.value.retry_after > 0
    assert info.value.code == str(code)


async def test_expired_token_is_permanent_and_logged(
    channel: WhatsAppChannel, emulator: GraphApiEmulator, caplog: pytest.LogCaptureFixture
) -> None:
    emulator.fail_next(190)
    with pytest.raises(DeliveryError) as info:
        await channel.send(KEY, Outbound("Halo"), IN_WINDOW)
    assert info.value.permanent
    assert "access_token" in caplog.text
    assert emulator.access_token not in caplog.text


async def test_undeliverable_is_permanent(
    channel: WhatsAppChannel, emulator: GraphApiEmulator
) -> None:
    emulator.fail_next(131026)
    with pytest.raises(DeliveryError) as info:
        await channel.send(KEY, Outbound("Halo"), IN_WINDOW)
    assert info.value.permanent


async def test_server_error_is_temporary(
    channel: WhatsAppChannel, emulator: GraphApiEmulator
) -> None:
    emulator.fail_next(131000)
    with pytest.raises(DeliveryError) as info:
        await channel.send(KEY, Outbound("Halo"), IN_WINDOW)
    assert not info.value.permanent


# -- media ------------------------------------------------------------------------------------


async def test_fetch_attachment_through_media_url(
    channel: WhatsAppChannel, emulator: GraphApiEmulator
) -> None:
    emulator.add_media("65463453", b"\xff\xd8\xff\xe0" + b"0" * 500, "image/jpeg")
    data = await channel.fetch_attachment(Attachment("photo", "wa-media:65463453"), 10_000)
    assert data.startswith(b"\xff\xd8\xff")
    paths = [r.path for r in emulator.requests]
    assert paths == ["/v21.0/65463453", "/whatsapp_business/attachments/"]
    # The CDN download carries the access token too.
    assert emulator.requests[1].headers["authorization"] == f"Bearer {emulator.access_token}"


async def test_fetch_attachment_too_large(
    channel: WhatsAppChannel, emulator: GraphApiEmulator
) -> None:
    emulator.add_media("big", b"\xff\xd8\xff" + b"0" * 5000, "image/jpeg")
    with pytest.raises(FileRejected) as info:
        await channel.fetch_attachment(Attachment("photo", "wa-media:big"), 1000)
    assert info.value.reason == "too_large"


async def test_options_that_shorten_alike_become_a_list(
    channel: WhatsAppChannel, emulator: GraphApiEmulator
) -> None:
    buttons = (
        Button("Belum, baru mau mulai", "running:new"),
        Button("Sudah, sejak 2021 atau sesudahnya", "running:since_2021"),
        Button("Sudah, sejak sebelum 2021", "running:before_2021"),
    )
    await channel.send(
        KEY, Outbound("Apakah usaha ini sudah berjalan?", buttons=buttons), IN_WINDOW
    )
    [sent] = emulator.sent_messages()
    assert sent["interactive"]["type"] == "list"
    rows = sent["interactive"]["action"]["sections"][0]["rows"]
    assert rows[2]["description"] == "Sudah, sejak sebelum 2021"


async def test_document_with_choices_offers_them_after_it(
    channel: WhatsAppChannel, emulator: GraphApiEmulator, tmp_path: Path
) -> None:
    files = FileStore(tmp_path / "files", 10_000_000)
    stored = await files.store_bytes(PDF, "izin.pdf")
    message = Outbound(
        "Izin Bapak/Ibu sudah terbit",
        kind=OutboundKind.DOCUMENT,
        document_ref=f"sha256:{stored.sha256}",
        document_name="izin.pdf",
        buttons=(Button("Isi survei", "survey:start"), Button("Menu utama", "cmd:menu")),
    )
    delivered = await channel.send(KEY, message, IN_WINDOW)
    document, choices = emulator.sent_messages()
    assert document["type"] == "document"
    assert choices["interactive"]["type"] == "button"
    assert (
        delivered.platform_message_id
    )  # the document's wamid: its receipt is the one that matters


async def test_retry_after_a_rate_limit_resumes_where_it_stopped(
    channel: WhatsAppChannel, emulator: GraphApiEmulator
) -> None:
    text = "\n\n".join(f"Bagian {i}. " + "Isi penjelasan yang panjang. " * 140 for i in range(3))
    message = Outbound(text)
    emulator.fail_next(131056, skip=1)  # the second of three parts hits the pair rate limit
    with pytest.raises(DeliveryError) as info:
        await channel.send(KEY, message, IN_WINDOW)
    assert info.value.retry_after
    assert len(emulator.sent_messages()) == 1
    delivered = await channel.send(KEY, message, IN_WINDOW)  # the outbox's retry
    bodies = [m["text"]["body"] for m in emulator.sent_messages()]
    assert [b[:8] for b in bodies] == ["Bagian 0", "Bagian 1", "Bagian 2"]
    assert delivered.platform_message_id
    # A later, separate send of the same text starts from the beginning again.
    await channel.send(KEY, message, IN_WINDOW)
    assert len(emulator.sent_messages()) == 6
