"""The rules editor over HTTP (in-process ASGI): validation errors at their field or line,
preview equal to `siketan rules check`, publish seen by a second app on the same database,
rollback, marking a rule checked, catalog import, audit entries."""

from __future__ import annotations

import asyncio
import html
import json
import re
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from bot.app import App
from bot.cli import app as cli
from permit_rules import RuleSet, default_rules_text
from storage.models import AuditEntry, RequirementCheck, RuleSetVersion
from tests.contract.test_console_http import make_officer, sign_in
from tests.helpers import FOOD_STALL_REQUIREMENTS, new_session, running_app, settings_for

pytestmark = pytest.mark.postgres
ACTIVITIES = RuleSet.from_yaml(default_rules_text()).activities
I_WARUNG = next(i for i, a in enumerate(ACTIVITIES) if a.kbli == "56101")  # KBLI 2025


async def new_draft(client: httpx.AsyncClient, csrf: str) -> int:
    r = await client.post("/console/rules/drafts", data={"csrf_token": csrf})
    assert r.status_code == 303, r.text
    found = re.search(r"/drafts/(\d+)$", r.headers["location"])
    assert found
    return int(found.group(1))


def permit_form(csrf: str, **changes: str) -> dict[str, str]:
    """The NIB form as the page fills it, with some fields changed."""
    base = "permits.NIB."
    values = {
        "name": "Nomor Induk Berusaha (NIB)",
        "kind": "perizinan_berusaha",
        "issuer": "Lembaga OSS",
        "where": "OSS",
        "documents": "KTP-el\nemail aktif",
        "due_working_days": "0",
        "fee": "gratis",
        "note": "",
        "legal_basis.regulation": "PP 28/2025",
        "legal_basis.article": "",
        "legal_basis.source": "dpmptsp.probolinggokota.go.id",
    }
    values.update(changes)
    return {"csrf_token": csrf, **{base + k: v for k, v in values.items()}}


