"""Rules editor in the console (admins): browse the active rule set, edit a draft by forms or as
YAML (the same validation either way, errors shown at their field or line), preview a sample
business against the draft and the published set, diff, publish, roll back, import a KBLI catalog.

A draft always holds a valid rule file: an edit that does not validate is shown back with its
errors and not stored. Every change is written to the audit log.
"""

# No `from __future__ import annotations`: FastAPI resolves the dependency aliases built inside
# `mount_rules_editor` at definition time.
import difflib
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from console.rule_yaml import EditError, Loc, format_path, parse_path, set_value, value_at
from permit_rules import (
    BusinessProfile,
    CatalogError,
    RiskLevel,
    RuleError,
    RuleSet,
    RuleSetError,
    Scale,
    decision_to_json,
    evaluate,
    today_jakarta,
    validate_rule_text,
)
from storage import console as repo
from storage import rule_sets
from storage.models import RuleSetVersion

WHERE = ("OSS", "SIHALAL", "SIMBG", "MPP counter")
KINDS = ("perizinan_berusaha", "pb_umku", "persyaratan_dasar")
RISKS = {r.value: r.display for r in RiskLevel}
SCALES = {s.value: s.display for s in Scale}
# Rules that carry verified_by / verified_on.
VERIFIABLE = re.compile(
    r"^(permits\.[A-Z][A-Z0-9_]*"
    r"|basic_requirements\[\d+\]"
    r"|support_groups\.[a-z0-9_]+\[\d+\]"
    r"|activities\[\d+\]\.(risk_rules|supporting_permits)\[\d+\])$"
)


@dataclass
class ConsoleKit:
    """What the console shell gives its admin pages: rendering and the sign-in checks."""

    page: Callable[..., HTMLResponse]
    admin: Callable[..., Any]  # POST: signed-in admin with the session's CSRF token
    admin_view: Callable[..., Any]  # GET: signed-in admin


# ---------------------------------------------------------------------- form fields
@dataclass
class FormField:
    path: str
    label: str
    kind: str  # text | textarea | lines | int | number | select | multi | optional
    value: Any = None
    options: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    hint: str = ""

    @property
    def name(self) -> str:
        return self.path

    @property
    def shown(self) -> str:
        if self.kind == "lines":
            return "\n".join(str(v) for v in self.value or ())
        if self.value is None:
            return ""
        if isinstance(self.value, float) and self.value.is_integer():
            return str(int(self.value))
        return str(self.value)

    @property
    def dom_id(self) -> str:
        return "f-" + re.sub(r"[^A-Za-z0-9]+", "-", self.path).strip("-")


def _number(raw: str) -> Any:
    text = raw.strip().replace("_", "")
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        return raw  # kept as typed: the rule validation names the field
    return int(number) if number.is_integer() else number


def read_field(f: FormField, form: Any) -> Any:
    """The value a field's input gives, in the shape the rule file holds."""
    if f.kind == "multi":
        picked = [str(v) for v in form.getlist(f.path)]
        return picked or None
    raw = str(form.get(f.path) or "")
    if f.kind == "lines":
        return [line.strip() for line in raw.splitlines() if line.strip()]
    if f.kind in ("int", "number"):
        return _number(raw)
    if f.kind == "optional":
        return raw.strip() or None
    return raw.strip()


def attach_errors(fields: Sequence[FormField], errors: Iterable[RuleError]) -> list[RuleError]:
    """Put each error next to the field it is about; return the ones no field shows."""
    loose: list[RuleError] = []
    for e in errors:
        target = next(
            (
                f
                for f in fields
                if e.path == f.path
                or e.path.startswith((f.path + ".", f.path + "["))
                or f.path.startswith((e.path + ".", e.path + "["))
            ),
            None,
        )
        if target is None:
            loose.append(e)
        else:
            target.errors.append(e.message)
    return loose


