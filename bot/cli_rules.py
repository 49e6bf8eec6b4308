"""`siketan rules ...` (permit rules: validate, check, publish, history, rollback, import-kbli)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cli_db import run_in_session
from permit_rules import (
    DEFAULT_CATALOG_VERSION,
    DEFAULT_RULES_FILE,
    BusinessProfile,
    CatalogError,
    Decision,
    RuleSet,
    RuleSetError,
    decision_to_json,
    evaluate,
    load_default_catalog,
    validate_rule_text,
)

rules_app = typer.Typer(help="Permit rules: validate, check, publish, history, rollback.")

T = TypeVar("T")

ConfigOpt = Annotated[
    Path | None, typer.Option("--config", help="config.yaml (default: config.yaml / env)")
]
ByOpt = Annotated[str, typer.Option("--by", help="who does this (recorded in the history)")]


def _run_db(config: Path | None, action: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Migrate the database, seed version 1 if empty, run `action` in one transaction."""
    return run_in_session(config, action, seed_rules=True)


def _print_errors(errors: list[object]) -> None:
    for e in errors:
        typer.echo(str(e), err=True)


# ---------------------------------------------------------------------- validate
@rules_app.command("validate")
def validate_cmd(
    path: Annotated[Path | None, typer.Argument(help="rule YAML (default: repo rules)")] = None,
) -> None:
    """Check a rule file; print every error with file and line (exit 1 when any)."""
    file = path or DEFAULT_RULES_FILE
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        typer.echo(f"{file}: cannot read: {exc}", err=True)
        raise typer.Exit(1) from None
    errors = validate_rule_text(text, str(file))
    if errors:
        _print_errors(list(errors))
        typer.echo(f"{len(errors)} kesalahan di {file}", err=True)
        raise typer.Exit(1)
    rule_set = RuleSet.from_yaml(text, str(file))
    missing: list[str] = []
    if rule_set.meta.kbli_version == DEFAULT_CATALOG_VERSION:
        missing = rule_set.missing_from_catalog(load_default_catalog())
    for code in missing:
        typer.echo(f"peringatan: KBLI {code} tidak ada di katalog {DEFAULT_CATALOG_VERSION}")
    risky = sum(1 for a in rule_set.activities if a.risk_rules)
    typer.echo(
        f"OK: {file} ({len(rule_set.activities)} kegiatan, {risky} dengan aturan risiko "
        f"bersumber, {len(rule_set.permits)} izin dalam katalog)"
    )


# ---------------------------------------------------------------------- check
def _format_decision(d: Decision) -> str:
    lines = [f"KBLI {d.kbli}" + (f" - {d.kbli_title}" if d.kbli_title else "")]
    lines.append(f"Skala usaha: {d.scale.display if d.scale else 'belum diketahui'}")
    if d.risk_level is not None:
        lines.append(f"Tingkat risiko: {d.risk_level.display} ({d.outcome})")
    else:
        lines.append("Tingkat risiko: belum dapat ditentukan (menunggu pengecekan petugas)")
    lines.append("")
    lines.append("Perizinan yang diperlukan:")
    for p in d.permits:
        due = (
            f"{p.due_working_days} hari kerja (perkiraan {p.due_date.isoformat()})"
            if p.due_working_days is not None and p.due_date is not None
            else "waktu layanan belum tercatat"
        )
        lines.append(f"- {p.name}")
        lines.append(f"    penerbit: {p.issuer}; diajukan di: {p.where}")
        lines.append(f"    biaya: {p.fee or 'belum tercatat'}; waktu: {due}")
        if p.documents:
            lines.append(f"    dokumen: {'; '.join(p.documents)}")
        lines.append(f"    dasar: {p.legal_basis.cite()}")
    if d.conditional_permits:
        lines.append("Mungkin diperlukan (tergantung jawaban Anda):")
        for p in d.conditional_permits:
            lines.append(f"- {p.name} (jika {p.condition})")
    if d.basic_requirements:
        lines.append("Persyaratan dasar (jika berlaku):")
        for p in d.basic_requirements:
            lines.append(f"- {p.name} ({p.where})")
    lines.append("")
    lines.append("Penjelasan:")
    lines.extend(f"- {e}" for e in d.explanation)
    lines.append("")
    flags = []
    if d.needs_officer:
        flags.append("PERLU PETUGAS: " + " ".join(d.officer_reasons))
    if d.unverified:
        flags.append("BELUM TERVERIFIKASI: aturan belum dicek admin terhadap sumbernya")
    lines.extend(flags)
    lines.append(f"Versi aturan: {d.rule_set_version} ({d.kbli_version}; {d.regulation})")
    return "\n".join(lines)


