"""The receipt (tanda terima) for an application: a one-page PDF kept in the file store."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from fpdf import FPDF

from dialogs.formatting import format_date, mask_nik, rupiah
from dialogs.office import OfficeInfo, load_office_info
from dialogs.ports import ApplicationView, StoredDocument
from dialogs.texts import text
from permit_rules import version_label
from storage.files import FileStore

__all__ = ["PdfReceiptWriter", "receipt_name", "receipt_rows", "render_receipt"]

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")


def receipt_name(reference: str) -> str:
    return f"tanda-terima-{reference}.pdf"


def _words(locale: str, indonesian: str, english: str) -> str:
    return english if locale == "en" else indonesian


def receipt_rows(app: ApplicationView, locale: str) -> list[tuple[str, str]]:
    """The receipt's (label, value) lines, in order: what the citizen holds the office to."""
    applicant, business = app.applicant, app.business
    rows = [
        (_words(locale, "Nomor permohonan", "Reference"), app.reference),
        (_words(locale, "Tanggal", "Date"), format_date(app.created_at.date(), locale)),
        ("Status", text(locale, "status_" + app.status)),
        (_words(locale, "Target selesai", "Due date"), format_date(app.due_date, locale)),
        (_words(locale, "Nama pemohon", "Applicant"), str(applicant.get("full_name", ""))),
        ("NIK", mask_nik(str(applicant.get("nik", "")))),
        (_words(locale, "Nama usaha", "Business"), str(business.get("business_name") or "")),
        (
            _words(locale, "Kegiatan (KBLI)", "Activity (KBLI)"),
            # the digits alone are ambiguous: KBLI 2020 56102 is KBLI 2025 56101
            f"{app.kbli_title} ({version_label(app.kbli_version)} {app.kbli})",
        ),
    ]
    rows += _money_row(business, locale)
    rows.append((_words(locale, "Lokasi", "Location"), _address(app.location)))
    decision = app.decision
    scale = decision.get("scale") or "-"
    risk = decision.get("risk_level_name") or _words(locale, "belum dipastikan", "to be checked")
    permits = "; ".join(str(p.get("name")) for p in decision.get("permits", []))
    rows += [
        (_words(locale, "Skala / risiko", "Scale / risk"), f"{scale} / {risk}"),
        (_words(locale, "Izin yang diurus", "Permits"), permits or "-"),
        (_words(locale, "Versi aturan", "Rules version"), str(app.rule_set_version)),
    ]
    if app.document_kinds:
        rows.append(
            (_words(locale, "Dokumen diterima", "Documents"), ", ".join(app.document_kinds))
        )
    return rows


def _money_row(business: dict[str, Any], locale: str) -> list[tuple[str, str]]:
    """Capital (the scale is judged by it, also for a business from before 2021: permit_rules
    scale.py) and annual sales when given; nothing when neither was given."""
    rows: list[tuple[str, str]] = []
    for key, label in (
        ("capital", _words(locale, "Modal usaha", "Capital")),
        ("annual_sales", _words(locale, "Penjualan setahun", "Annual sales")),
    ):
        figure = business.get(key)
        if figure is not None:
            rows.append((label, rupiah(int(figure))))
    return rows


def _address(location: dict[str, Any]) -> str:
    parts = (
        location.get("address"),
        f"Kel. {location.get('kelurahan', '')}",
        f"Kec. {location.get('kecamatan', '')}",
        "Kota Probolinggo",
    )
    return ", ".join(str(x) for x in parts if x)


class _Page:
    """An A4 page in DejaVu Sans when installed; the core font (Latin-1 only) otherwise."""

    def __init__(self) -> None:
        self.pdf = FPDF(format="A4")
        self.pdf.set_auto_page_break(auto=True, margin=15)
        self.pdf.add_page()
        regular = FONT_DIR / "DejaVuSans.ttf"
        bold = FONT_DIR / "DejaVuSans-Bold.ttf"
        self.unicode = regular.is_file() and bold.is_file()
        if self.unicode:
            self.pdf.add_font("body", "", str(regular))
            self.pdf.add_font("body", "B", str(bold))
        self.family = "body" if self.unicode else "Helvetica"

    def clean(self, value: str) -> str:
        # The core font has no glyphs beyond Latin-1: keep the text readable anyway.
        return value if self.unicode else value.encode("latin-1", "replace").decode("latin-1")

    def paragraph(self, value: str, size: int, height: int, style: str = "") -> None:
        self.pdf.set_font(self.family, style, size)
        self.pdf.multi_cell(0, height, self.clean(value), new_x="LMARGIN", new_y="NEXT")

    def row(self, label: str, value: str) -> None:
        self.pdf.set_font(self.family, "B", 10)
        self.pdf.cell(55, 7, self.clean(label))
        self.paragraph(value, 10, 7)


def render_receipt(app: ApplicationView, locale: str, office: OfficeInfo) -> bytes:
    page = _Page()
    page.paragraph(office.name, 14, 8, "B")
    page.paragraph(office.address, 9, 5)
    page.pdf.ln(4)
    page.pdf.set_font(page.family, "B", 16)
    title = _words(locale, "TANDA TERIMA PERMOHONAN", "RECEIPT OF APPLICATION")
    page.pdf.cell(0, 10, title, new_x="LMARGIN", new_y="NEXT", align="C")
    page.pdf.ln(2)
    for label, value in receipt_rows(app, locale):
        page.row(label, value)
    page.pdf.ln(4)
    note = _words(
        locale,
        "Simpan tanda terima ini. Cek status kapan saja dengan mengetik "
        f'"cek status {app.reference}" di percakapan SIKETAN.',
        f'Keep this receipt. Check the status any time by typing "status {app.reference}".',
    )
    page.paragraph(note, 9, 5)
    return bytes(page.pdf.output())


class PdfReceiptWriter:
    """dialogs.ports.ReceiptWriter: renders the PDF and keeps it in the file store by hash."""

    def __init__(self, files: FileStore, office: OfficeInfo | None = None) -> None:
        self._files = files
        self._office = office or load_office_info()

    async def write(self, application: ApplicationView, locale: str) -> StoredDocument:
        # fpdf2 is CPU-bound: keep the event loop free for other conversations.
        data = await asyncio.to_thread(render_receipt, application, locale, self._office)
        name = receipt_name(application.reference)
        stored = await self._files.store_bytes(data, name)
        return StoredDocument(ref=f"sha256:{stored.sha256}", name=name, mime=stored.mime_type)
