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


def test_check_json_kbli_2025(db_env: Path) -> None:
    res = runner.invoke(
        rules_app,
        ["check", "--kbli", "56101", "--capital", "50000000", "--land", "40", "--json",
         "--date", "2025-12-24"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["kbli"] == "56101" and data["kbli_version"] == "KBLI2025"
    assert data["converted_from"] is None and "kbli_lookup" not in data
    assert data["kbli_title"] == "Aktivitas Penyediaan Makanan di Bangunan Tetap"
    assert data["risk_level"] is None and data["needs_officer"] is True
    assert data["scale"] == "mikro" and data["scale_basis"] == "capital"
    assert data["rule_set_version"] == 1 and data["unverified"] is True
    assert data["permits"][0]["code"] == "NIB" and data["permits"][0]["fee"] == "gratis"
    text = runner.invoke(rules_app, ["check", "--kbli", "56101", "--capital", "50000000"])
    assert "KBLI 2025 56101 - Aktivitas Penyediaan Makanan di Bangunan Tetap" in text.output
    assert "Petunjuk untuk petugas" in text.output and "Rendah" in text.output


def test_check_converts_a_kbli_2020_code_and_says_so(db_env: Path) -> None:
    res = runner.invoke(rules_app, ["check", "--kbli", "2020:56102", "--capital", "1", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["kbli"] == "56101" and data["kbli_version"] == "KBLI2025"
    assert data["converted_from"] == {"kbli": "56102", "kbli_version": "KBLI2020"}
    assert [c["kbli"] for c in data["kbli_lookup"]["intermediation"]] == ["56400"]
    text = runner.invoke(rules_app, ["check", "--kbli", "KBLI 2020 56102", "--capital", "1"])
    assert "KBLI 2020 56102 (Rumah/Warung Makan) dalam KBLI 2025: 56101" in text.output
    assert "NIB yang sudah terbit tetap berlaku" in text.output


def test_check_one_to_many_lists_the_choices(db_env: Path) -> None:
    res = runner.invoke(rules_app, ["check", "--kbli", "2020:82190", "--capital", "1", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert "kbli" not in data  # nothing judged before the person chooses
    assert [c["kbli"] for c in data["kbli_lookup"]["choices"]] == ["18111", "82100"]
    text = runner.invoke(rules_app, ["check", "--kbli", "2020:82190"])
    assert "pilih salah satu: 18111" in text.output and "82100" in text.output


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("5610", "bukan kode kegiatan"),
        ("561", "bukan kode kegiatan"),
        ("561011", "lebih dari 5 angka"),
        ("2019:56101", "tidak dikenal"),
        ("KBLI 2030 56101", "tidak dikenal"),
        ("warung", "bukan kode KBLI"),
        ("", "belum diisi"),
    ],
)
def test_bad_codes_get_a_clear_answer_never_a_guess(db_env: Path, typed: str, said: str) -> None:
    res = runner.invoke(rules_app, ["check", "--kbli", typed, "--capital", "1"])
    assert res.exit_code == 2
    assert said in res.output
    as_json = runner.invoke(rules_app, ["check", "--kbli", typed, "--json"])
    assert json.loads(as_json.stdout)["kbli_lookup"]["status"] == "bad_input"


def test_a_group_code_lists_the_codes_inside(db_env: Path) -> None:
    res = runner.invoke(rules_app, ["check", "--kbli", "5610", "--json"])
    data = json.loads(res.stdout)["kbli_lookup"]
    assert [c["kbli"] for c in data["group_codes"]] == ["56101", "56102"]


@pytest.mark.parametrize("typed", ["56.101", "56 101", " 56101 ", "2025:56101", "kbli 2025 56101"])
def test_dots_and_spaces_are_read(db_env: Path, typed: str) -> None:
    res = runner.invoke(rules_app, ["check", "--kbli", typed, "--capital", "1", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["kbli"] == "56101"


def test_unknown_and_unconvertible_codes_exit_zero_with_needs_officer(db_env: Path) -> None:
    for typed, status in (("99999", "unknown_code"), ("2020:99999", "unknown_code"),
                          ("2020:01111", "no_edge")):  # fmt: skip
        res = runner.invoke(rules_app, ["check", "--kbli", typed, "--capital", "1", "--json"])
        assert res.exit_code == 0, res.output
        data = json.loads(res.output)
        assert data["needs_officer"] is True and data["risk_level"] is None
        assert data["kbli_lookup"]["status"] == status
        assert data["kbli_title"] is None  # 01111 is never read as a KBLI 2025 code


def test_sales_only_is_an_officer_check(db_env: Path) -> None:
    res = runner.invoke(rules_app, ["check", "--kbli", "96100", "--sales", "2000000001", "--json"])
    data = json.loads(res.output)
    assert data["scale"] is None and data["needs_officer"] is True
    assert data["missing_inputs"][0] == "capital"


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
    csv_file.write_text("code,title\n56101,Warung\n96100,Penatu\n", encoding="utf-8")
    imp = runner.invoke(rules_app, ["import-kbli", str(csv_file), "--version", "KBLI2025"])
    assert imp.exit_code == 0, imp.output
    assert "KBLI2025" in imp.output and "56290" in imp.output and "96100," not in imp.output
    bad = db_env / "bad.csv"
    bad.write_text("kode,judul\n1,x\n", encoding="utf-8")
    assert runner.invoke(rules_app, ["import-kbli", str(bad), "--version", "X"]).exit_code == 1


def test_import_correspondence_loads_a_good_table_and_refuses_a_bad_one_whole(
    db_env: Path,
) -> None:
    def converts_to(code: str) -> list[str]:
        res = runner.invoke(rules_app, ["check", "--kbli", f"2020:{code}", "--json"])
        return [c["kbli"] for c in json.loads(res.stdout)["kbli_lookup"]["choices"]]

    assert converts_to("01111") == []  # the shipped table has no edge for it
    bad = db_env / "bad.csv"
    bad.write_text(
        "kbli2020,kbli2025,note\n01111,01111,ok\n01111,01111,twice\n99999,01111,\n01112,0111,\n",
        encoding="utf-8",
    )
    res = runner.invoke(rules_app, ["import-kbli-correspondence", str(bad)])
    assert res.exit_code == 1
    assert f"{bad}:3: edge 01111 -> 01111 appears twice" in res.output
    assert f"{bad}:4: kbli2020 99999 is not in KBLI2020" in res.output
    assert f"{bad}:5: kbli2025 '0111' is not a 5-digit code" in res.output
    assert "3 kesalahan; tabel tidak dimuat." in res.output
    assert converts_to("01111") == []  # nothing was loaded
    no_columns = db_env / "cols.csv"
    no_columns.write_text("old,new\n01111,01111\n", encoding="utf-8")
    res = runner.invoke(rules_app, ["import-kbli-correspondence", str(no_columns)])
    assert res.exit_code == 1 and f"{no_columns}:1: missing column(s)" in res.output

    good = db_env / "good.csv"
    good.write_text(
        "kbli2020,kbli2025,note,kbli2020_title,kbli2025_title\n"
        "01111,01111,one-to-one,Pertanian Jagung,PERTANIAN JAGUNG\n"
        "47919,47192,1-to-2,x,y\n47919,47212,1-to-2,x,y\n",
        encoding="utf-8",
    )
    res = runner.invoke(rules_app, ["import-kbli-correspondence", str(good), "--by", "ani"])
    assert res.exit_code == 0, res.output
    assert "3 pasangan untuk 2 kode KBLI 2020" in res.output
    assert converts_to("01111") == ["01111"]
    assert converts_to("47919") == ["47192", "47212"]  # one-to-many kept
    assert converts_to("56102") == []  # the imported table replaced the shipped one
