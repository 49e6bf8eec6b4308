"""`siketan rules ...` against a temporary SQLite database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli_rules import rules_app

DATA = Path(__file__).resolve().parent.parent / "data" / "rules"
runner = CliRunner()


@pytest.fixture
def db_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SIKETAN__DATABASE__URL", f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    return tmp_path


def test_validate_default_and_malformed() -> None:
    ok = runner.invoke(rules_app, ["validate"])
    assert ok.exit_code == 0, ok.output
    bad = runner.invoke(rules_app, ["validate", str(DATA / "malformed.yaml")])
    assert bad.exit_code == 1
    assert "malformed.yaml:10: permits.NIB.where" in bad.output
    assert "malformed.yaml:25:" in bad.output


def test_check_json_and_history(db_env: Path) -> None:
    res = runner.invoke(
        rules_app,
        ["check", "--kbli", "56102", "--capital", "50000000", "--land", "40", "--json",
         "--date", "2025-12-24"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["risk_level"] == "rendah" and data["scale"] == "mikro"
    assert data["rule_set_version"] == 1 and data["unverified"] is True
    assert data["permits"][0]["code"] == "NIB" and data["permits"][0]["fee"] == "gratis"
    text = runner.invoke(rules_app, ["check", "--kbli", "56102", "--capital", "50000000"])
    assert "Tingkat risiko: Rendah" in text.output


def test_unknown_kbli_exits_zero_with_needs_officer(db_env: Path) -> None:
    res = runner.invoke(rules_app, ["check", "--kbli", "99999", "--capital", "1", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["needs_officer"] is True and data["risk_level"] is None


def test_sales_only_means_existing_business(db_env: Path) -> None:
    res = runner.invoke(rules_app, ["check", "--kbli", "96200", "--sales", "2000000001", "--json"])
    data = json.loads(res.output)
    assert data["scale"] == "kecil" and data["scale_basis"] == "annual_sales"


def test_publish_rollback_history_import(db_env: Path) -> None:
    assert (
        runner.invoke(rules_app, ["publish", str(DATA / "sample.yaml"), "--by", "budi"]).exit_code
        == 0
    )
    res = runner.invoke(rules_app, ["check", "--kbli", "56101", "--capital", "1", "--json"])
    assert json.loads(res.output)["rule_set_version"] == 2
    rb = runner.invoke(rules_app, ["rollback", "1", "--by", "ani"])
    assert rb.exit_code == 0 and "versi 3" in rb.output
    hist = json.loads(runner.invoke(rules_app, ["history", "--json"]).output)
    assert [h["number"] for h in hist] == [1, 2, 3]
    assert (
        hist[2]["rolled_back_from"] == 1 and hist[2]["active"] and hist[2]["published_by"] == "ani"
    )
    assert hist[2]["sha256"] == hist[0]["sha256"]
    assert runner.invoke(rules_app, ["rollback", "42"]).exit_code == 1
    assert runner.invoke(rules_app, ["publish", str(DATA / "malformed.yaml")]).exit_code == 1
    csv_file = db_env / "k.csv"
    csv_file.write_text("code,title\n56102,Warung\n96200,Penatu\n", encoding="utf-8")
    imp = runner.invoke(rules_app, ["import-kbli", str(csv_file), "--version", "KBLI2025"])
    assert imp.exit_code == 0, imp.output
    assert "KBLI2025" in imp.output and "56290" in imp.output and "96200," not in imp.output
    bad = db_env / "bad.csv"
    bad.write_text("kode,judul\n1,x\n", encoding="utf-8")
    assert runner.invoke(rules_app, ["import-kbli", str(bad), "--version", "X"]).exit_code == 1