def permit_fields(text: str, code: str) -> list[FormField]:
    base = f"permits.{code}"

    def v(rest: str) -> Any:
        return value_at(text, parse_path(f"{base}.{rest}"))

    return [
        FormField(f"{base}.name", "Nama izin", "text", v("name")),
        FormField(f"{base}.kind", "Jenis", "select", v("kind"), {k: k for k in KINDS}),
        FormField(f"{base}.issuer", "Penerbit", "text", v("issuer")),
        FormField(f"{base}.where", "Diajukan di", "select", v("where"), {w: w for w in WHERE}),
        FormField(f"{base}.documents", "Dokumen (satu per baris)", "lines", v("documents") or []),
        FormField(
            f"{base}.due_working_days",
            "Waktu layanan (hari kerja)",
            "int",
            v("due_working_days"),
            hint="kosongkan bila belum tercatat; 0 = hari itu juga",
        ),
        FormField(
            f"{base}.fee",
            "Biaya",
            "optional",
            v("fee"),
            hint="mis. gratis; kosong = belum tercatat",
        ),
        FormField(f"{base}.note", "Catatan", "optional", v("note")),
        *_basis_fields(text, base),
    ]


def _basis_fields(text: str, base: str) -> list[FormField]:
    def v(rest: str) -> Any:
        return value_at(text, parse_path(f"{base}.legal_basis.{rest}"))

    return [
        FormField(
            f"{base}.legal_basis.regulation", "Dasar hukum: peraturan", "text", v("regulation")
        ),
        FormField(
            f"{base}.legal_basis.article", "Dasar hukum: pasal/lampiran", "optional", v("article")
        ),
        FormField(f"{base}.legal_basis.source", "Dasar hukum: sumber", "text", v("source")),
    ]


def activity_fields(text: str, index: int) -> list[FormField]:
    base = f"activities[{index}]"
    return [
        FormField(
            f"{base}.title", "Nama kegiatan", "text", value_at(text, parse_path(base + ".title"))
        ),
        FormField(
            f"{base}.everyday_words",
            "Kata sehari-hari (satu per baris, huruf kecil)",
            "lines",
            value_at(text, parse_path(base + ".everyday_words")) or [],
        ),
        FormField(
            f"{base}.note", "Catatan", "optional", value_at(text, parse_path(base + ".note"))
        ),
    ]


RANGES = (("capital", "Modal (Rp)"), ("land_area_m2", "Luas lahan (m²)"), ("workers", "Pekerja"))


def risk_fields(text: str, index: int, rule: int | None) -> list[FormField]:
    """A risk row; `rule` None is a new row (with its id)."""
    base = f"activities[{index}].risk_rules[{rule if rule is not None else 'new'}]"
    current: dict[str, Any] = {}
    if rule is not None:
        current = value_at(text, ("activities", index, "risk_rules", rule)) or {}
    when = current.get("when") or {}
    basis = current.get("legal_basis") or {}
    fields = []
    if rule is None:
        fields.append(FormField(f"{base}.id", "Kode aturan (unik)", "text", ""))
    fields += [
        FormField(
            f"{base}.risk_level", "Tingkat risiko", "select", current.get("risk_level"), RISKS
        ),
        FormField(f"{base}.when.scale", "Skala usaha", "multi", when.get("scale") or [], SCALES),
    ]
    for key, label in RANGES:
        rng = when.get(key) or {}
        fields.append(
            FormField(f"{base}.when.{key}.min", f"{label} paling sedikit", "number", rng.get("min"))
        )
        fields.append(
            FormField(f"{base}.when.{key}.max", f"{label} paling banyak", "number", rng.get("max"))
        )
    fields += [
        FormField(f"{base}.note", "Catatan", "optional", current.get("note")),
        FormField(
            f"{base}.legal_basis.regulation",
            "Dasar hukum: peraturan",
            "text",
            basis.get("regulation"),
        ),
        FormField(
            f"{base}.legal_basis.article",
            "Dasar hukum: pasal/lampiran",
            "optional",
            basis.get("article"),
        ),
        FormField(f"{base}.legal_basis.source", "Dasar hukum: sumber", "text", basis.get("source")),
    ]
    return fields


def new_activity_fields(groups: Iterable[str]) -> list[FormField]:
    base = "activities[new]"
    return [
        FormField(f"{base}.kbli", "KBLI (5 angka)", "text", ""),
        FormField(f"{base}.title", "Nama kegiatan", "text", ""),
        FormField(f"{base}.everyday_words", "Kata sehari-hari (satu per baris)", "lines", []),
        FormField(
            f"{base}.support", "Izin pendukung (kelompok)", "multi", [], {g: g for g in groups}
        ),
    ]


