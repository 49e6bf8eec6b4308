"""`make test` sets up the browser the browser tests need, or stops at once saying how.

Both paths run the Makefile's real recipe; only `apt-get` (the outside world) is a stand-in that
records its arguments and "installs" Chromium where the recipe expects it.
"""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

from tests.helpers import REPO

FAKE_APT = """#!/bin/sh
echo "$*" >> "{calls}"
case "$*" in *install*) printf '#!/bin/sh\\n' > "{chromium}"; chmod +x "{chromium}";; esac
"""


def make_chromium(
    tmp_path: Path, uid: int, *goals: str
) -> tuple[subprocess.CompletedProcess[str], Path]:
    calls = tmp_path / "apt-calls"
    chromium = tmp_path / "chromium"
    apt = tmp_path / "bin" / "apt-get"
    apt.parent.mkdir()
    apt.write_text(FAKE_APT.format(calls=calls, chromium=chromium))
    apt.chmod(apt.stat().st_mode | stat.S_IEXEC)
    env = {**os.environ, "PATH": f"{apt.parent}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(
        ["make", "-s", "--no-print-directory", *goals, f"CHROMIUM={chromium}", f"UID={uid}"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    return done, calls


def test_as_root_it_installs_debians_chromium(tmp_path: Path) -> None:
    done, calls = make_chromium(tmp_path, 0, "chromium")
    assert done.returncode == 0, done.stderr
    assert calls.read_text().splitlines() == ["update -qq", "install -y -qq chromium"]
    assert (tmp_path / "chromium").exists()


def test_otherwise_it_stops_at_once_with_the_command(tmp_path: Path) -> None:
    done, calls = make_chromium(tmp_path, 1000, "chromium")
    assert done.returncode != 0
    assert "sudo apt-get update && sudo apt-get install -y chromium" in done.stderr
    assert not calls.exists()  # nothing was attempted behind the user's back


def test_make_test_checks_chromium_before_anything_else() -> None:
    # A dry run prints the recipes in the order they would run; nothing is executed.
    plan = subprocess.run(
        ["make", "-n", "--no-print-directory", "test", "CHROMIUM=/nonexistent/chromium", "UID=1000"],
        cwd=REPO, capture_output=True, text=True, timeout=60,
    ).stdout  # fmt: skip
    assert "sudo apt-get install -y chromium" in plan
    assert plan.index("sudo apt-get install -y chromium") < plan.index("ruff check")
    assert plan.index("sudo apt-get install -y chromium") < plan.index("pytest")
