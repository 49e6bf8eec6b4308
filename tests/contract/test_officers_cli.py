"""`siketan officers add|list|disable` against a real (migrated) database."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app


def test_add_list_disable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIKETAN__DATABASE__URL", f"sqlite+aiosqlite:///{tmp_path / 'o.db'}")
    monkeypatch.setenv("PW", "rahasia-yang-panjang-1")
    runner = CliRunner()
    added = runner.invoke(
        app, ["officers", "add", "ani", "--role", "admin", "--password-env", "PW"]
    )
    assert added.exit_code == 0, added.output
    assert "created admin 'ani'" in added.output
    again = runner.invoke(app, ["officers", "add", "ani", "--password-env", "PW"])
    assert again.exit_code == 2
    listed = runner.invoke(app, ["officers", "list"])
    assert "ani\tadmin\tactive" in listed.output
    assert "rahasia" not in listed.output
    disabled = runner.invoke(app, ["officers", "disable", "ani"])
    assert disabled.exit_code == 0
    assert "ani\tadmin\tdisabled" in runner.invoke(app, ["officers", "list"]).output
    missing = runner.invoke(app, ["officers", "disable", "budi"])
    assert missing.exit_code == 1
