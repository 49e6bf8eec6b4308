"""The admin report as tables (the page's sections), CSV, XLSX and JSON: one shape for all."""

from __future__ import annotations

import csv
import io
from typing import Any

from dialogs.formatting import format_date
from dialogs.ports import STATUS_LABELS
from office.reports import Report

__all__ = ["report_json", "report_sections", "to_csv", "to_xlsx"]


def _num(value: float | None, digits: int = 2) -> float | str:
    return "" if value is None else round(value, digits)


def report_sections(report: Report) -> list[tuple[str, list[str], list[list[Any]]]]:
    """The report as named tables (title, header, rows) — the same for CSV, XLSX and the page."""
    c = report.completion
    return [
        (
            "Percakapan per kanal",
            ["Kanal", "Percakapan", "Warga unik", "Pesan masuk"],
            [[r.channel, r.conversations, r.citizens, r.messages] for r in report.channels]
            + [["Jumlah", report.total_conversations, report.total_citizens, ""]],
        ),
        (
            "Cek persyaratan per kegiatan",
            ["KBLI", "Kegiatan", "Cek", "Perlu petugas"],
            [[r.label, r.title, r.checks, r.needs_officer] for r in report.checks],
        ),
        (
            "Permohonan per status",
            ["Status", "Jumlah"],
            [[STATUS_LABELS[s], n] for s, n in report.statuses.items()],
        ),
        (
            "Penyelesaian terhadap batas waktu",
            ["Selesai", "Tepat waktu", "Tepat waktu (%)", "Median (hari)", "Persentil 90 (hari)"],
            [
                [
                    c.completed,
                    c.on_time,
                    _num(c.on_time_percent),
                    _num(c.days.median),
                    _num(c.days.p90),
                ]
            ],
        ),
        (
            "Layanan petugas (menit)",
            ["Ukuran", "Jumlah", "Median", "Persentil 90"],
            [
                ["Permintaan petugas", report.handoffs, "", ""],
                [
                    "Waktu tunggu sampai diambil",
                    report.handoff_wait_minutes.count,
                    _num(report.handoff_wait_minutes.median),
                    _num(report.handoff_wait_minutes.p90),
                ],
                [
                    "Waktu tanggapan pertama",
                    report.first_response_minutes.count,
                    _num(report.first_response_minutes.median),
                    _num(report.first_response_minutes.p90),
                ],
            ],
        ),
        (
            "Indeks kepuasan masyarakat (IKM)",
            ["Unsur", "Jawaban", "Rata-rata (1-4)", "Nilai (25-100)"],
            [
                [e.label, e.answers, _num(e.average), _num(e.index)]
                for e in report.satisfaction.elements
            ]
            + [
                [
                    "IKM keseluruhan",
                    report.satisfaction.responses,
                    _num(report.satisfaction.average),
                    _num(report.satisfaction.index),
                ],
                ["Mutu pelayanan", "", report.satisfaction.grade, report.satisfaction.grade_label],
            ],
        ),
        (
            "Efektivitas (usaha mikro dan kecil dilayani)",
            [
                "Triwulan",
                "UMK dilayani",
                "Jumlah UMK kota",
                "Capaian (%)",
                "Target (%)",
                "Efektivitas (%)",
                "Kategori",
            ],
            [
                [
                    e.quarter,
                    e.served,
                    e.business_count or "",
                    _num(e.achievement_percent, 4),
                    _num(e.target_percent),
                    _num(e.effectiveness_percent),
                    e.category,
                ]
                for e in report.effectiveness
            ],
        ),
    ]


def to_csv(report: Report) -> str:
    """One CSV: a title row per section, its header, its rows, a blank line between sections."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([f"Laporan SIKETAN {report.start.isoformat()} s.d. {report.end.isoformat()}"])
    for title, header, rows in report_sections(report):
        writer.writerow([])
        writer.writerow([title])
        writer.writerow(header)
        writer.writerows(rows)
    return buffer.getvalue()


def sheet_name(title: str, used: set[str]) -> str:
    """A sheet name Excel accepts (31 characters, no []:*?/\\), shortened at a word, unique."""
    clean = "".join(c for c in title if c not in "[]:*?/\\").strip()
    name = ""
    for word in clean.split():
        if len(f"{name} {word}".strip()) > 31:
            break
        name = f"{name} {word}".strip()
    name = name or clean[:31]
    base, n = name, 2
    while name in used:
        suffix = f" {n}"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(name)
    return name


def period_words(report: Report) -> str:
    return f"Periode: {format_date(report.start)} s.d. {format_date(report.end)}"


def to_xlsx(report: Report) -> bytes:
    """A workbook with one sheet per section; each sheet states its title and the period."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    used: set[str] = set()
    for n, (title, header, rows) in enumerate(report_sections(report)):
        sheet = book.active if n == 0 else book.create_sheet()
        assert sheet is not None
        sheet.title = sheet_name(title, used)
        sheet.append([title])
        sheet.append([period_words(report)])
        sheet.append([])
        sheet.append(header)
        for cell in (*sheet[1], *sheet[4]):
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(row)
        for column in sheet.iter_cols(min_row=4):
            width = max(len(str(c.value or "")) for c in column)
            sheet.column_dimensions[column[0].column_letter].width = min(60, width + 2)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def report_json(report: Report) -> dict[str, Any]:
    return {
        "start": report.start.isoformat(),
        "end": report.end.isoformat(),
        "sections": [
            {"title": title, "header": header, "rows": rows}
            for title, header, rows in report_sections(report)
        ],
    }
