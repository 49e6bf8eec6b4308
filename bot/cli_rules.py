"""`siketan rules ...` (permit rules: validate, check, publish, history, rollback, import-kbli,
import-kbli-correspondence)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cli_db import run_in_session
from permit_rules import (
    DEFAULT_CATALOG_VERSION,
    DEFAULT_RULES_FILE,
    BusinessProfile,
    CatalogError,
    CodeLookup,
    CorrespondenceError,
    Decision,
    KbliCatalogs,
    RuleSet,
    RuleSetError,
    decision_to_json,
    evaluate,
    load_default_catalog,
    lookup_code,
    validate_rule_text,
    version_label,
)

if TYPE_CHECKING:
    from office.rechecks import RecheckOutcome

rules_app = typer.Typer(help="Permit rules: validate, check, publish, history, rollback.")

T = TypeVar("T")

ConfigOpt = Annotated[
    Path | None, typer.Option("--config", help="config.yaml (default: config.yaml / env)")
]
ByOpt = Annotated[str, typer.Option("--by", help="who does this (recorded in the history)")]


def _run_db(config: Path | None, action: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Migrate the database, seed version 1 if empty, run `action` in one transaction."""
    return run_in_session(config, action, seed_rules=True)


def _publish_and_recheck(
    config: Path | None, action: Callable[[AsyncSession], Awaitable[T]]
) -> tuple[T, RecheckOutcome]:
    """Run a publishing `action`, then judge every open application by the version now in force
    in the same transaction (issue 13 part 4): flags for officers, messages to citizens through
    the outbox the server sends from. The office is built as the server builds it, so a message
    goes to the channel the citizen used."""
    from bot.app import build_app
    from bot.settings import SettingsError, load_settings
    from storage.migrate import upgrade_database
    from storage.rule_sets import seed_if_empty

    try:
        settings = load_settings(config)
    except SettingsError as exc:
        typer.echo(f"siketan: {exc}", err=True)
        raise typer.Exit(2) from None

    async def main() -> tuple[T, RecheckOutcome]:
        await upgrade_database(settings.database.url)
        app = build_app(settings)
        try:
            async with app.sessions() as session, session.begin():
                await seed_if_empty(session)
                result = await action(session)
                outcome = await app.office.rechecks.after_publish(session)
            app.office.rechecks.notify(outcome)
            return result, outcome
        finally:
            await app.engine.dispose()

    return asyncio.run(main())