@rules_app.command("check")
def check_cmd(
    kbli: Annotated[str, typer.Option("--kbli", help="5-digit KBLI code")],
    capital: Annotated[
        int | None, typer.Option("--capital", help="modal usaha (Rp, tanpa tanah dan bangunan)")
    ] = None,
    sales: Annotated[
        int | None,
        typer.Option("--sales", help="hasil penjualan tahunan (Rp); for businesses before 2021"),
    ] = None,
    land: Annotated[float | None, typer.Option("--land", help="luas lahan (m2)")] = None,
    workers: Annotated[int | None, typer.Option("--workers", help="tenaga kerja")] = None,
    existed_before_2021: Annotated[
        bool | None,
        typer.Option(
            "--existed-before-2021/--new",
            help="scale by annual sales (default: yes when only --sales is given)",
        ),
    ] = None,
    condition: Annotated[
        list[str] | None,
        typer.Option("--condition", help="KEY=VALUE, e.g. product=packaged_food (repeatable)"),
    ] = None,
    on_date: Annotated[
        str | None, typer.Option("--date", help="today for due dates (YYYY-MM-DD, WIB)")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
    config: ConfigOpt = None,
) -> None:
    """Judge a business by the active published rule set and explain the answer."""
    conditions: dict[str, str] = {}
    for item in condition or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            typer.echo(f"--condition {item!r}: write KEY=VALUE", err=True)
            raise typer.Exit(2)
        conditions[key.strip()] = value.strip()
    before = existed_before_2021
    if before is None:
        before = sales is not None and capital is None
    today: date | None = None
    if on_date is not None:
        try:
            today = date.fromisoformat(on_date)
        except ValueError:
            typer.echo(f"--date {on_date!r}: use YYYY-MM-DD", err=True)
            raise typer.Exit(2) from None
    try:
        profile = BusinessProfile(
            kbli=kbli,
            capital=capital,
            annual_sales=sales,
            existed_before_2021=before,
            land_area_m2=land,
            workers=workers,
            conditions=conditions,
        )
    except ValueError as exc:
        typer.echo(f"invalid input: {exc}", err=True)
        raise typer.Exit(2) from None

    async def action(session: AsyncSession) -> tuple[int, RuleSet]:
        from storage.rule_sets import active_version

        return await active_version(session)

    number, rule_set = _run_db(config, action)
    decision = evaluate(rule_set, profile, version=number, today=today)
    if as_json:
        typer.echo(json.dumps(decision_to_json(decision), ensure_ascii=False, indent=2))
    else:
        typer.echo(_format_decision(decision))


# ---------------------------------------------------------------------- versions
@rules_app.command("publish")
def publish_cmd(
    path: Annotated[Path | None, typer.Argument(help="rule YAML (default: repo rules)")] = None,
    by: ByOpt = "admin",
    note: Annotated[str, typer.Option("--note")] = "",
    config: ConfigOpt = None,
) -> None:
    """Validate a rule file and publish it as the next version."""
    file = path or DEFAULT_RULES_FILE
    text = file.read_text(encoding="utf-8")
    errors = validate_rule_text(text, str(file))
    if errors:
        _print_errors(list(errors))
        raise typer.Exit(1)

    async def action(session: AsyncSession) -> tuple[int, list[str]]:
        from storage.rule_sets import active_catalog, publish_text

        number = await publish_text(session, text, by=by, note=note)
        catalog = await active_catalog(session)
        return number, RuleSet.from_yaml(text, str(file)).missing_from_catalog(catalog)

    try:
        number, missing = _run_db(config, action)
    except RuleSetError as exc:
        _print_errors(list(exc.errors))
        raise typer.Exit(1) from None
    for code in missing:
        typer.echo(f"peringatan: KBLI {code} tidak ada di katalog aktif")
    typer.echo(f"Diterbitkan sebagai versi {number} oleh {by}.")


@rules_app.command("history")
def history_cmd(
    as_json: Annotated[bool, typer.Option("--json")] = False,
    config: ConfigOpt = None,
) -> None:
    """List rule-set versions (who, when, rolled back from which)."""
    from storage.rule_sets import VersionInfo

    async def action(session: AsyncSession) -> list[VersionInfo]:
        from storage.rule_sets import history

        return await history(session)

    rows = _run_db(config, action)
    if as_json:
        data = [
            {
                "number": r.number,
                "status": r.status,
                "active": r.active,
                "kbli_version": r.kbli_version,
                "sha256": r.content_sha256,
                "created_by": r.created_by,
                "created_at": r.created_at.isoformat(),
                "published_by": r.published_by,
                "published_at": r.published_at.isoformat() if r.published_at else None,
                "rolled_back_from": r.rolled_back_from,
                "note": r.note,
            }
            for r in rows
        ]
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    for r in rows:
        label = f"v{r.number}" if r.number is not None else f"draft#{r.id}"
        when = r.published_at or r.created_at
        extra = f" rollback dari v{r.rolled_back_from}" if r.rolled_back_from else ""
        active = " [AKTIF]" if r.active else ""
        who = r.published_by or r.created_by
        typer.echo(
            f"{label}{active} {r.status} {when:%Y-%m-%d %H:%M} oleh {who}"
            f" {r.kbli_version} sha256:{r.content_sha256[:12]}{extra} {r.note}".rstrip()
        )


@rules_app.command("rollback")
def rollback_cmd(
    version: Annotated[int, typer.Argument(help="the earlier version to publish again")],
    by: ByOpt = "admin",
    note: Annotated[str, typer.Option("--note")] = "",
    config: ConfigOpt = None,
) -> None:
    """Publish an earlier version's content again as a new version number."""
    from storage.rule_sets import RuleSetStoreError

    async def action(session: AsyncSession) -> int:
        from storage.rule_sets import rollback

        return await rollback(session, version, by=by, note=note)

    try:
        number = _run_db(config, action)
    except RuleSetStoreError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None
    typer.echo(f"Versi {version} diterbitkan ulang sebagai versi {number} oleh {by}.")


@rules_app.command("import-kbli")
def import_kbli_cmd(
    file: Annotated[Path, typer.Argument(help="CSV with columns code,title[,description,...]")],
    version: Annotated[str, typer.Option("--version", help="catalog name, e.g. KBLI2025")],
    by: ByOpt = "admin",
    config: ConfigOpt = None,
) -> None:
    """Load another KBLI catalog and make it active; report rules pointing at missing codes."""
    from storage.rule_sets import CatalogImport

    try:
        text = file.read_text(encoding="utf-8-sig")
    except OSError as exc:
        typer.echo(f"{file}: cannot read: {exc}", err=True)
        raise typer.Exit(1) from None

    async def action(session: AsyncSession) -> CatalogImport:
        from storage.rule_sets import import_catalog

        return await import_catalog(session, text, version, by=by)

    try:
        result = _run_db(config, action)
    except CatalogError as exc:
        typer.echo(f"{file}: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"Katalog {result.version} aktif: {result.code_count} kode KBLI.")
    if result.missing_codes:
        typer.echo(
            f"{len(result.missing_codes)} aturan menunjuk kode yang tidak ada di katalog "
            f"{result.version}: {', '.join(result.missing_codes)}"
        )
    else:
        typer.echo("Semua kode dalam aturan aktif ada di katalog ini.")