def _risk_value(
    fields: Sequence[FormField], form: Any, base: str, old: dict[str, Any]
) -> dict[str, Any]:
    got = {f.path.removeprefix(base + "."): read_field(f, form) for f in fields}
    when: dict[str, Any] = {k: v for k, v in (old.get("when") or {}).items()}
    for key in ("scale", *(k for k, _ in RANGES)):
        when.pop(key, None)
    if got.get("when.scale"):
        when["scale"] = got["when.scale"]
    for key, _ in RANGES:
        rng = {
            b: got[f"when.{key}.{b}"]
            for b in ("min", "max")
            if got.get(f"when.{key}.{b}") is not None
        }
        if rng:
            when[key] = rng
    value = dict(old)
    if "id" in got:
        value["id"] = got["id"]
    value["risk_level"] = got["risk_level"]
    value["when"] = when
    value["note"] = got["note"]
    value["legal_basis"] = {
        "regulation": got["legal_basis.regulation"],
        "article": got["legal_basis.article"],
        "source": got["legal_basis.source"],
    }
    value.setdefault("verified_by", None)
    value.setdefault("verified_on", None)
    return value


# ---------------------------------------------------------------------- lookups
def search_activities(rule_set: RuleSet, query: str) -> list[tuple[int, Any]]:
    """Activities whose code starts with the query, or whose title/words contain all its words."""
    q = " ".join(query.lower().split())
    out = []
    for i, a in enumerate(rule_set.activities):
        if not q:
            out.append((i, a))
            continue
        code = a.kbli or a.kbli_prefix or ""
        if q.isdigit():
            if code.startswith(q) or (a.kbli_prefix and q.startswith(a.kbli_prefix)):
                out.append((i, a))
            continue
        hay = " ".join([a.title.lower(), *a.everyday_words])
        if all(word in hay for word in q.split()):
            out.append((i, a))
    return out


def activity_index(rule_set: RuleSet, key: str) -> int:
    for i, a in enumerate(rule_set.activities):
        if a.key == key:
            return i
    raise HTTPException(404, "kegiatan tidak ada di aturan ini")


def profile_from(params: Any) -> tuple[BusinessProfile, date | None]:
    """A sample business from the preview form (the same inputs as `siketan rules check`)."""

    def number(name: str) -> float | None:
        raw = str(params.get(name) or "").strip().replace(".", "").replace("_", "")
        if not raw:
            return None
        try:
            return float(raw)
        except ValueError:
            raise ValueError(f"{name}: isi dengan angka") from None

    conditions: dict[str, str] = {}
    for line in str(params.get("conditions") or "").replace(",", "\n").splitlines():
        key, sep, value = line.partition("=")
        if line.strip() and not sep:
            raise ValueError("kondisi ditulis KUNCI=NILAI, mis. product=packaged_food")
        if key.strip():
            conditions[key.strip()] = value.strip()
    capital, sales = number("capital"), number("sales")
    existed = str(params.get("existed") or "")
    before = existed == "1" if existed else (sales is not None and capital is None)
    raw_day = str(params.get("date") or "").strip()
    try:
        day = date.fromisoformat(raw_day) if raw_day else None
    except ValueError:
        raise ValueError("tanggal ditulis TTTT-BB-HH") from None
    land, workers = number("land"), number("workers")
    profile = BusinessProfile(
        kbli=str(params.get("kbli") or "").strip(),
        capital=int(capital) if capital is not None else None,
        annual_sales=int(sales) if sales is not None else None,
        existed_before_2021=before,
        land_area_m2=land,
        workers=int(workers) if workers is not None else None,
        conditions=conditions,
    )
    return profile, day


def diff_lines(old: str, new: str, old_name: str, new_name: str) -> list[tuple[str, str]]:
    out = []
    for line in difflib.unified_diff(
        old.splitlines(), new.splitlines(), old_name, new_name, n=2, lineterm=""
    ):
        kind = (
            "meta"
            if line.startswith(("---", "+++", "@@"))
            else "add"
            if line.startswith("+")
            else "del"
            if line.startswith("-")
            else "same"
        )
        out.append((kind, line))
    return out


