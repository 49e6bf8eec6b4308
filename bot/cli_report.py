"""`siketan report`: the admin report for a period (text, JSON, CSV, XLSX) and its settings."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cli_db import run_in_session

if TYPE_CHECKING:
    from office.reports import Report

__all__ = ["report_app"]

report_app = typer.Typer(
    help="Reports: services, completion times, handoffs, satisfaction (IKM), effectiveness.",
    invoke_without_command=True,
)
T = TypeVar("T")
ConfigOpt = Annotated[
    Path | None, typer.Option("--config", help="config.yaml (default: config.yaml / env)")
]


def _run(config: Path | None, action: Callable[[AsyncSession], Awaitable[T]]) -> T:
    return run_in_session(config, action)


def _day(value: str | None, name: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        typer.echo(f"{name} {value!r}: use YYYY-MM-DD", err=True)
        raise typer.Exit(2) from None


@report_app.callback()
def report_cmd(
    ctx: typer.Context,
    start: Annotated[
        str | None, typer.Option("--from", help="first day YYYY-MM-DD (default: quarter start)")
    ] = None,
    end: Annotated[
        str | None, typer.Option("--to", help="last day YYYY-MM-DD (default: today, WIB)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
    csv_file: Annotated[Path | None, typer.Option("--csv", help="also write CSV here")] = None,
    xlsx_file: Annotated[Path | None, typer.Option("--xlsx", help="also write XLSX here")] = None,
    config: ConfigOpt = None,
) -> None:
    """Print the report for a period (both days included, Asia/Jakarta)."""
    if ctx.invoked_subcommand is not None:
        return
    from office.reports import build_report

    first, last = _period(start, end)

    async def action(session: AsyncSession) -> Report:
        return await build_report(session, first, last)

    report = _run(config, action)
    _write(report, csv_file, xlsx_file)
    _print(report, as_json)


def _period(start: str | None, end: str | None) -> tuple[date, date]:
    """--from/--to, by default this quarter up to today (WIB); exits on a reversed period."""
    from office.report_math import quarter_bounds, quarter_of
    from permit_rules import today_jakarta

    last = _day(end, "--to") or today_jakarta()
    first = _day(start, "--from") or quarter_bounds(quarter_of(last))[0]
    if last < first:
        typer.echo("--to is before --from", err=True)
        raise typer.Exit(2)
    return first, last


def _write(report: Report, csv_file: Path | None, xlsx_file: Path | None) -> None:
    from office.report_export import to_csv, to_xlsx

    if csv_file is not None:
        csv_file.write_text(to_csv(report), encoding="utf-8")
    if xlsx_file is not None:
        xlsx_file.write_bytes(to_xlsx(report))


def _print(report: Report, as_json: bool) -> None:
    from office.report_export import report_json, report_sections

    if as_json:
        typer.echo(json.dumps(report_json(report), ensure_ascii=False, indent=2))
        return
    typer.echo(f"Laporan SIKETAN {report.start.isoformat()} s.d. {report.end.isoformat()}")
    for title, header, rows in report_sections(report):
        typer.echo("")
        typer.echo(title)
        typer.echo("  " + " | ".join(header))
        for row in rows:
            typer.echo("  " + " | ".join(str(v) for v in row))


@report_app.command("set-umk-count")
def set_count_cmd(
    count: Annotated[int, typer.Argument(help="micro and small businesses in the city")],
    by: Annotated[str, typer.Option("--by")] = "admin",
    config: ConfigOpt = None,
) -> None:
    """Set the number of micro and small businesses in the city (achievement denominator)."""
    from office.reports import SettingError, set_business_count

    async def action(session: AsyncSession) -> None:
        await set_business_count(session, count, by=by)

    try:
        _run(config, action)
    except SettingError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    typer.echo(f"Jumlah UMK kota: {count}")


@report_app.command("set-target")
def set_target_cmd(
    quarter: Annotated[str, typer.Argument(help="YYYY-Qn, e.g. 2026-Q1")],
    percent: Annotated[float, typer.Argument(help="target achievement in %")],
    by: Annotated[str, typer.Option("--by")] = "admin",
    config: ConfigOpt = None,
) -> None:
    """Set a quarter's target achievement (%)."""
    from office.reports import SettingError, set_target

    async def action(session: AsyncSession) -> None:
        await set_target(session, quarter, percent, by=by)

    try:
        _run(config, action)
    except SettingError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2) from None
    typer.echo(f"Target {quarter}: {percent:g} %")
