"""Hints name the `siketan` command the way the user can type it (issue 16, first contact)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from bot.invocation import siketan_command


def _program(tmp_path: Path) -> Path:
    program = tmp_path / ".venv" / "bin" / "siketan"
    program.parent.mkdir(parents=True)
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    return program


def test_not_on_path_the_hint_names_its_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    program = _program(tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", [str(program), "serve"])
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    assert siketan_command() == ".venv/bin/siketan"


def test_on_path_the_hint_is_the_bare_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    program = _program(tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", [str(program), "serve"])
    monkeypatch.setenv("PATH", f"{program.parent}:/usr/bin:/bin")
    assert siketan_command() == "siketan"


def test_run_as_a_module_the_hint_is_the_module_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "argv", [str(Path("bot/__main__.py").absolute()), "serve"])
    assert siketan_command().endswith(" -m bot")