def _say_rechecked(outcome: RecheckOutcome) -> None:
    changed = ", ".join(outcome.changed) or "tidak ada"
    typer.echo(
        f"{outcome.checked} permohonan terbuka dicek ulang dengan versi {outcome.version}; "
        f"keputusan berubah (petugas ditandai, warga diberi tahu): {changed}."
    )


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
    lines: list[str] = []
    if d.converted_from is not None:
        lines.append(
            f"{d.converted_from.label} dikonversi ke {version_label(d.kbli_version)} {d.kbli}"
        )
    lines.append(
        f"{version_label(d.kbli_version)} {d.kbli}" + (f" - {d.kbli_title}" if d.kbli_title else "")
    )
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
    if d.officer_hints:
        lines.append("Petunjuk untuk petugas (bukan jawaban untuk warga):")
        for h in d.officer_hints:
            scope = f"KBLI 2020 {h.kbli_2020}, " if h.kbli_2020 else ""
            lines.append(f"- {scope}{h.condition}: {h.risk_level.display} ({h.legal_basis.cite()})")
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
    kbli: Annotated[
        str,
        typer.Option(
            "--kbli", help="5-digit code: KBLI 2025 (in force), or 2020:CODE to convert first"
        ),
    ],
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

    async def load(session: AsyncSession) -> tuple[int, RuleSet, KbliCatalogs]:
        from storage.rule_sets import active_catalogs, active_version

        number, rule_set = await active_version(session)
        return number, rule_set, await active_catalogs(session)

    number, rule_set, catalogs = _run_db(config, load)
    lookup = lookup_code(kbli, catalogs)
    if lookup.status == "bad_input" or len(lookup.choices) > 1:
        _print_lookup(lookup, as_json)
        raise typer.Exit(2 if lookup.status == "bad_input" else 0)
    asked = lookup.asked
    if asked is None:  # pragma: no cover - every status but bad_input names the code asked
        raise typer.Exit(2)
    chosen = lookup.single
    code, version = (
        (chosen.code, catalogs.in_force.version) if chosen else (asked.code, asked.version)
    )
    try:
        profile = BusinessProfile(
            kbli=code,
            kbli_version=version,
            converted_from=asked if lookup.converted else None,
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

    decision = evaluate(rule_set, profile, version=number, today=today)
    if as_json:
        data = decision_to_json(decision)
        if lookup.status != "in_force":  # the same shape as the console's preview otherwise
            data["kbli_lookup"] = _lookup_json(lookup)
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        notes = _lookup_lines(lookup)
        typer.echo("\n".join([*notes, ""] if notes else []) + _format_decision(decision))


_PROBLEMS = {
    "empty": "Kode KBLI belum diisi.",
    "not_a_code": "{text!r} bukan kode KBLI (lima angka, mis. 56101; kode lama: 2020:56102).",
    "too_short": "{digits} bukan kode kegiatan: kode KBLI untuk perizinan terdiri atas 5 angka.",
    "too_long": "{digits} lebih dari 5 angka: kode KBLI untuk perizinan terdiri atas 5 angka.",
    "unknown_version": "Versi KBLI pada {text!r} tidak dikenal: pakai 2025 (berlaku) atau 2020.",
}


def _lookup_json(lookup: CodeLookup) -> dict[str, object]:
    def entry(version: str, code: str, title: str) -> dict[str, str]:
        return {"kbli": code, "kbli_version": version, "title": title}

    asked = lookup.asked
    return {
        "status": lookup.status,
        "asked": None
        if asked is None
        else entry(asked.version, asked.code, lookup.asked_title or ""),
        "choices": [
            entry(DEFAULT_CATALOG_VERSION, e.code, e.display_title) for e in lookup.choices
        ],
        "intermediation": [
            entry(DEFAULT_CATALOG_VERSION, e.code, e.display_title) for e in lookup.intermediation
        ],
        "group_codes": [
            entry(DEFAULT_CATALOG_VERSION, e.code, e.display_title) for e in lookup.group_codes
        ],
        "doubts": list(lookup.doubts),
        "problem": lookup.problem,
    }


def _lookup_lines(lookup: CodeLookup) -> list[str]:
    """The code as it was read, in words (the conversion, a choice, a problem)."""
    asked = lookup.asked
    lines: list[str] = []
    if lookup.status == "bad_input":
        digits = "".join(ch for ch in lookup.text if ch.isdigit())
        template = _PROBLEMS.get(lookup.problem or "", _PROBLEMS["not_a_code"])
        lines.append(template.format(text=lookup.text.strip(), digits=digits))
        if lookup.group_codes:
            lines.append(
                f"Kode 5 angka di dalam {digits} ({version_label(DEFAULT_CATALOG_VERSION)}):"
            )
            lines += [f"- {e.code} {e.display_title}" for e in lookup.group_codes]
        return lines
    if asked is None:  # pragma: no cover
        return lines
    if lookup.status == "unknown_code":
        lines.append(f"{asked.label} tidak ada dalam katalog {version_label(asked.version)}.")
    elif lookup.status == "no_edge":
        lines.append(
            f"{asked.label} ({lookup.asked_title}) belum ada dalam tabel konversi ke "
            f"{version_label(DEFAULT_CATALOG_VERSION)}: kodenya tidak ditebak, petugas mengonversinya."
        )
    elif lookup.converted:
        targets = ", ".join(f"{e.code} ({e.display_title})" for e in lookup.choices)
        many = len(lookup.choices) > 1
        lines.append(
            f"{asked.label} ({lookup.asked_title}) dalam {version_label(DEFAULT_CATALOG_VERSION)}: "
            + (f"pilih salah satu: {targets}" if many else targets)
            + ". NIB yang sudah terbit tetap berlaku."
        )
        if many:
            lines.append("Ulangi dengan --kbli KODE (kode KBLI 2025 yang sesuai).")
        for e in lookup.intermediation:
            lines.append(
                f"Juga ke {e.code} ({e.display_title}): hanya jika Anda menjalankan platform atau "
                "perantaranya, bukan bila Anda sekadar menjual lewat aplikasi."
            )
        lines += [f"Perlu dicek petugas: {d}" for d in lookup.doubts]
    return lines


def _print_lookup(lookup: CodeLookup, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps({"kbli_lookup": _lookup_json(lookup)}, ensure_ascii=False, indent=2))
    else:
        typer.echo("\n".join(_lookup_lines(lookup)), err=lookup.status == "bad_input")


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

    from storage.rule_sets import RuleSetStoreError

    try:
        (number, missing), outcome = _publish_and_recheck(config, action)
    except RuleSetError as exc:
        _print_errors(list(exc.errors))
        raise typer.Exit(1) from None
    except RuleSetStoreError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None
    for code in missing:
        typer.echo(f"peringatan: KBLI {code} tidak ada di katalog aktif")
    typer.echo(f"Diterbitkan sebagai versi {number} oleh {by}.")
    _say_rechecked(outcome)


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
        number, outcome = _publish_and_recheck(config, action)
    except RuleSetStoreError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None
    typer.echo(f"Versi {version} diterbitkan ulang sebagai versi {number} oleh {by}.")
    _say_rechecked(outcome)


@rules_app.command("recheck")
def recheck_cmd(config: ConfigOpt = None) -> None:
    """Judge every open application again by the version in force (publish and rollback do it
    themselves; this is for a database upgraded to new repository rules)."""

    async def nothing(session: AsyncSession) -> None:
        return None

    _, outcome = _publish_and_recheck(config, nothing)
    _say_rechecked(outcome)


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


@rules_app.command("import-kbli-correspondence")
def import_correspondence_cmd(
    file: Annotated[
        Path, typer.Argument(help="CSV with columns kbli2020,kbli2025[,note,...] (BPS table)")
    ],
    by: ByOpt = "admin",
    config: ConfigOpt = None,
) -> None:
    """Load a KBLI 2020 -> 2025 correspondence table (one-to-many edges kept). Every problem is
    listed with its line and nothing is loaded unless the whole file is good."""
    from storage.rule_sets import CorrespondenceImport

    try:
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        typer.echo(f"{file}: cannot read: {exc}", err=True)
        raise typer.Exit(1) from None

    async def action(session: AsyncSession) -> CorrespondenceImport:
        from storage.rule_sets import import_correspondence

        return await import_correspondence(session, text, by=by)

    try:
        result = _run_db(config, action)
    except CorrespondenceError as exc:
        for error in exc.errors:
            typer.echo(f"{file}:{error.line}: {error.message}", err=True)
        typer.echo(f"{len(exc.errors)} kesalahan; tabel tidak dimuat.", err=True)
        raise typer.Exit(1) from None
    typer.echo(
        f"Tabel konversi KBLI 2020 -> KBLI 2025 aktif: {result.edge_count} pasangan untuk "
        f"{result.code_count} kode KBLI 2020."
    )
