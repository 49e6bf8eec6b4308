"""The Telegram adapter on its own: parsing, rendering, limits, error mapping.

Sending goes to the local Bot API emulator through the real python-telegram-bot.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.channels.base import ChannelContext, DeliveryError
from bot.channels.telegram import (
    MAX_CALLBACK_BYTES,
    SECRET_HEADER,
    CallbackData,
    RateLimiter,
    TelegramChannel,
    split_text,
    to_html,
)
from dialogs.messages import Attachment, Button, ConversationKey, Outbound, OutboundKind
from storage.files import FileRejected, FileStore
from tests.conftest import DATA
from tests.emulators.telegram_api import TelegramApiEmulator

TOKEN = "654321:UNIT-test-token"
FIXTURES = DATA / "telegram"
KEY = ConversationKey("telegram", "777")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def offline_channel(secret: str = "s3cret") -> TelegramChannel:
    return TelegramChannel(TOKEN, mode="webhook", secret_token=secret, webhook_url="https://x/y")


# -- text --------------------------------------------------------------------------------------


def test_short_text_is_one_part() -> None:
    assert split_text("Halo Bapak/Ibu.") == ["Halo Bapak/Ibu."]


def test_long_text_splits_at_paragraphs_and_sentences() -> None:
    paragraph = "Kalimat pertama yang cukup panjang. " * 60  # ~2160 chars
    text = "\n\n".join([paragraph.strip()] * 3)
    parts = split_text(text)
    assert len(parts) == 3
    assert all(len(p) <= 4096 for p in parts)
    assert all(p.endswith(".") for p in parts)
    one_line = "Kata demi kata. " * 600
    parts = split_text(one_line)
    assert all(len(p) <= 4096 and p.endswith(".") for p in parts)


def test_limit_counts_utf16_units_like_telegram() -> None:
    parts = split_text("😀" * 3000)  # every emoji is two UTF-16 units
    assert len(parts) == 2
    assert all(len(p.encode("utf-16-le")) // 2 <= 4096 for p in parts)
    assert "".join(parts) == "😀" * 3000


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=1, max_size=9000), st.integers(min_value=20, max_value=400))
def test_split_never_exceeds_limit_and_keeps_the_words(text: str, limit: int) -> None:
    parts = split_text(text, limit)
    assert all(len(p.encode("utf-16-le")) // 2 <= limit for p in parts)
    assert "".join("".join(p.split()) for p in parts) == "".join(text.split())


def test_html_escapes_citizen_text_and_keeps_bold() -> None:
    assert (
        to_html("Ketik *menu* <b>x</b> & 1<2")
        == "Ketik <b>menu</b> &lt;b&gt;x&lt;/b&gt; &amp; 1&lt;2"
    )


# -- callback data ---------------------------------------------------------------------------


def test_callback_data_short_payloads_pass_as_they_are() -> None:
    cb = CallbackData()
    assert cb.encode("menu:requirements") == "menu:requirements"
    assert cb.decode("menu:requirements") == "menu:requirements"


def test_callback_data_long_payloads_become_reversible_tokens() -> None:
    cb = CallbackData()
    long_payload = "kbli:56103:warung-makan-dengan-tempat-duduk-dan-layanan-antar-ke-rumah"
    token = cb.encode(long_payload)
    assert len(token.encode()) <= MAX_CALLBACK_BYTES
    assert token == cb.encode(long_payload)  # deterministic
    assert cb.decode(token) == long_payload
    assert CallbackData().decode(token) is None  # another process: unknown, not misread
    tilde = cb.encode("~looks-like-a-token")
    assert tilde != "~looks-like-a-token" and cb.decode(tilde) == "~looks-like-a-token"


# -- rate limits -----------------------------------------------------------------------------


async def test_rate_limiter_paces_one_chat_but_not_others() -> None:
    limiter = RateLimiter(per_chat=10.0, burst=1, overall=1000.0)
    start = time.monotonic()
    for _ in range(4):
        await limiter.wait("a")
    assert time.monotonic() - start >= 0.28
    start = time.monotonic()
    for chat in "bcdefg":
        await limiter.wait(chat)
    assert time.monotonic() - start < 0.05


async def test_rate_limiter_global_limit() -> None:
    limiter = RateLimiter(per_chat=1000.0, burst=10, overall=20.0)
    start = time.monotonic()
    for i in range(30):
        await limiter.wait(str(i))
    assert time.monotonic() - start >= 0.45


# -- verify and parse ------------------------------------------------------------------------


def test_verify_secret_header() -> None:
    channel = offline_channel("s3cret")
    assert channel.verify({SECRET_HEADER: "s3cret"}, b"")
    assert channel.verify({SECRET_HEADER.lower(): "s3cret"}, b"")
    assert not channel.verify({SECRET_HEADER: "wrong"}, b"")
    assert not channel.verify({}, b"")
    assert not offline_channel("").verify({SECRET_HEADER: ""}, b"")


def parse(name: str) -> Any:
    channel = offline_channel()
    return channel.parse_body((FIXTURES / name).read_bytes())


def test_parse_real_payloads() -> None:
    text = parse("aiogram_raw_update_text.json").inbound
    assert text.key == ConversationKey("telegram", "42") and text.text == "test"
    assert text.message_id == "m42:42" and text.sender_name == "Test"
    photo = parse("teloxide_message_photo.json").inbound
    (attachment,) = photo.attachments
    assert attachment.kind == "photo" and attachment.size == 75245
    assert attachment.ref.endswith("A3kAAyTcBAABFgQ")  # the largest of the three sizes
    doc = parse("aiogram_message_document.json").inbound
    assert doc.attachments[0].kind == "document" and doc.attachments[0].ref == "tg:file id"
    assert parse("aiogram_message_contact.json").inbound.contact.phone == "911"
    venue = parse("teloxide_message_location_venue.json").inbound.location
    assert (venue.latitude, venue.name, venue.address) == (0.0, "Title", "Address")
    assert parse("aiogram_message_location.json").inbound.location.longitude == 3.14
    edited = parse("aiogram_edited_message.json").inbound
    assert edited.unsupported == "edited_message" and edited.message_id.startswith("e42:42:")
    callback = parse("teloxide_callback_query_inline.json")
    assert callback.callback_query_id == "id"
    assert callback.inbound.payload == "some_data"
    assert callback.inbound.key.chat_id == "12345"  # no message: the private chat is the user
    assert callback.inbound.message_id == "cid"


@pytest.mark.parametrize(
    "path", sorted((FIXTURES / "rejected_by_parsers").glob("*.json")), ids=lambda p: p.name
)
def test_payloads_the_library_rejects_parse_to_nothing(path: Path) -> None:
    channel = offline_channel()
    assert channel.parse_body(path.read_bytes()) is None
    assert channel.parse(path.read_bytes()).inbounds == ()


def _update(**message: Any) -> bytes:
    base = {
        "message_id": 5,
        "date": 1700000000,
        "chat": {"id": 9, "type": "private"},
        "from": {"id": 9, "is_bot": False, "first_name": "Budi"},
    }
    return json.dumps({"update_id": 1, "message": {**base, **message}}).encode()


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("/start", "/start"),
        ("/start@siketan_bot", "/start"),
        ("/start kampanye-pasar", "/start"),
        ("/MENU", "/menu"),
        ("/batal", "/batal"),
        ("/help", "/help"),
        ("/lain", "/lain"),
        ("izin warung", "izin warung"),
    ],
)
def test_commands_map_to_the_dialog_commands(typed: str, expected: str) -> None:
    (inbound,) = offline_channel().parse(_update(text=typed)).inbounds
    assert inbound.text == expected


def test_unsupported_kinds_and_service_messages() -> None:
    channel = offline_channel()
    voice = {"file_id": "v", "file_unique_id": "vu", "duration": 2}
    (inbound,) = channel.parse(_update(voice=voice)).inbounds
    assert inbound.unsupported == "voice"
    assert (
        channel.parse(_update(new_chat_title="x")).inbounds == ()
    )  # not something the citizen said
    group = channel.parse_body(_update(text="hi", chat={"id": -5, "type": "group", "title": "g"}))
    assert group is not None and group.inbound is None and group.group_chat_id == -5
    post = {"message_id": 1, "date": 1, "chat": {"id": -100, "type": "channel"}, "text": "x"}
    item = channel.parse_body(json.dumps({"update_id": 3, "channel_post": post}).encode())
    assert item is not None and item.inbound is None


# -- sending through the emulated Bot API ----------------------------------------------------


@pytest.fixture
def emulator() -> Iterator[TelegramApiEmulator]:
    with TelegramApiEmulator(TOKEN) as emu:
        yield emu


@pytest.fixture
async def channel(emulator: TelegramApiEmulator, tmp_path: Path) -> AsyncIterator[TelegramChannel]:
    tg = TelegramChannel(
        TOKEN,
        mode="webhook",
        base_url=emulator.base_url,
        base_file_url=emulator.base_file_url,
        webhook_url="https://siketan.example/webhooks/telegram",
        secret_token="s3cret",
        per_chat_per_second=100.0,
    )

    async def nothing(*_: Any) -> None:
        return None

    files = FileStore(tmp_path / "files", 10 * 1024 * 1024)
    await tg.start(ChannelContext(handle_inbound=nothing, files=files, record_delivery=nothing))
    try:
        yield tg
    finally:
        await tg.stop()


async def test_long_message_goes_in_parts_with_buttons_on_the_last(
    channel: TelegramChannel, emulator: TelegramApiEmulator
) -> None:
    text = ("Persyaratan izin usaha mikro. " * 100 + "\n\n") * 3
    message = Outbound(text, buttons=(Button("Menu", "cmd:menu"),))
    delivered = await channel.send(KEY, message)
    sent = emulator.sent_to(777)
    assert len(sent) >= 2
    assert all(len(m["text"]) <= 4096 for m in sent)
    assert [bool(m.get("reply_markup")) for m in sent] == [False] * (len(sent) - 1) + [True]
    assert delivered.platform_message_id == str(sent[-1]["message_id"])


async def test_long_payload_round_trip_and_unknown_token_falls_back_to_title(
    channel: TelegramChannel, emulator: TelegramApiEmulator
) -> None:
    payload = "req:kbli:56103:" + "x" * 80
    await channel.send(KEY, Outbound("Pilih:", buttons=(Button("Warung makan", payload),)))
    sent = emulator.sent_to(777)[-1]
    data = sent["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    assert len(data.encode()) <= 64
    public = {k: v for k, v in sent.items() if k not in ("request_markup", "parse_mode")}
    tap = json.dumps(emulator.callback_update(777, public, data)).encode()
    assert channel.parse(tap).inbounds[0].payload == payload
    restarted = offline_channel()
    (inbound,) = restarted.parse(tap).inbounds
    assert inbound.payload == "" and inbound.text == "Warung makan"


async def test_request_contact_uses_a_one_time_reply_keyboard(
    channel: TelegramChannel, emulator: TelegramApiEmulator
) -> None:
    await channel.send(KEY, Outbound("Nomor HP?", kind=OutboundKind.REQUEST_CONTACT))
    markup = emulator.sent_to(777)[-1]["request_markup"]
    assert markup["one_time_keyboard"] is True
    assert markup["keyboard"][0][0]["request_contact"] is True
    await channel.send(KEY, Outbound("Terima kasih."))
    assert emulator.sent_to(777)[-1]["request_markup"] == {"remove_keyboard": True}


async def test_document_is_uploaded_from_the_file_store(
    channel: TelegramChannel, emulator: TelegramApiEmulator, tmp_path: Path
) -> None:
    stored = await FileStore(tmp_path / "files", 10 << 20).store_bytes(PDF, "tanda-terima.pdf")
    message = Outbound(
        "Tanda terima permohonan Bapak/Ibu.",
        kind=OutboundKind.DOCUMENT,
        document_ref=f"sha256:{stored.sha256}",
        document_name="tanda-terima.pdf",
        buttons=(Button("Menu", "cmd:menu"),),
    )
    await channel.send(KEY, message)
    sent = emulator.sent_to(777)[-1]
    assert sent["document_bytes"] == PDF
    assert sent["document"]["file_name"] == "tanda-terima.pdf"
    assert sent["caption"].startswith("Tanda terima")
    actions = [c.params["action"] for c in emulator.calls_of("sendChatAction")]
    assert actions == ["upload_document"]
    missing = Outbound("x", kind=OutboundKind.DOCUMENT, document_ref="sha256:" + "0" * 64)
    with pytest.raises(DeliveryError) as info:
        await channel.send(KEY, missing)
    assert info.value.permanent


@pytest.mark.parametrize(
    ("status", "description", "check"),
    [
        (429, "Too Many Requests: retry after 7", lambda e: e.retry_after == 7 and not e.permanent),
        (403, "Forbidden: bot was blocked by the user", lambda e: e.blocked and e.permanent),
        (400, "Bad Request: chat not found", lambda e: e.permanent and not e.blocked),
        (502, "Bad Gateway", lambda e: not e.permanent and e.retry_after is None),
        (500, "Internal Server Error", lambda e: not e.permanent),
    ],
)
async def test_errors_map_to_delivery_errors(
    channel: TelegramChannel,
    emulator: TelegramApiEmulator,
    status: int,
    description: str,
    check: Any,
) -> None:
    retry_after = 7 if status == 429 else None
    emulator.fail("sendMessage", status, description, retry_after=retry_after)
    with pytest.raises(DeliveryError) as info:
        await channel.send(KEY, Outbound("Halo"))
    assert check(info.value), vars(info.value)
    assert TOKEN not in info.value.reason


async def test_files_are_checked_against_both_limits(
    channel: TelegramChannel, emulator: TelegramApiEmulator
) -> None:
    big = emulator.add_file(b"x" * 5000, "big.pdf")
    ref = Attachment("document", f"tg:{big['file_id']}")
    with pytest.raises(FileRejected) as info:
        await channel.fetch_attachment(ref, max_bytes=1000)  # getFile says 5000 bytes
    assert info.value.reason == "too_large"
    huge = Attachment("document", "tg:never-asked", size=21 * 1024 * 1024)
    with pytest.raises(FileRejected):
        await channel.fetch_attachment(huge, max_bytes=50 * 1024 * 1024)  # over getFile's 20 MB
    assert [c.params["file_id"] for c in emulator.calls_of("getFile")] == [big["file_id"]]
    ok = emulator.add_file(PDF, "ok.pdf")
    assert (
        await channel.fetch_attachment(Attachment("document", f"tg:{ok['file_id']}"), 1000) == PDF
    )


async def test_chat_messages_keep_their_order_under_concurrency(
    channel: TelegramChannel, emulator: TelegramApiEmulator
) -> None:
    await asyncio.gather(*(channel.send(KEY, Outbound(f"pesan {i}")) for i in range(6)))
    assert [m["text"] for m in emulator.sent_to(777)] == [f"pesan {i}" for i in range(6)]
