"""The receipt's lines (what the citizen holds the office to) and the PDF they are written to."""

from __future__ import annotations

from datetime import UTC, date, datetime

from dialogs.office import load_office_info
from dialogs.ports import ApplicationView
from office.receipts import receipt_rows, render_receipt

WARUNG = ApplicationView(
    "SKT-2026-0001",
    "submitted",
    "",
    "56101",
    "KBLI2025",
    "Restoran",
    "Warung Bu Sri",
    3,
    date(2026, 3, 9),
    datetime(2026, 3, 2, 3, 0, tzinfo=UTC),
    applicant={"full_name": "Sri Wahyuni", "nik": "3574011203850002"},
    business={"business_name": "Warung Bu Sri", "capital": 25_000_000},
    location={
        "address": "Jl. Panglima Sudirman 5",
        "kelurahan": "Mangunharjo",
        "kecamatan": "Mayangan",
    },
    decision={
        "scale": "mikro",
        "risk_level_name": "Rendah",
        "permits": [{"name": "NIB"}, {"name": "Sertifikat Laik Higiene"}],
    },
    document_kinds=("ktp", "foto_usaha"),
)
OLD_BAKERY = ApplicationView(
    "SKT-2026-0002",
    "in_review",
    "",
    "10792",
    "KBLI2020",  # an application from before KBLI 2025 (migration 0006)
    "Kue",
    "",
    1,
    date(2026, 3, 9),
    datetime(2026, 3, 2, 3, 0, tzinfo=UTC),
    business={"running": "before_2021", "annual_sales": 120_000_000, "capital": 5_000_000},
)


def test_indonesian_receipt_lines() -> None:
    assert receipt_rows(WARUNG, "id") == [
        ("Nomor permohonan", "SKT-2026-0001"),
        ("Tanggal", "2 Maret 2026"),
        ("Status", "Diterima, menunggu pemeriksaan"),
        ("Target selesai", "9 Maret 2026"),
        ("Nama pemohon", "Sri Wahyuni"),
        ("NIK", "3574**********02"),
        ("Nama usaha", "Warung Bu Sri"),
        ("Kegiatan (KBLI)", "Restoran (KBLI 2025 56101)"),
        ("Modal usaha", "Rp25.000.000"),
        ("Lokasi", "Jl. Panglima Sudirman 5, Kel. Mangunharjo, Kec. Mayangan, Kota Probolinggo"),
        ("Skala / risiko", "mikro / Rendah"),
        ("Izin yang diurus", "NIB; Sertifikat Laik Higiene"),
        ("Versi aturan", "3"),
        ("Dokumen diterima", "ktp, foto_usaha"),
    ]


def test_english_labels_and_unknown_risk() -> None:
    rows = dict(receipt_rows(OLD_BAKERY, "en"))
    assert rows["Reference"] == "SKT-2026-0002"
    assert rows["Due date"] == "9 March 2026"
    assert rows["Activity (KBLI)"] == "Kue (KBLI 2020 10792)"
    # The scale is judged by capital, also for a business running since before 2021 (issue 13);
    # annual sales, when given, are shown too.
    assert rows["Capital"] == "Rp5.000.000"
    assert rows["Annual sales"] == "Rp120.000.000"
    assert rows["Scale / risk"] == "- / to be checked"
    assert rows["Permits"] == "-"
    assert "Documents" not in rows


def test_the_pdf_is_written() -> None:
    pdf = render_receipt(WARUNG, "id", load_office_info())
    assert pdf.startswith(b"%PDF")
    assert len(pdf) > 1000
