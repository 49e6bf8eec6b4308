"""How to run `siketan` again from here, for the hints the program prints.

`make run` installs the command in `.venv/bin/`, which is rarely on the PATH: a hint that says
`siketan officers add ...` then answers "command not found". Hints name the command the way the
user can type it: bare when the PATH finds this very program, else its path.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path


def _shortest(path: Path) -> str:
    try:
        relative = path.relative_to(Path.cwd())
    except ValueError:
        return str(path)
    return str(relative) if os.sep in str(relative) else f".{os.sep}{relative}"


def siketan_command() -> str:
    """`siketan`, `.venv/bin/siketan`, or `.venv/bin/python -m bot` (tests run it that way)."""
    invoked = Path(sys.argv[0]).absolute()
    if invoked.name == "siketan":
        found = shutil.which("siketan")
        if found and Path(found).resolve() == invoked.resolve():
            return "siketan"
        return _shortest(invoked)
    return f"{_shortest(Path(sys.executable).absolute())} -m bot"
