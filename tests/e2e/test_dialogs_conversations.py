"""Whole conversations through the real pipeline, database, NLU, rules and file store."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.app import App, build_app
from dialogs.messages import Attachment, Contact, ConversationKey, Inbound, Outbound, OutboundKind
from storage.migrate import upgrade_database
from storage.models import (
    Application,
    ApplicationDocument,
    ApplicationStatusChange,
    SurveyResponse,
    TranscriptMessage,
)
from tests.helpers import settings_for

pytestmark = pytest.mark.postgres

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99"
    b"=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)
NIK = "3574015708900001"  # Kota Probolinggo, female, born 17-08-1990


class Chat:
    """One citizen typing and tapping in the web chat; keeps the replies of each turn."""

    def __init__(self, app: App, chat_id: str) -> None:
        self.app = app
        self.key = ConversationKey("webchat", chat_id)
        self.n = 0
        self.last: list[Outbound] = []
        self.all_text: list[str] = []

    async def send(
        self,
        text: str = "",
        payload: str = "",
        *,
        attachments: tuple[Attachment, ...] = (),
        contact: Contact | None = None,
        at: datetime | None = None,
    ) -> list[Outbound]:
        self.n += 1
        result = await self.app.pipeline.handle(
            Inbound(
                self.key,
                f"{self.key.chat_id}-{self.n}",
                text=text,
                payload=payload,
                attachments=attachments,
                contact=contact,
                timestamp=at,
            )
        )
        self.last = [r.message for r in result.replies]
        self.all_text += [m.text for m in self.last]
        return self.last

    @property
    def text(self) -> str:
        return "\n".join(m.text for m in self.last)

    @property
    def payloads(self) -> list[str]:
        return [b.payload for m in self.last for b in m.buttons]

    async def file(self, data: bytes = PNG, name: str = "ktp.png") -> list[Outbound]:
        stored = await self.app.files.store_bytes(data, name)
        ref = Attachment("photo", f"sha256:{stored.sha256}", name, stored.mime_type, stored.size)
        return await self.send(attachments=(ref,))


@pytest.fixture
async def app(db_url: str, tmp_path: Path) -> AsyncIterator[App]:
    await upgrade_database(db_url)
    application = build_app(settings_for(db_url, tmp_path))
    await application.start(run_outbox=False)
    yield application
    await application.stop()


async def outgoing(app: App, conversation_chat: str) -> list[dict[str, object]]:
    async with app.sessions() as db:
        rows = (
            await db.execute(
                select(TranscriptMessage)
                .where(TranscriptMessage.direction == "out")
                .order_by(TranscriptMessage.id)
            )
        ).scalars()
        return [r.body for r in rows]


# ---------------------------------------------------------------------- requirements


ACTIVITIES = [
    ("jualan bakso di warung", "56101", "50 juta"),
    ("bikin keripik pisang kemasan", "10794", "Rp20.000.000"),
    ("usaha laundry kiloan", "96100", "30jt"),
    ("bengkel motor", "95320", "75 juta"),
    ("toko kelontong", "47112", "100 juta"),
]


async def test_requirements_for_activities(app: App) -> None:
    # One app for all five activities: starting the app (NLU load) dominates the run time.
    for description, code, capital in ACTIVITIES:
        chat = Chat(app, f"req-{code}")
        await chat.send(payload="menu:requirements")
        assert "Ceritakan usaha" in chat.text
        await chat.send(description)
        assert f"kbli:{code}" in chat.payloads and "kbli:none" in chat.payloads
        await chat.send(payload=f"kbli:{code}")
        assert "running:new" in chat.payloads
        await chat.send(payload="running:new")
        assert "modal" in chat.text.lower()
        await chat.send(capital)
        # Rule-dependent extra questions (e.g. how a packaged product is sold) come as buttons.
        for _ in range(3):
            conditions = [p for p in chat.payloads if p.startswith("cond:")]
            if not conditions:
                break
            await chat.send(payload=conditions[0])
        assert "Hasil cek izin" in chat.text
        assert f"KBLI {code}" in chat.text
        assert "Usaha Mikro" in chat.text
        assert "Nomor Induk Berusaha" in chat.text
        assert "Dasar hukum" in chat.text and "versi 1" in chat.text
        assert "req:apply" in chat.payloads
        if "belum bisa kami pastikan" in chat.text or "dicek admin" in chat.text:
            assert "menu:officer" in chat.payloads


FIRST_MESSAGES = [
    # How citizens really open a chat: a greeting, then the business, often unsure wording.
    ("halo, saya mau buka warung makan", "56101"),
    ("halo min mau buka laundry", "96100"),
    ("selamat siang, mau tanya syarat izin warung kopi", "56303"),
    ("mau buka usaha bengkel motor", "95320"),
    ("halo kak, izin buat jualan gorengan gimana", "56102"),
    ("pagi pak, saya punya toko kelontong, izinnya apa aja ya", "47112"),
]


@pytest.mark.parametrize(("first", "code"), FIRST_MESSAGES)
async def test_first_message_with_greeting_and_business_starts_the_guide(
    app: App, first: str, code: str
) -> None:
    chat = Chat(app, f"first-{code}-{len(first)}")
    await chat.send(first)
    assert "belum memahami" not in chat.text
    assert f"kbli:{code}" in chat.payloads and "kbli:none" in chat.payloads


async def test_a_bare_description_at_the_menu_starts_the_guide(app: App) -> None:
    chat = Chat(app, "bare-description")
    await chat.send("mau bikin roti")
    assert "kbli:10710" in chat.payloads
    other = Chat(app, "off-topic")
    await other.send("berita hari ini")
    assert "SIKETAN hanya melayani" in other.text and not any(
        p.startswith("kbli:") for p in other.payloads
    )


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("apa itu NIB", ["Nomor Induk Berusaha (NIB)", "Biaya: gratis", "Lembaga OSS"]),
        ("biaya bikin NIB berapa", ["Nomor Induk Berusaha (NIB)", "Biaya: gratis"]),
        ("berapa lama sertifikat halal", ["Sertifikat Halal", "BPJPH"]),
        ("syarat PIRT apa aja", ["SPP-IRT"]),
    ],
)
async def test_a_question_about_a_permit_is_answered_from_the_rules(
    app: App, question: str, expected: list[str]
) -> None:
    chat = Chat(app, f"permit-{len(question)}-{question[:3]}")
    await chat.send(question)
    for part in expected:
        assert part in chat.text
    assert "Dasar hukum" in chat.text and "versi" in chat.text
    assert "menu:requirements" in chat.payloads and "menu:officer" in chat.payloads
    assert not any(p.startswith("kbli:") for p in chat.payloads)


async def test_a_question_about_permits_in_general_starts_the_guide(app: App) -> None:
    chat = Chat(app, "permits-in-general")
    await chat.send("izin usaha apa saja")
    assert "Ceritakan usaha" in chat.text


async def test_greeting_alone_still_greets(app: App) -> None:
    chat = Chat(app, "greet-only")
    for greeting in ("halo", "selamat pagi min", "siang min, mau nanya"):
        await chat.send(greeting)
        assert "selamat datang" in chat.text and "menu:requirements" in chat.payloads


async def test_requirements_in_english_with_none_of_these(app: App) -> None:
    chat = Chat(app, "req-en")
    await chat.send("english")
    await chat.send(payload="menu:requirements")
    assert "Describe your business" in chat.text
    await chat.send("warung kopi")
    assert "kbli:none" in chat.payloads
    await chat.send(payload="kbli:none")
    assert "describe it again" in chat.text
    await chat.send("kafe kopi")
    await chat.send(payload="kbli:none")
    assert "officer" in chat.text.lower() and "menu:officer" in chat.payloads
    await chat.send(payload="kbli:retry")
    await chat.send("kedai kopi")
    await chat.send(payload="kbli:56303")
    await chat.send(payload="running:before_2021")
    # the scale is decided by capital, also for a business from before 2021 (issue 13)
    assert "capital" in chat.text
    await chat.send("300 juta")
    assert "Permit check" in chat.text and "Micro business" in chat.text
    assert "Legal basis" in chat.text


# ---------------------------------------------------------------------- application


async def fill_application(chat: Chat) -> str:
    """A complete application with a wrong answer at every step; returns the reference."""
    await chat.send(payload="menu:apply")
    assert "nama lengkap" in chat.text
    await chat.send("12")
    assert "huruf" in chat.text  # re-asked with a hint
    await chat.send("Siti Aminah")
    assert "NIK" in chat.text
    await chat.send("12345")
    assert "16 angka" in chat.text and "5 angka" in chat.text
    await chat.send("3574019913900001")
    assert "tanggal lahir" in chat.text
    await chat.send(NIK)
    assert chat.last[-1].kind == OutboundKind.REQUEST_CONTACT
    await chat.send("12345")
    assert "Nomor HP belum sesuai" in chat.text
    await chat.send(contact=Contact(phone="081234567890", name="Siti"))
    assert "email" in chat.text.lower() and "form:skip" in chat.payloads
    await chat.send("bukan email")
    assert "email belum sesuai" in chat.text
    await chat.send("siti@example.com")
    assert "nama usahanya" in chat.text
    await chat.send("Bakso Siti")
    assert "Ceritakan usaha" in chat.text
    await chat.send("jualan bakso di warung")
    await chat.send(payload="kbli:56101")
    assert "Jelaskan singkat" in chat.text
    await chat.send("x")
    assert "terlalu singkat" in chat.text
    await chat.send("Jualan bakso dan mie ayam di warung depan rumah")
    await chat.send("mungkin")
    assert "pilih salah satu" in chat.text.lower()
    await chat.send(payload="running:new")
    await chat.send("banyak")
    assert "jumlah uangnya" in chat.text
    await chat.send("50 juta")
    assert "luas lahan" in chat.text.lower()
    await chat.send("luas sekali")
    assert "meter persegi" in chat.text
    await chat.send("5x10 meter")
    assert "tenaga kerja" in chat.text.lower()
    await chat.send("beberapa")
    assert "dengan angka" in chat.text
    await chat.send("2")
    for _ in range(3):
        conditions = [p for p in chat.payloads if p.startswith("cond:")]
        if not conditions:
            break
        await chat.send(payload=conditions[-1])
    assert "alamat" in chat.text.lower()
    await chat.send("Jl")
    assert "terlalu singkat" in chat.text
    await chat.send("Jl. Soekarno Hatta No. 12, RT 02 RW 03")
    assert "kecamatan" in chat.text.lower() and "place:outside" in chat.payloads
    await chat.send("Kraksaan")
    assert "tidak kami temukan" in chat.text
    await chat.send(payload="place:outside")
    assert "DPMPTSP kabupaten/kota" in chat.text and "oss.go.id" in chat.text
    await chat.send(payload="cmd:resume")
    await chat.send(payload="kecamatan:Mayangan")
    assert "kelurahan:Mangunharjo" in chat.payloads
    await chat.send("Ketapang")
    assert "Kecamatan Kademangan" in chat.text
    await chat.send(payload="kelurahan:Mangunharjo")
    assert "foto KTP" in chat.text and chat.last[-1].kind == OutboundKind.REQUEST_FILE
    await chat.send(attachments=(Attachment("document", "", "virus.exe", error="wrong_type"),))
    assert "tidak bisa kami terima" in chat.text and "foto KTP" in chat.text
    await chat.send(attachments=(Attachment("photo", "", "big.jpg", error="too_large"),))
    assert "10 MB" in chat.text
    await chat.send("saya tidak punya KTP sekarang")
    assert "menu:officer" in chat.payloads
    await chat.file(PNG, "ktp.png")
    assert "tempat usaha" in chat.text
    await chat.file(PNG + b"place", "tempat.png")
    assert "periksa kembali" in chat.text
    assert "3574**********01" in chat.text and NIK not in chat.text
    return "ok"


async def test_complete_application_edit_and_confirm(app: App) -> None:
    chat = Chat(app, "apply-1")
    await fill_application(chat)
    # Edit one answer from the summary.
    await chat.send(payload="app:edit")
    await chat.send(payload="edit:section:business")
    await chat.send(payload="edit:field:business_name")
    assert "nama usahanya" in chat.text
    await chat.send("Bakso Siti Jaya")
    assert "periksa kembali" in chat.text and "Bakso Siti Jaya" in chat.text
    await chat.send(payload="app:confirm")
    reference = re.search(r"SKT-\d{4}-\d{6}", chat.text)
    assert reference is not None
    ref = reference.group(0)
    assert ref.endswith("-000001")
    assert re.search(r"\d{1,2} [A-Z][a-z]+ \d{4}", chat.text)  # due date, Indonesian style
    document = next(m for m in chat.last if m.kind == OutboundKind.DOCUMENT)
    assert document.document_name == f"tanda-terima-{ref}.pdf"
    assert document.document_mime == "application/pdf"
    pdf = app.files.read(document.document_ref.removeprefix("sha256:"))
    assert pdf.startswith(b"%PDF")
    assert NIK.encode() not in pdf
    async with app.sessions() as db:
        row = (await db.execute(select(Application))).scalar_one()
        assert row.reference == ref and row.applicant["nik"] == NIK
        assert row.business["business_name"] == "Bakso Siti Jaya"
        assert row.location["kelurahan"] == "Mangunharjo"
        assert row.rule_set_version == 1 and row.status == "submitted"
        assert row.decision["kbli"] == "56101" and row.kbli_version == "KBLI2025"
        docs = (await db.execute(select(ApplicationDocument))).scalars().all()
        assert {d.kind for d in docs} == {"ktp", "place"}
    assert all(NIK not in t for t in chat.all_text)

    # A second application from another citizen gets the next number.
    other = Chat(app, "apply-2")
    await fill_application(other)
    await other.send(payload="app:confirm")
    assert f"{ref[:-6]}000002" in other.text

    # Someone else's reference looks exactly like a missing one.
    await other.send(f"cek status {ref}")
    foreign = other.text.replace(ref, "X")
    await other.send(f"cek status {ref[:-6]}999999")
    assert other.text.replace(f"{ref[:-6]}999999", "X") == foreign
    assert "tidak ditemukan" in foreign

    # The owner sees it, by reference and by "status izin saya".
    await chat.send(f"Cek status {ref}")
    assert "Diterima, menunggu pemeriksaan" in chat.text
    await chat.send("status izin saya")
    assert ref in chat.text

    # Status changes reach the citizen, with a template for WhatsApp's 24-hour window.
    await app.office.status.change_status(ref, "in_review", by="officer:andi")
    await app.office.status.change_status(
        ref, "needs_revision", by="officer:andi", note="Foto KTP buram"
    )
    bodies = await outgoing(app, "apply-1")
    updates = [b for b in bodies if b.get("template") == "status_update"]
    assert [u["template_params"][0] for u in updates] == [ref, ref]
    assert "Perlu perbaikan" in str(updates[-1]["text"]) and "Foto KTP buram" in str(
        updates[-1]["text"]
    )
    with pytest.raises(ValueError):
        await app.office.status.change_status(ref, "completed", by="officer:andi")

    # The citizen replaces the document the officer asked for.
    await chat.send(payload=f"revise:{ref}")
    assert "Foto KTP buram" in chat.text
    await chat.send(payload="revise:field:doc:ktp")
    await chat.send(attachments=(Attachment("photo", "", "x.gif", error="wrong_type"),))
    assert "tidak bisa kami terima" in chat.text
    await chat.file(PNG + b"sharper", "ktp2.png")
    assert "revise:send" in chat.payloads
    await chat.send(payload="revise:send")
    assert "perbaikan" in chat.text.lower()

    await app.office.status.change_status(ref, "in_review", by="officer:andi")
    await app.office.status.change_status(ref, "processing", by="officer:andi")
    permit = await app.files.store_bytes(b"%PDF-1.4\n%permit\n", "nib.pdf")
    await app.office.status.change_status(
        ref,
        "completed",
        by="officer:andi",
        document_ref=f"sha256:{permit.sha256}",
        permit_number="1234567890123",
    )
    bodies = await outgoing(app, "apply-1")
    assert any(b.get("document_ref") == f"sha256:{permit.sha256}" for b in bodies)
    invitation = next(b for b in reversed(bodies) if "survey" in str(b.get("buttons")))
    start = next(b["payload"] for b in invitation["buttons"] if "start" in b["payload"])
    async with app.sessions() as db:
        row = (await db.execute(select(Application).order_by(Application.id))).scalars().first()
        history = (
            (
                await db.execute(
                    select(ApplicationStatusChange)
                    .where(ApplicationStatusChange.application_id == row.id)
                    .order_by(ApplicationStatusChange.id)
                )
            )
            .scalars()
            .all()
        )
    assert [h.to_status for h in history] == [
        "submitted",
        "in_review",
        "needs_revision",
        "submitted",
        "in_review",
        "processing",
        "completed",
    ]
    assert history[2].note == "Foto KTP buram" and history[2].by == "officer:andi"

    # The survey: four ratings and a comment, stored for the reports.
    await chat.send(payload=start)
    for rating in ("4", "3", "4", "2"):
        await chat.send(payload=f"survey:rate:{rating}")
    await chat.send("Petugasnya ramah, tapi agak lama")
    assert "Terima kasih" in chat.text
    async with app.sessions() as db:
        survey = (await db.execute(select(SurveyResponse))).scalar_one()
    assert (survey.requirements, survey.speed, survey.clarity, survey.manner) == (4, 3, 4, 2)
    assert survey.service == "application" and survey.application_id is not None


async def test_cancel_resume_and_interruption(app: App) -> None:
    chat = Chat(app, "cancel-1")
    await chat.send("mau ajukan izin")
    assert "nama lengkap" in chat.text
    await chat.send("Budi Santoso")
    await chat.send(NIK)
    # A question in the middle is answered, then the form goes on.
    await chat.send("berapa biayanya?")
    assert "gratis" in chat.text and chat.last[-1].kind == OutboundKind.REQUEST_CONTACT
    await chat.send("kembali")
    assert "NIK" in chat.text
    await chat.send(NIK)
    # Menu parks the answers; choosing the service again continues.
    await chat.send("menu")
    assert "cmd:resume" in chat.payloads
    await chat.send(payload="menu:apply")
    assert "nomor HP" in chat.text
    # Cancel asks first; "no" keeps everything.
    await chat.send("batal")
    assert "cancel:yes" in chat.payloads
    await chat.send(payload="cancel:no")
    assert "nomor HP" in chat.text
    await chat.send("batal")
    await chat.send(payload="cancel:yes")
    assert "dibatalkan" in chat.text
    await chat.send(payload="menu:apply")
    assert "nama lengkap" in chat.text  # the answers are gone


async def test_english_application_interruption_and_silence(app: App) -> None:
    chat = Chat(app, "en-1")
    await chat.send("english")
    await chat.send(payload="menu:apply")
    assert "full name" in chat.text
    await chat.send("John Smith")
    await chat.send("12")
    assert "16 digits" in chat.text
    await chat.send("how much does it cost?")
    assert "free" in chat.text and "NIK" in chat.text
    await chat.send(NIK)
    # Three days of silence: the next message is greeted with a reminder of the step.
    later = datetime.now(UTC) + timedelta(days=3)
    await chat.send("hello", at=later)
    assert "Welcome back" in chat.text and "mobile" in chat.text
    await chat.send("+62 812 3456 7890", at=later)
    assert "email" in chat.text.lower()


async def test_restart_mid_form_continues(db_url: str, tmp_path: Path) -> None:
    await upgrade_database(db_url)
    settings = settings_for(db_url, tmp_path)
    first = build_app(settings)
    await first.start(run_outbox=False)
    chat = Chat(first, "restart-1")
    await chat.send(payload="menu:apply")
    await chat.send("Dewi Lestari")
    await first.stop()

    second = build_app(settings)
    await second.start(run_outbox=False)
    try:
        chat.app = second
        await chat.send(NIK)
        assert "nomor HP" in chat.text
        await chat.send("kembali")
        assert "NIK" in chat.text
    finally:
        await second.stop()
