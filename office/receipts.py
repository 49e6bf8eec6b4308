"""The receipt (tanda terima) for an application: a one-page PDF kept in the file store."""

from __future__ import annotations

import asyncio
from pathlib import Path

from fpdf import FPDF

from dialogs.formatting import format_date, mask_nik, rupiah
from dialogs.office import OfficeInfo, load_office_info
from dialogs.ports import ApplicationView, StoredDocument
from dialogs.texts import text
from storage.files import FileStore

__all__ = ["PdfReceiptWriter", "receipt_name", "render_receipt"]

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")


def receipt_name(reference: str) -> str:
    return f"tanda-terima-{reference}.pdf"


def render_receipt(app: ApplicationView, locale: str, office: OfficeInfo) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    regular = FONT_DIR / "DejaVuSans.ttf"
    bold = FONT_DIR / "DejaVuSans-Bold.ttf"
    if regular.is_file() and bold.is_file():
        pdf.add_font("body", "", str(regular))
        pdf.add_font("body", "B", str(bold))
        family = "body"
        unicode_ok = True
    else:  # the core font has no glyphs beyond Latin-1: keep the text readable anyway
        family = "Helvetica"
        unicode_ok = False

    def clean(value: str) -> str:
        return value if unicode_ok else value.encode("latin-1", "replace").decode("latin-1")

    def line(label: str, value: str) -> None:
        pdf.set_font(family, "B", 10)
        pdf.cell(55, 7, clean(label))
        pdf.set_font(family, "", 10)
        pdf.multi_cell(0, 7, clean(value), new_x="LMARGIN", new_y="NEXT")

    en = locale == "en"
    pdf.set_font(family, "B", 14)
    pdf.multi_cell(0, 8, clean(office.name), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "", 9)
    pdf.multi_cell(0, 5, clean(office.address), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font(family, "B", 16)
    title = "RECEIPT OF APPLICATION" if en else "TANDA TERIMA PERMOHONAN"
    pdf.cell(0, 10, title, new_x="LMARGIN", new_y="NEXT", align="C")
    pdf.ln(2)
    business = app.business
    location = app.location
    applicant = app.applicant
    line("Nomor permohonan" if not en else "Reference", app.reference)
    line("Tanggal" if not en else "Date", format_date(app.created_at.date(), locale))
    line("Status", text(locale, "status_" + app.status))
    line("Target selesai" if not en else "Due date", format_date(app.due_date, locale))
    line("Nama pemohon" if not en else "Applicant", str(applicant.get("full_name", "")))
    line("NIK", mask_nik(str(applicant.get("nik", ""))))
    line("Nama usaha" if not en else "Business", str(business.get("business_name") or ""))
    line("Kegiatan (KBLI)" if not en else "Activity (KBLI)", f"{app.kbli_title} ({app.kbli})")
    figure = business.get("capital")
    label = "Modal usaha" if not en else "Capital"
    if business.get("running") == "before_2021":
        figure = business.get("annual_sales")
        label = "Penjualan setahun" if not en else "Annual sales"
    if figure is not None:
        line(label, rupiah(int(figure)))
    address = ", ".join(
        str(x)
        for x in (
            location.get("address"),
            f"Kel. {location.get('kelurahan', '')}",
            f"Kec. {location.get('kecamatan', '')}",
            "Kota Probolinggo",
        )
        if x
    )
    line("Lokasi" if not en else "Location", address)
    decision = app.decision
    scale = decision.get("scale") or "-"
    risk = decision.get("risk_level_name") or ("belum dipastikan" if not en else "to be checked")
    line("Skala / risiko" if not en else "Scale / risk", f"{scale} / {risk}")
    permits = "; ".join(str(p.get("name")) for p in decision.get("permits", []))
    line("Izin yang diurus" if not en else "Permits", permits or "-")
    line("Versi aturan" if not en else "Rules version", str(app.rule_set_version))
    if app.document_kinds:
        line("Dokumen diterima" if not en else "Documents", ", ".join(app.document_kinds))
    pdf.ln(4)
    pdf.set_font(family, "", 9)
    note = (
        "Simpan tanda terima ini. Cek status kapan saja dengan mengetik "
        f'"cek status {app.reference}" di percakapan SIKETAN.'
        if not en
        else f'Keep this receipt. Check the status any time by typing "status {app.reference}".'
    )
    pdf.multi_cell(0, 5, clean(note), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


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