async def load_draft(db: AsyncSession, draft_id: int) -> RuleSetVersion:
    row = await db.get(RuleSetVersion, draft_id)
    if row is None or row.status != "draft":
        raise HTTPException(404, "draf tidak ada (atau sudah diterbitkan)")
    return row


async def store_draft(db: AsyncSession, draft_id: int, text: str) -> None:
    """Replace a draft's content (only while it is a draft; published versions never change)."""
    rule_set = RuleSet.from_yaml(text, f"draft {draft_id}")
    result = await db.execute(
        update(RuleSetVersion)
        .where(RuleSetVersion.id == draft_id, RuleSetVersion.status == "draft")
        .values(
            content=text,
            content_sha256=rule_sets._sha(text),
            kbli_version=rule_set.meta.kbli_version,
        )
        .execution_options(synchronize_session="fetch")
    )
    if getattr(result, "rowcount", 1) != 1:
        raise HTTPException(409, "draf ini sudah diterbitkan")


def decide(
    rule_set: RuleSet, version: int, profile: BusinessProfile, day: date | None
) -> dict[str, Any]:
    return decision_to_json(evaluate(rule_set, profile, version=version, today=day))


# ---------------------------------------------------------------------- routes
def mount_rules_editor(router: APIRouter, app: Any, kit: ConsoleKit) -> None:
    Admin = Annotated[Any, Depends(kit.admin)]
    AdminView = Annotated[Any, Depends(kit.admin_view)]
    page = kit.page

    async def versions(db: AsyncSession) -> tuple[int, RuleSet, RuleSetVersion]:
        number, rule_set = await rule_sets.active_version(db)
        row = await db.scalar(select(RuleSetVersion).where(RuleSetVersion.number == number))
        assert row is not None
        return number, rule_set, row

    async def drafts(db: AsyncSession) -> list[RuleSetVersion]:
        stmt = select(RuleSetVersion).where(RuleSetVersion.status == "draft")
        return list((await db.scalars(stmt.order_by(RuleSetVersion.id.desc()))).all())

    async def subject(
        db: AsyncSession, draft: int | None
    ) -> tuple[str, RuleSet, RuleSetVersion | None]:
        """The text and rules being browsed: a draft's, or the active version's."""
        if draft:
            row = await load_draft(db, draft)
            return row.content, RuleSet.from_yaml(row.content, f"draft {draft}"), row
        _, rule_set, active = await versions(db)
        return active.content, rule_set, None

    # -- browse ---------------------------------------------------------------------------

    @router.get("/rules", response_class=HTMLResponse)
    async def rules_index(
        request: Request, who: AdminView, q: str = "", draft: int = 0, error: str = ""
    ) -> Response:
        async with app.sessions() as db, db.begin():
            number, _, active = await versions(db)
            _, rule_set, draft_row = await subject(db, draft or None)
            open_drafts = await drafts(db)
            history = await rule_sets.history(db)
            catalog = await rule_sets.active_catalog(db)
        return page(
            request,
            "rules_index.html",
            who=who,
            q=q,
            draft=draft_row,
            active=active,
            number=number,
            results=search_activities(rule_set, q)[:200],
            drafts=open_drafts,
            history=[h for h in history if h.number is not None][::-1],
            catalog_version=catalog.version,
            catalog_size=len(catalog),
            published=request.query_params.get("published", ""),
            error=error,
        )

    @router.get("/rules/activities/{key}", response_class=HTMLResponse)
    async def activity_page(request: Request, key: str, who: AdminView, draft: int = 0) -> Response:
        async with app.sessions() as db, db.begin():
            text, rule_set, draft_row = await subject(db, draft or None)
        index = activity_index(rule_set, key)
        return _activity_view(request, who, text, rule_set, draft_row, index, {})

    def _activity_view(
        request: Request,
        who: Any,
        text: str,
        rule_set: RuleSet,
        draft_row: RuleSetVersion | None,
        index: int,
        failed: dict[str, Any],
        status_code: int = 200,
    ) -> Response:
        activity = rule_set.activities[index]
        groups = {g: rule_set.support_groups.get(g, ()) for g in activity.support}
        codes = ["NIB", *(p for r in activity.risk_rules for p in r.extra_permits)]
        codes += [r.permit for r in activity.supporting_permits]
        codes += [r.permit for rules in groups.values() for r in rules]
        forms = {
            "activity": activity_fields(text, index),
            "risks": [risk_fields(text, index, r) for r in range(len(activity.risk_rules))],
            "new_risk": risk_fields(text, index, None),
        }
        forms.update(failed)
        response = page(
            request,
            "rules_activity.html",
            who=who,
            draft=draft_row,
            a=activity,
            index=index,
            groups=groups,
            permits={c: rule_set.permits[c] for c in dict.fromkeys(codes) if c in rule_set.permits},
            forms=forms,
            loose=failed.get("loose", []),
            RISKS=RISKS,
            SCALES=SCALES,
        )
        response.status_code = status_code
        return response

    @router.get("/rules/permits/{code}", response_class=HTMLResponse)
    async def permit_page(request: Request, code: str, who: AdminView, draft: int = 0) -> Response:
        async with app.sessions() as db, db.begin():
            text, rule_set, draft_row = await subject(db, draft or None)
        if code not in rule_set.permits:
            raise HTTPException(404, "izin tidak ada di aturan ini")
        return page(
            request,
            "rules_permit.html",
            who=who,
            draft=draft_row,
            code=code,
            p=rule_set.permits[code],
            fields=permit_fields(text, code),
            loose=[],
            saved=request.query_params.get("saved") == "1",
        )

    # -- drafts ---------------------------------------------------------------------------

    @router.post("/rules/drafts")
    async def new_draft(who: Admin) -> Response:
        async with app.sessions() as db, db.begin():
            number, _, active = await versions(db)
            draft_id = await rule_sets.save_draft(
                db, active.content, by=who.officer.username, note=f"dari versi {number}"
            )
            repo.audit(db, who.officer, "rules.draft.create", f"draft:{draft_id}", base=number)
        return RedirectResponse(f"/console/rules/drafts/{draft_id}", 303)

    @router.get("/rules/drafts/{draft_id}", response_class=HTMLResponse)
    async def draft_page(request: Request, draft_id: int, who: AdminView) -> Response:
        async with app.sessions() as db, db.begin():
            row = await load_draft(db, draft_id)
            number, _, active = await versions(db)
            text = row.content
        return _draft_view(request, who, row, number, active, text, [])

    def _draft_view(
        request: Request,
        who: Any,
        row: RuleSetVersion,
        number: int,
        active: RuleSetVersion,
        text: str,
        errors: list[RuleError],
        status_code: int = 200,
        **extra: Any,
    ) -> Response:
        rule_set = RuleSet.from_yaml(row.content, f"draft {row.id}")
        by_line: dict[int, list[str]] = {}
        for e in errors:
            by_line.setdefault(e.line or 0, []).append(f"{e.path or '(berkas)'}: {e.message}")
        response = page(
            request,
            "rules_draft.html",
            who=who,
            draft=row,
            number=number,
            active=active,
            yaml_text=text,
            errors=errors,
            numbered=_numbered(text, by_line),
            diff=diff_lines(active.content, row.content, f"versi {number}", f"draf {row.id}"),
            stale=not row.note.endswith(f"versi {number}"),
            permits=rule_set.permits,
            basic=rule_set.basic_requirements,
            saved=request.query_params.get("saved") == "1",
            new_activity=extra.pop("new_activity", None)
            or new_activity_fields(rule_set.support_groups),
            loose=extra.pop("loose", []),
            **extra,
        )
        response.status_code = status_code
        return response

    @router.post("/rules/drafts/{draft_id}/yaml")
    async def save_yaml(
        request: Request, draft_id: int, who: Admin, content: Annotated[str, Form()]
    ) -> Response:
        text = content.replace("\r\n", "\n")
        errors = validate_rule_text(text, f"draft {draft_id}")
        async with app.sessions() as db, db.begin():
            row = await load_draft(db, draft_id)
            number, _, active = await versions(db)
            if errors:
                return _draft_view(request, who, row, number, active, text, errors, 422)
            await store_draft(db, draft_id, text)
            repo.audit(db, who.officer, "rules.draft.yaml", f"draft:{draft_id}")
        return RedirectResponse(f"/console/rules/drafts/{draft_id}?saved=1", 303)

    async def apply(
        who: Any, draft_id: int, changes: list[tuple[Loc, Any]], action: str, **detail: Any
    ) -> tuple[str, list[RuleError]]:
        """Apply form changes to the draft; store them if the result validates."""
        async with app.sessions() as db, db.begin():
            row = await load_draft(db, draft_id)
            text = row.content
            try:
                for loc, value in changes:
                    text = set_value(text, loc, value)
            except EditError as exc:
                return text, [RuleError(f"draft {draft_id}", None, "", str(exc))]
            errors = validate_rule_text(text, f"draft {draft_id}")
            if errors:
                return text, errors
            await store_draft(db, draft_id, text)
            paths = [format_path(loc) for loc, _ in changes]
            repo.audit(db, who.officer, action, f"draft:{draft_id}", paths=paths, **detail)
        return text, []

    @router.post("/rules/drafts/{draft_id}/permits/{code}")
    async def save_permit(request: Request, draft_id: int, code: str, who: Admin) -> Response:
        form = await request.form()
        async with app.sessions() as db:
            row = await load_draft(db, draft_id)
        fields = permit_fields(row.content, code)
        if value_at(row.content, ("permits", code)) is None:
            raise HTTPException(404)
        changes = [(parse_path(f.path), read_field(f, form)) for f in fields]
        _, errors = await apply(who, draft_id, changes, "rules.permit.edit", permit=code)
        if not errors:
            return RedirectResponse(f"/console/rules/permits/{code}?draft={draft_id}&saved=1", 303)
        for f in fields:
            f.value = read_field(f, form)
        loose = attach_errors(fields, errors)
        response = page(
            request,
            "rules_permit.html",
            who=who,
            draft=row,
            code=code,
            p=RuleSet.from_yaml(row.content, "draft").permits[code],
            fields=fields,
            loose=loose,
        )
        response.status_code = 422
        return response

    @router.post("/rules/drafts/{draft_id}/activities/{index}")
    async def save_activity(request: Request, draft_id: int, index: int, who: Admin) -> Response:
        form = await request.form()
        async with app.sessions() as db:
            row = await load_draft(db, draft_id)
        rule_set = RuleSet.from_yaml(row.content, "draft")
        if not 0 <= index < len(rule_set.activities):
            raise HTTPException(404)
        fields = activity_fields(row.content, index)
        changes = [(parse_path(f.path), read_field(f, form)) for f in fields]
        key = rule_set.activities[index].key
        _, errors = await apply(who, draft_id, changes, "rules.activity.edit", activity=key)
        if not errors:
            return RedirectResponse(_activity_url(key, draft_id), 303)
        for f in fields:
            f.value = read_field(f, form)
        loose = attach_errors(fields, errors)
        return _activity_view(
            request,
            who,
            row.content,
            rule_set,
            row,
            index,
            {"activity": fields, "loose": loose},
            422,
        )

    @router.post("/rules/drafts/{draft_id}/activities/{index}/risk/{rule}")
    async def save_risk(
        request: Request, draft_id: int, index: int, rule: str, who: Admin
    ) -> Response:
        form = await request.form()
        async with app.sessions() as db:
            row = await load_draft(db, draft_id)
        rule_set = RuleSet.from_yaml(row.content, "draft")
        if not 0 <= index < len(rule_set.activities):
            raise HTTPException(404)
        activity = rule_set.activities[index]
        count = len(activity.risk_rules)
        number = None if rule == "new" else int(rule) if rule.isdigit() else -1
        if number is not None and not 0 <= number < count:
            raise HTTPException(404)
        fields = risk_fields(row.content, index, number)
        base = f"activities[{index}].risk_rules[{rule}]"
        old = (
            value_at(row.content, ("activities", index, "risk_rules", number))
            if number is not None
            else {}
        )
        value = _risk_value(fields, form, base, dict(old or {}))
        if number is None:
            loc: Loc = (
                ("activities", index, "risk_rules", count)
                if count
                else ("activities", index, "risk_rules")
            )
            change: Any = value if count else [value]
            real = count
        else:
            loc, change, real = ("activities", index, "risk_rules", number), value, number
        _, errors = await apply(
            who, draft_id, [(loc, change)], "rules.risk.edit", activity=activity.key, row=real
        )
        if not errors:
            return RedirectResponse(_activity_url(activity.key, draft_id), 303)
        # Errors name the real row; the form of a new row is written as [new].
        real_base = f"activities[{index}].risk_rules[{real}]"
        mapped = [
            RuleError(e.file, e.line, e.path.replace(real_base, base, 1), e.message) for e in errors
        ]
        for f in fields:
            f.value = read_field(f, form)
        loose = attach_errors(fields, mapped)
        failed: dict[str, Any] = {"loose": loose}
        if number is None:
            failed["new_risk"] = fields
        else:
            risks = [risk_fields(row.content, index, r) for r in range(count)]
            risks[number] = fields
            failed["risks"] = risks
        return _activity_view(request, who, row.content, rule_set, row, index, failed, 422)

    @router.post("/rules/drafts/{draft_id}/activities")
    async def add_activity(request: Request, draft_id: int, who: Admin) -> Response:
        form = await request.form()
        async with app.sessions() as db:
            row = await load_draft(db, draft_id)
            number, _, active = await versions(db)
        rule_set = RuleSet.from_yaml(row.content, "draft")
        fields = new_activity_fields(rule_set.support_groups)
        got = {f.path.removeprefix("activities[new]."): read_field(f, form) for f in fields}
        value = {
            "kbli": got["kbli"],
            "title": got["title"],
            "everyday_words": got["everyday_words"],
            "support": got["support"] or [],
        }
        count = len(rule_set.activities)
        _, errors = await apply(
            who,
            draft_id,
            [(("activities", count), value)],
            "rules.activity.add",
            kbli=value["kbli"],
        )
        if not errors:
            key = str(value["kbli"])
            return RedirectResponse(_activity_url(key, draft_id), 303)
        mapped = [
            RuleError(
                e.file,
                e.line,
                e.path.replace(f"activities[{count}]", "activities[new]", 1),
                e.message,
            )
            for e in errors
        ]
        for f in fields:
            f.value = read_field(f, form)
        loose = attach_errors(fields, mapped)
        return _draft_view(
            request,
            who,
            row,
            number,
            active,
            row.content,
            [],
            422,
            new_activity=fields,
            loose=loose,
        )

    @router.post("/rules/drafts/{draft_id}/verify")
    async def verify(
        draft_id: int,
        who: Admin,
        path: Annotated[str, Form()],
        checked: Annotated[str, Form()] = "",
        back: Annotated[str, Form()] = "",
    ) -> Response:
        if not VERIFIABLE.match(path):
            raise HTTPException(422, "bukan aturan yang dapat ditandai")
        loc = parse_path(path)
        on = checked == "1"
        by = who.officer.username if on else None
        day = today_jakarta() if on else None
        changes = [((*loc, "verified_by"), by), ((*loc, "verified_on"), day)]
        async with app.sessions() as db:
            row = await load_draft(db, draft_id)
        if not isinstance(value_at(row.content, loc), dict):
            raise HTTPException(404)
        _, errors = await apply(
            who, draft_id, changes, "rules.verify", rule=path, checked=on, on=str(day or "")
        )
        if errors:
            raise HTTPException(422, "; ".join(str(e) for e in errors))
        target = back if back.startswith("/console/rules") else f"/console/rules/drafts/{draft_id}"
        return RedirectResponse(target, 303)

    # -- preview, publish, rollback -------------------------------------------------------

    async def previews(draft_id: int, params: Any) -> dict[str, Any]:
        profile, day = profile_from(params)
        async with app.sessions() as db, db.begin():
            row = await load_draft(db, draft_id)
            number, rule_set, _ = await versions(db)
        draft_rules = RuleSet.from_yaml(row.content, f"draft {draft_id}")
        return {
            "profile": params,
            "draft": decide(draft_rules, number + 1, profile, day),
            "published": decide(rule_set, number, profile, day),
        }

    @router.get("/rules/drafts/{draft_id}/preview.json")
    async def preview_json(request: Request, draft_id: int, who: AdminView) -> Response:
        try:
            result = await previews(draft_id, dict(request.query_params))
        except ValueError as exc:
            return JSONResponse({"error": str(exc)}, 422)
        return JSONResponse({"draft": result["draft"], "published": result["published"]})

    @router.get("/rules/drafts/{draft_id}/preview", response_class=HTMLResponse)
    async def preview_page(request: Request, draft_id: int, who: AdminView) -> Response:
        params = dict(request.query_params)
        try:
            result: dict[str, Any] | None = await previews(draft_id, params)
            problem = ""
        except ValueError as exc:
            result, problem = None, str(exc)
        return page(
            request,
            "rules_preview.html",
            who=who,
            draft_id=draft_id,
            params=params,
            result=result,
            problem=problem,
            as_json=lambda d: json.dumps(d, ensure_ascii=False, indent=2),
            RISKS=RISKS,
        )

    @router.post("/rules/drafts/{draft_id}/publish")
    async def publish(draft_id: int, who: Admin) -> Response:
        async with app.sessions() as db, db.begin():
            await load_draft(db, draft_id)
            try:
                number = await rule_sets.publish(db, draft_id, by=who.officer.username)
            except (RuleSetError, rule_sets.RuleSetStoreError) as exc:
                raise HTTPException(409, str(exc)) from None
            repo.audit(db, who.officer, "rules.publish", f"version:{number}", draft=draft_id)
        return RedirectResponse(f"/console/rules?published={number}", 303)

    @router.post("/rules/rollback")
    async def rollback(who: Admin, number: Annotated[int, Form()]) -> Response:
        async with app.sessions() as db, db.begin():
            try:
                new = await rule_sets.rollback(db, number, by=who.officer.username)
            except rule_sets.RuleSetStoreError as exc:
                raise HTTPException(404, str(exc)) from None
            repo.audit(db, who.officer, "rules.rollback", f"version:{new}", to=number)
        return RedirectResponse(f"/console/rules?published={new}", 303)

    @router.get("/rules/versions/{number}.yaml")
    async def version_yaml(number: int, who: AdminView) -> Response:
        async with app.sessions() as db:
            try:
                text = await rule_sets.version_content(db, number)
            except rule_sets.RuleSetStoreError:
                raise HTTPException(404) from None
        return Response(text, media_type="text/plain; charset=utf-8")

    # -- KBLI catalog ---------------------------------------------------------------------

    @router.post("/rules/catalog", response_class=HTMLResponse)
    async def import_catalog(
        request: Request,
        who: Admin,
        version: Annotated[str, Form()],
        file: Annotated[UploadFile, File()],
    ) -> Response:
        raw = await file.read(20_000_000)
        name = version.strip()[:40]
        problem, result = "", None
        try:
            text = raw.decode("utf-8-sig")
            if not name:
                raise CatalogError("beri nama versi katalog, mis. KBLI2025")
            async with app.sessions() as db, db.begin():
                result = await rule_sets.import_catalog(db, text, name, by=who.officer.username)
                repo.audit(
                    db,
                    who.officer,
                    "rules.catalog.import",
                    f"catalog:{name}",
                    codes=result.code_count,
                    missing=result.missing_codes[:50],
                )
        except UnicodeDecodeError:
            problem = "Berkas bukan teks UTF-8 (CSV)."
        except CatalogError as exc:
            problem = str(exc)
        response = page(request, "rules_catalog.html", who=who, result=result, problem=problem)
        response.status_code = 200 if result is not None else 422
        return response


def _numbered(text: str, by_line: dict[int, list[str]]) -> list[tuple[int | None, str, list[str]]]:
    """The lines around each error, numbered, with the errors under their line."""
    if not by_line:
        return []
    lines = text.splitlines()
    near = {n for line in by_line for n in range(max(1, line - 3), line + 4)}
    out: list[tuple[int | None, str, list[str]]] = []
    for n in sorted(k for k in near if k <= max(len(lines), 1)):
        if out and out[-1][0] is not None and out[-1][0] != n - 1:
            out.append((None, "", []))
        out.append((n, lines[n - 1] if n <= len(lines) else "", by_line.get(n, [])))
    return out


def _activity_url(key: str, draft_id: int) -> str:
    return f"/console/rules/activities/{key}?draft={draft_id}"
