"""Reports (admins): the figures of `office.reports` for a chosen period, with server-rendered
SVG bar charts, CSV/XLSX export and the office's report settings."""

# No `from __future__ import annotations`: FastAPI reads the Annotated aliases at import time.
from datetime import date
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from console.charts import IKM_BANDS, Line, bar_chart
from console.deps import Admin, AdminView, Signed, page, state
from dialogs.formatting import number
from dialogs.ports import STATUS_LABELS
from office.report_export import report_sections, to_csv, to_xlsx
from office.report_math import quarter_bounds, quarter_of
from office.reports import Report, SettingError, build_report, set_business_count, set_target
from permit_rules import today_jakarta
from storage import console as repo

router = APIRouter()
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def period(start: str, end: str) -> tuple[date, date, str]:
    """The chosen period (default: this quarter up to today, WIB) and a problem, if any."""
    today = today_jakarta()
    problem = ""
    try:
        last = date.fromisoformat(end) if end else today
        first = date.fromisoformat(start) if start else quarter_bounds(quarter_of(last))[0]
    except ValueError:
        last, problem = today, "Tanggal ditulis TTTT-BB-HH."
        first = quarter_bounds(quarter_of(last))[0]
    if last < first:
        first, last, problem = last, first, "Tanggal akhir sebelum tanggal awal: ditukar."
    return first, last, problem


def charts(report: Report) -> list[Markup]:
    effectiveness = [
        (e.quarter, e.effectiveness_percent)
        for e in report.effectiveness
        if e.effectiveness_percent is not None
    ]
    top = max([100.0, *(v for _, v in effectiveness)])
    svg = [
        bar_chart(
            [(r.channel, float(r.conversations)) for r in report.channels],
            title="Percakapan per kanal",
        ),
        bar_chart(
            [(f"{r.label} {r.title}", float(r.checks)) for r in report.checks[:10]],
            title="Cek persyaratan (10 kegiatan teratas)",
        ),
        bar_chart(
            [(STATUS_LABELS[s], float(n)) for s, n in report.statuses.items()],
            title="Permohonan per status",
        ),
        bar_chart(
            [(e.label, e.index) for e in report.satisfaction.elements if e.index is not None],
            title="IKM per unsur (skala 0-100, pita mutu A-D)",
            scale=(0.0, 100.0),
            bands=IKM_BANDS,
            lines=[Line(76.61, "Baik (B)")],
        ),
        bar_chart(
            effectiveness,
            title="Efektivitas per triwulan (%; garis = target tercapai)",
            unit=" %",
            scale=(0.0, top),
            lines=[Line(100.0, "target")],
        ),
    ]
    # bar_chart escapes every label it writes.
    return [Markup(s) for s in svg]  # noqa: S704


async def _compute(request: Request, first: date, last: date) -> Report:
    async with state(request).office.sessions() as db, db.begin():
        return await build_report(db, first, last)


@router.get("/reports", response_class=HTMLResponse)
async def reports_page(
    request: Request,
    who: AdminView,
    start: str = "",
    end: str = "",
    error: str = "",
    saved: str = "",
) -> Response:
    first, last, problem = period(start, end)
    report = await _compute(request, first, last)
    return page(
        request,
        "reports.html",
        who=who,
        report=report,
        sections=report_sections(report),
        charts=charts(report),
        start=first.isoformat(),
        end=last.isoformat(),
        error=problem or error[:200],
        saved=saved[:200],
        current_quarter=quarter_of(today_jakarta()),
    )


async def _export(request: Request, who: Signed, start: str, end: str, kind: str) -> Report:
    first, last, _ = period(start, end)
    report = await _compute(request, first, last)
    async with state(request).office.sessions() as db, db.begin():
        repo.audit(db, who.officer, "report.export", kind, start=str(first), end=str(last))
    return report


def _file_name(start: str, end: str) -> str:
    first, last, _ = period(start, end)
    return f"laporan-siketan-{first.isoformat()}-{last.isoformat()}"


@router.get("/reports.csv")
async def reports_csv(request: Request, who: AdminView, start: str = "", end: str = "") -> Response:
    report = await _export(request, who, start, end, "csv")
    return Response(
        # The BOM makes spreadsheet programs read the file as UTF-8.
        "\ufeff" + to_csv(report),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{_file_name(start, end)}.csv"'},
    )


@router.get("/reports.xlsx")
async def reports_xlsx(
    request: Request, who: AdminView, start: str = "", end: str = ""
) -> Response:
    report = await _export(request, who, start, end, "xlsx")
    return Response(
        to_xlsx(report),
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="{_file_name(start, end)}.xlsx"'},
    )


@router.post("/reports/settings")
async def save_settings(
    request: Request,
    who: Admin,
    umk_count: Annotated[str, Form()] = "",
    quarter: Annotated[str, Form()] = "",
    target: Annotated[str, Form()] = "",
    start: Annotated[str, Form()] = "",
    end: Annotated[str, Form()] = "",
) -> Response:
    back = f"/console/reports?start={quote(start)}&end={quote(end)}"
    saved: list[str] = []
    try:
        async with state(request).office.sessions() as db, db.begin():
            if umk_count.strip():
                count = _int(umk_count, "jumlah UMK")
                await set_business_count(db, count, by=who.officer.username)
                repo.audit(db, who.officer, "report.settings", "umk_count", value=count)
                saved.append(f"jumlah UMK {number(count)}")
            if quarter.strip() or target.strip():
                percent = _float(target, "target")
                await set_target(db, quarter.strip(), percent, by=who.officer.username)
                repo.audit(db, who.officer, "report.settings", f"target:{quarter}", value=percent)
                saved.append(f"target {quarter.strip()} {number(percent)} %")
    except SettingError as exc:
        return RedirectResponse(f"{back}&error={quote(str(exc))}", 303)
    return RedirectResponse(f"{back}&saved={quote('; '.join(saved))}", 303)


def _int(raw: str, name: str) -> int:
    try:
        return int(raw.strip().replace(".", "").replace("_", ""))
    except ValueError:
        raise SettingError(f"{name} harus berupa bilangan bulat") from None


def _float(raw: str, name: str) -> float:
    try:
        return float(raw.strip().replace(",", "."))
    except ValueError:
        raise SettingError(f"{name} harus berupa angka (persen)") from None
