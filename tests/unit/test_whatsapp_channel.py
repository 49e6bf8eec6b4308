"""WhatsApp adapter without a server: signature, verification challenge, webhook parsing, text
helpers. The webhook bodies are Meta's real payloads (tests/data/whatsapp/, copied unchanged)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.channels.whatsapp import WhatsAppChannel, shorten, split_text
from bot.settings import SettingsError, load_settings
from tests.emulators.graph_api import sign

DATA = Path(__file__).resolve().parent.parent / "data" / "whatsapp"
SECRET = "unit-test-app-secret"
PHONE_ID = "1122334455667"  # the phone number id in Meta's sample payloads


def fixture(name: str) -> bytes:
    return (DATA / name).read_bytes()


@pytest.fixture
async def channel() -> Any:
    ch = WhatsAppChannel(
        phone_number_id=PHONE_ID,
        access_token="token",
        app_secret=SECRET,
        verify_token="verify-me",
        graph_api_base_url="http://127.0.0.1:9",
    )
    yield ch
    await ch.stop()


# -- authenticity ------------------------------------------------------------------------------


def test_signature_checked_on_raw_body(channel: WhatsAppChannel) -> None:
    body = fixture("message_text.json")
    assert channel.verify({"X-Hub-Signature-256": sign(body, SECRET)}, body)
    assert channel.verify({"x-hub-signature-256": sign(body, SECRET)}, body)
    assert not channel.verify({"X-Hub-Signature-256": sign(body, "other-secret")}, body)
    assert not channel.verify({"X-Hub-Signature-256": sign(body + b" ", SECRET)}, body)
    assert not channel.verify({}, body)
    assert not channel.verify({"X-Hub-Signature-256": sign(body, SECRET)[7:]}, body)


def test_verification_challenge(channel: WhatsAppChannel) -> None:
    assert channel.verify_challenge("subscribe", "verify-me", "1158201444") == "1158201444"
    assert channel.verify_challenge("subscribe", "wrong", "1158201444") is None
    assert channel.verify_challenge("unsubscribe", "verify-me", "1") is None
    assert channel.verify_challenge("subscribe", "", "1") is None


def test_refuses_to_start_without_app_secret() -> None:
    with pytest.raises(SettingsError, match="app_secret"):
        WhatsAppChannel(phone_number_id=PHONE_ID, access_token="t", app_secret="", verify_token="v")


def test_settings_refuse_half_configured_whatsapp() -> None:
    with pytest.raises(SettingsError, match="app_secret"):
        load_settings(
            None,
            whatsapp={"phone_number_id": PHONE_ID, "access_token": "t", "verify_token": "v"},
        )


def test_templates_are_settings() -> None:
    settings = load_settings(None)
    assert settings.whatsapp.templates["status_update"].name == "siketan_status_update"
    assert settings.whatsapp.templates["status_update"].language == "id"


# -- parsing -------------------------------------------------------------------------------------


def test_text_message(channel: WhatsAppChannel) -> None:
    [inbound] = channel.parse(fixture("message_text.json")).inbounds
    assert inbound.key.channel == "whatsapp"
    assert inbound.key.chat_id == "972987654321"  # the phone number when WhatsApp gives it
    assert inbound.message_id == "wamid.xyzxyz"
    assert inbound.text == "Body Text"
    assert inbound.sender_name == "Test Name"
    assert inbound.timestamp is not None and inbound.timestamp.year == 2023


@pytest.mark.parametrize(
    "name",
    [
        "interactive_button_reply.json",
        "interactive_list_reply.json",
        "interactive_list_reply_with_description.json",
        "template_quick_reply_button.json",
    ],
)
def test_taps_carry_the_payload(channel: WhatsAppChannel, name: str) -> None:
    [inbound] = channel.parse(fixture(name)).inbounds
    assert inbound.payload == "callback_data"
    assert inbound.text == ""


def test_image_and_document_become_attachments(channel: WhatsAppChannel) -> None:
    [image] = channel.parse(fixture("message_image.json")).inbounds
    assert image.attachments[0].kind == "photo"
    assert image.attachments[0].ref == "wa-media:65463453"
    [doc] = channel.parse(fixture("message_document.json")).inbounds
    assert doc.attachments[0].kind == "document"
    assert doc.attachments[0].ref == "wa-media:1234567890987654321"
    assert doc.attachments[0].file_name == "filename.pdf"
    assert doc.attachments[0].mime_type == "application/pdf"


def test_location_and_contacts(channel: WhatsAppChannel) -> None:
    [loc] = channel.parse(fixture("message_location_current.json")).inbounds
    assert loc.location is not None
    assert (loc.location.latitude, loc.location.longitude) == (12.25089, 43.90539)
    [chosen] = channel.parse(fixture("message_location_chosen.json")).inbounds
    assert chosen.location is not None and chosen.location.name
    [card] = channel.parse(fixture("message_contacts.json")).inbounds
    assert card.contact is not None
    assert card.contact.phone == "+1 555-555-5555"
    assert card.contact.name == "Chandler Bing"


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("message_sticker.json", "sticker"),
        ("message_audio.json", "audio"),
        ("message_voice.json", "audio"),
        ("message_video.json", "video"),
        ("message_unsupported_with_errors.json", "unsupported"),
    ],
)
def test_kinds_the_dialogs_cannot_use_are_marked(
    channel: WhatsAppChannel, name: str, kind: str
) -> None:
    [inbound] = channel.parse(fixture(name)).inbounds
    assert inbound.unsupported == kind


@pytest.mark.parametrize(
    "name",
    [
        "message_reaction.json",
        "system_identity_change.json",
        "system_phone_number_change.json",
        "message_edited_image.json",
        "status_sent.json",
    ],
)
def test_no_answer_needed(channel: WhatsAppChannel, name: str) -> None:
    assert channel.parse(fixture(name)).inbounds == ()


def test_value_level_errors_do_not_break_parsing(channel: WhatsAppChannel) -> None:
    parsed = channel.parse(fixture("value_level_errors.json"))
    # The message itself is unreadable (no interactive content): the citizen gets the polite
    # "cannot read this" instead of silence.
    assert [i.unsupported for i in parsed.inbounds] == ["interactive:unknown"]


@pytest.mark.parametrize(
    ("name", "status"),
    [
        ("status_sent.json", "sent"),
        ("status_delivered.json", "delivered"),
        ("status_read.json", "read"),
        ("status_with_tracker.json", "sent"),
    ],
)
def test_statuses(channel: WhatsAppChannel, name: str, status: str) -> None:
    parsed = channel.parse(fixture(name))
    assert parsed.inbounds == ()
    assert [s.status for s in parsed.receipts] == [status]
    assert parsed.receipts[0].platform_message_id.startswith("wamid.")


def test_failed_status_keeps_the_error_code(channel: WhatsAppChannel) -> None:
    [failed] = channel.parse(fixture("status_failed.json")).receipts
    assert failed.platform_message_id == "wamid.xyzxyz"
    assert failed.status == "failed"
    assert "130472" in failed.error


def test_business_scoped_user_id_when_no_phone_number(channel: WhatsAppChannel) -> None:
    data = json.loads(fixture("message_text.json"))
    value = data["entry"][0]["changes"][0]["value"]
    del value["contacts"][0]["wa_id"]
    message = value["messages"][0]
    del message["from"]
    message["from_user_id"] = "US.13491208655302741918"
    [inbound] = channel.parse(json.dumps(data).encode()).inbounds
    assert inbound.key.chat_id == "US.13491208655302741918"


def test_batched_messages_are_all_read(channel: WhatsAppChannel) -> None:
    data = json.loads(fixture("message_text.json"))
    value = data["entry"][0]["changes"][0]["value"]
    second = dict(value["messages"][0], id="wamid.second", text={"body": "dua"})
    value["messages"].append(second)
    data["entry"].append(json.loads(fixture("status_read.json"))["entry"][0])
    parsed = channel.parse(json.dumps(data).encode())
    assert [i.text for i in parsed.inbounds] == ["Body Text", "dua"]
    assert [s.status for s in parsed.receipts] == ["read"]


def test_other_phone_number_and_garbage_ignored(channel: WhatsAppChannel) -> None:
    data = json.loads(fixture("message_text.json"))
    data["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"] = "999"
    assert channel.parse(json.dumps(data).encode()).inbounds == ()
    assert channel.parse(b"not json").inbounds == ()
    assert channel.parse(b'{"object": "page", "entry": []}').inbounds == ()
    assert (
        channel.parse(
            b'{"object": "whatsapp_business_account", "entry": [{"changes": 1}]}'
        ).inbounds
        == ()
    )


# -- text helpers ------------------------------------------------------------------------------


def test_split_text_on_sentences_within_the_limit() -> None:
    sentence = "Izin usaha mikro diurus lewat OSS dan gratis untuk Bapak/Ibu. "
    text = sentence * 150  # about 9,300 characters
    chunks = split_text(text, 4096)
    assert len(chunks) == 3
    assert all(len(c) <= 4096 for c in chunks)
    assert all(c.endswith(".") for c in chunks)
    assert " ".join(chunks).split() == text.split()


def test_split_text_without_spaces_still_fits() -> None:
    chunks = split_text("x" * 5000, 4096)
    assert [len(c) for c in chunks] == [4096, 904]


def test_shorten_keeps_short_titles_and_cuts_long_ones_at_words() -> None:
    assert shorten("Cek status", 20) == "Cek status"
    short = shorten("Bicara dengan petugas sekarang", 20)
    assert len(short) <= 20 and short.endswith("…")
    assert short == "Bicara dengan…"