def field_errors(html: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for name, message in re.findall(
        r'<span class="field-error" role="alert" data-for="([^"]+)">([^<]*)</span>', html
    ):
        found.setdefault(name, []).append(message)
    return found


async def draft_text(app: App, draft_id: int) -> str:
    async with app.sessions() as db:
        row = await db.get(RuleSetVersion, draft_id)
        assert row is not None
        return row.content


async def ask_requirements(client: httpx.AsyncClient) -> str:
    """A web-chat citizen runs the requirements guide for a food stall; the answer's text."""
    sid, auth = await new_session(client)
    url = f"/api/webchat/sessions/{sid}/messages"
    texts: list[str] = []
    for body in FOOD_STALL_REQUIREMENTS:
        r = await client.post(url, json=body, headers=auth)
        assert r.status_code == 200, r.text
        texts = [m["text"] for m in r.json()["messages"]]
    answer = "\n".join(texts)
    assert "Hasil cek izin" in answer, answer
    return answer


async def test_errors_show_at_their_field_or_line(db_url: str, tmp_path: Path) -> None:
    async with running_app(settings_for(db_url, tmp_path)) as (app, client):
        await make_officer(app, "ani", "admin")
        await make_officer(app, "budi")
        csrf = await sign_in(client, "ani")
        draft = await new_draft(client, csrf)
        before = await draft_text(app, draft)

        # Two bad fields in the permit form: each error sits next to its own field.
        r = await client.post(
            f"/console/rules/drafts/{draft}/permits/NIB",
            data=permit_form(csrf, due_working_days="400", name=""),
        )
        assert r.status_code == 422
        errors = field_errors(r.text)
        assert "365" in errors["permits.NIB.due_working_days"][0]
        assert errors["permits.NIB.name"]
        assert set(errors) == {"permits.NIB.due_working_days", "permits.NIB.name"}
        assert 'value="400"' in r.text  # what the admin typed is kept
        r = await client.post(
            f"/console/rules/drafts/{draft}/permits/NIB",
            data=permit_form(csrf, due_working_days="dua"),
        )
        assert r.status_code == 422
        assert list(field_errors(r.text)) == ["permits.NIB.due_working_days"]
        assert await draft_text(app, draft) == before  # nothing invalid is stored

        # The shipped rules have no risk row (PP 28/2025 levels wait for officers): add one.
        r = await client.post(
            f"/console/rules/drafts/{draft}/activities/{I_WARUNG}/risk/new",
            data={
                "csrf_token": csrf,
                f"activities[{I_WARUNG}].risk_rules[new].id": "56101-mikro",
                f"activities[{I_WARUNG}].risk_rules[new].risk_level": "rendah",
                f"activities[{I_WARUNG}].risk_rules[new].when.scale": "mikro",
                f"activities[{I_WARUNG}].risk_rules[new].legal_basis.regulation": "PP 28/2025",
                f"activities[{I_WARUNG}].risk_rules[new].legal_basis.source": "OSS",
            },
        )
        assert r.status_code == 303, r.text
        before = await draft_text(app, draft)
        # A risk row whose capital range is upside down: the error sits at that range.
        r = await client.post(
            f"/console/rules/drafts/{draft}/activities/{I_WARUNG}/risk/0",
            data={
                "csrf_token": csrf,
                f"activities[{I_WARUNG}].risk_rules[0].risk_level": "rendah",
                f"activities[{I_WARUNG}].risk_rules[0].when.scale": "mikro",
                f"activities[{I_WARUNG}].risk_rules[0].when.capital.min": "500000000",
                f"activities[{I_WARUNG}].risk_rules[0].when.capital.max": "100",
                f"activities[{I_WARUNG}].risk_rules[0].legal_basis.regulation": "PP 5/2021",
                f"activities[{I_WARUNG}].risk_rules[0].legal_basis.source": "panduan OSS",
            },
        )
        assert r.status_code == 422
        errors = field_errors(r.text)
        assert list(errors) == [f"activities[{I_WARUNG}].risk_rules[0].when.capital.min"]
        # In Indonesian, as every message of the editor.
        assert "batas bawah lebih besar dari batas atas" in errors[next(iter(errors))][0]

        # A new activity with a 4-digit code; then one with an everyday word another owns.
        for code, word, bad_field, message in (
            ("5610", "kantin", "activities[new].kbli", "bentuknya tidak sesuai"),
            ("56109", "warung bakso", "activities[new].everyday_words", "already a word for 56101"),
        ):
            r = await client.post(
                f"/console/rules/drafts/{draft}/activities",
                data={
                    "csrf_token": csrf,
                    "activities[new].kbli": code,
                    "activities[new].title": "Warung baru",
                    "activities[new].everyday_words": word,
                },
            )
            assert r.status_code == 422
            errors = field_errors(r.text)
            assert list(errors) == [bad_field], errors
            assert message in errors[bad_field][0]

        # The YAML editor runs the same validation: every error with its line.
        broken = before.replace("    due_working_days: 0\n", "    due_working_days: -1\n", 1)
        broken = broken.replace("    where: OSS\n", "    where: Kantor Pos\n", 1)
        r = await client.post(
            f"/console/rules/drafts/{draft}/yaml", data={"csrf_token": csrf, "content": broken}
        )
        assert r.status_code == 422
        lines = broken.splitlines()
        due_line = lines.index("    due_working_days: -1") + 1
        where_line = lines.index("    where: Kantor Pos") + 1
        assert f"baris {due_line}: permits.NIB.due_working_days:" in r.text
        assert f"baris {where_line}: permits.NIB.where:" in r.text
        assert f'id="line-{due_line}"' in r.text
        assert await draft_text(app, draft) == before

        # A valid edit is stored, keeps the file's comments, and lands in the audit log.
        r = await client.post(
            f"/console/rules/drafts/{draft}/activities",
            data={
                "csrf_token": csrf,
                "activities[new].kbli": "56109",
                "activities[new].title": "Penyediaan Makanan Lainnya",
                "activities[new].everyday_words": "kantin sekolah",
                "activities[new].support": "label_hsp_tidak_tetap",
            },
        )
        assert r.status_code == 303, r.text
        text = await draft_text(app, draft)
        assert RuleSet.from_yaml(text).activity_for("56109") is not None
        assert text.count("#") == before.count("#")

        # Marking a rule checked records who and when.
        r = await client.post(
            f"/console/rules/drafts/{draft}/verify",
            data={
                "csrf_token": csrf,
                "path": f"activities[{I_WARUNG}].risk_rules[0]",
                "checked": "1",
            },
        )
        assert r.status_code == 303
        rule = RuleSet.from_yaml(await draft_text(app, draft)).activities[I_WARUNG].risk_rules[0]
        assert rule.verified_by == "ani" and rule.verified_on is not None
        for path in (
            "support_groups.label_hsp_tidak_tetap[0]",
            "basic_requirements[0]",
            "permits.NIB",
        ):
            r = await client.post(
                f"/console/rules/drafts/{draft}/verify",
                data={"csrf_token": csrf, "path": path, "checked": "1"},
            )
            assert r.status_code == 303, path
        checked = RuleSet.from_yaml(await draft_text(app, draft))
        assert checked.support_groups["label_hsp_tidak_tetap"][0].verified_by == "ani"
        assert checked.basic_requirements[0].verified_by == "ani"
        assert checked.permits["NIB"].verified_on is not None
        r = await client.post(
            f"/console/rules/drafts/{draft}/verify",
            data={"csrf_token": csrf, "path": "meta.name", "checked": "1"},
        )
        assert r.status_code == 422

        # Officers (not admins) cannot use the editor.
        budi = httpx.AsyncClient(transport=client._transport, base_url=str(client.base_url))
        async with budi:
            budi_csrf = await sign_in(budi, "budi")
            assert (await budi.get("/console/rules")).status_code == 403
            r = await budi.post("/console/rules/drafts", data={"csrf_token": budi_csrf})
            assert r.status_code == 403

        async with app.sessions() as db:
            actions = set((await db.scalars(select(AuditEntry.action))).all())
        assert {"rules.draft.create", "rules.activity.add", "rules.verify"} <= actions


async def test_preview_matches_rules_check(db_url: str, tmp_path: Path) -> None:
    async with running_app(settings_for(db_url, tmp_path)) as (app, client):
        await make_officer(app, "ani", "admin")
        csrf = await sign_in(client, "ani")
        draft = await new_draft(client, csrf)
        r = await client.post(
            f"/console/rules/drafts/{draft}/permits/NIB",
            data=permit_form(csrf, due_working_days="3"),
        )
        assert r.status_code == 303, r.text
        query = "kbli=56101&capital=50000000&land=40&date=2026-12-01"
        r = await client.get(f"/console/rules/drafts/{draft}/preview.json?{query}")
        assert r.status_code == 200
        preview = r.json()
        page = await client.get(f"/console/rules/drafts/{draft}/preview?{query}")
        assert 'id="preview-draft"' in page.text and "3 hari kerja" in page.text

    args = ["rules", "check", "--kbli", "56101", "--capital", "50000000", "--land", "40"]
    args += ["--date", "2026-12-01", "--json"]
    result = await asyncio.to_thread(
        CliRunner().invoke, cli, args, env={"SIKETAN__DATABASE__URL": db_url}
    )
    assert result.exit_code == 0, result.output
    assert preview["published"] == json.loads(result.stdout)
    nib = next(p for p in preview["draft"]["permits"] if p["code"] == "NIB")
    assert nib["due_working_days"] == 3 and nib["due_date"] == "2026-12-04"
    assert preview["draft"]["rule_set_version"] == preview["published"]["rule_set_version"] + 1


async def test_publish_reaches_another_app_and_rollback(db_url: str, tmp_path: Path) -> None:
    # Two apps on one database, as two server processes would be: the console on one, the
    # citizen on the other.
    console_settings = settings_for(db_url, tmp_path / "a")
    bot_settings = settings_for(db_url, tmp_path / "b")
    async with (
        running_app(console_settings) as (console_app, console),
        running_app(bot_settings) as (_, bot),
    ):
        await make_officer(console_app, "ani", "admin")
        csrf = await sign_in(console, "ani")
        first = await ask_requirements(bot)
        assert "hari itu juga" in first and "versi 1" in first

        draft = await new_draft(console, csrf)
        r = await console.post(
            f"/console/rules/drafts/{draft}/permits/NIB",
            data=permit_form(csrf, due_working_days="3"),
        )
        assert r.status_code == 303
        diff = await console.get(f"/console/rules/drafts/{draft}")
        assert "-    due_working_days: 0" in diff.text and "+    due_working_days: 3" in diff.text
        # Publishing asks first, saying what changes for citizens.
        url = f"/console/rules/drafts/{draft}/publish"
        r = await console.post(url, data={"csrf_token": csrf})
        assert r.status_code == 200 and "published=" not in r.text
        changes = re.findall(r"<li>([^<]+)</li>", r.text.split('id="citizen-changes"', 1)[1])
        assert changes[0].startswith("Izin NIB: waktu layanan") and "0 → 3" in changes[0]
        assert all(c.startswith("Izin NIB: ") for c in changes)  # what the form changed
        r = await console.post(url, data={"csrf_token": csrf, "confirmed": "1"})
        assert r.status_code == 303 and r.headers["location"].endswith("published=2")

        second = await ask_requirements(bot)
        assert "3 hari kerja" in second and "versi 2" in second

        # So does a rollback (it changes every citizen's answers), and nothing happens yet.
        r = await console.post("/console/rules/rollback", data={"csrf_token": csrf, "number": 1})
        assert r.status_code == 200 and "3 → 0" in r.text
        assert "3 hari kerja" in await ask_requirements(bot)
        r = await console.post(
            "/console/rules/rollback", data={"csrf_token": csrf, "number": 1, "confirmed": "1"}
        )
        assert r.status_code == 303 and r.headers["location"].endswith("published=3")
        third = await ask_requirements(bot)
        assert "hari itu juga" in third and "versi 3" in third

        index = await console.get("/console/rules")
        assert '<strong id="active-version">3</strong>' in index.text
        assert "kembali ke versi 1" in index.text
        # A published version never changes: publishing the same draft again is refused.
        r = await console.post(f"/console/rules/drafts/{draft}/publish", data={"csrf_token": csrf})
        assert r.status_code == 404

        async with console_app.sessions() as db:
            checks = (
                await db.scalars(select(RequirementCheck).order_by(RequirementCheck.id))
            ).all()
            actions = (await db.scalars(select(AuditEntry.action))).all()
        assert [(c.kbli, c.rule_set_version, c.channel) for c in checks] == [
            ("56101", 1, "webchat"),
            ("56101", 2, "webchat"),
            ("56101", 2, "webchat"),  # asked while the rollback waited for its confirmation
            ("56101", 3, "webchat"),
        ]
        assert {"rules.permit.edit", "rules.publish", "rules.rollback"} <= set(actions)


async def test_a_save_writes_and_audits_only_what_changed(db_url: str, tmp_path: Path) -> None:
    async with running_app(settings_for(db_url, tmp_path)) as (app, client):
        await make_officer(app, "ani", "admin")
        csrf = await sign_in(client, "ani")
        draft = await new_draft(client, csrf)
        before = await draft_text(app, draft)
        page = await client.get(f"/console/rules/permits/NIB?draft={draft}")
        # The form exactly as the page fills it, with one field changed.
        form = {"csrf_token": csrf}
        for name, value in re.findall(r'name="(permits\.NIB\.[^"]+)" value="([^"]*)"', page.text):
            form[name] = value
        for name, value in re.findall(
            r'name="(permits\.NIB\.[^"]+)"[^>]*>([^<]*)</textarea>', page.text
        ):
            form[name] = value
        for name, value in re.findall(
            r'name="(permits\.NIB\.[^"]+)">\s*(?:<option[^>]*>[^<]*</option>)*?'
            r'<option value="([^"]*)" selected',
            page.text,
        ):
            form[name] = value
        form = {k: html.unescape(v) for k, v in form.items()}
        form["permits.NIB.due_working_days"] = "4"
        r = await client.post(f"/console/rules/drafts/{draft}/permits/NIB", data=form)
        assert r.status_code == 303, r.text
        after = await draft_text(app, draft)
        changed = [
            (a, b) for a, b in zip(before.splitlines(), after.splitlines(), strict=True) if a != b
        ]
        assert changed == [("    due_working_days: 0", "    due_working_days: 4")]
        async with app.sessions() as db:
            entry = (
                await db.scalars(select(AuditEntry).where(AuditEntry.action == "rules.permit.edit"))
            ).one()
        assert entry.detail["paths"] == ["permits.NIB.due_working_days"]
        # Saving the same form again changes nothing and is not audited again.
        r = await client.post(f"/console/rules/drafts/{draft}/permits/NIB", data=form)
        assert r.status_code == 303 and await draft_text(app, draft) == after


async def test_catalog_import_reports_missing_codes(db_url: str, tmp_path: Path) -> None:
    async with running_app(settings_for(db_url, tmp_path)) as (app, client):
        await make_officer(app, "ani", "admin")
        csrf = await sign_in(client, "ani")
        csv_text = "code,title\n56102,Bangunan Tidak Tetap\n56101,Bangunan Tetap\n"
        r = await client.post(
            "/console/rules/catalog",
            data={"csrf_token": csrf, "version": "KBLI2025"},
            files={"file": ("kbli.csv", csv_text.encode(), "text/csv")},
        )
        assert r.status_code == 200, r.text
        missing = re.findall(r'<li><a href="/console/rules/activities/([^"]+)">', r.text)
        assert "56290" in missing and "56102" not in missing and "56101" not in missing
        bad = await client.post(
            "/console/rules/catalog",
            data={"csrf_token": csrf, "version": "X"},
            files={"file": ("kbli.csv", b"\xff\xfe\x00", "text/csv")},
        )
        assert bad.status_code == 422 and "Katalog tidak diimpor" in bad.text
        async with app.sessions() as db:
            actions = (await db.scalars(select(AuditEntry.action))).all()
        assert "rules.catalog.import" in actions
