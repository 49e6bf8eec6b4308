"""`siketan rules ...` (permit rules: validate, check, publish, history, rollback, import-kbli)."""

from __future__ import annotations

import typer

rules_app = typer.Typer(help="Permit rules: validate, check, publish, history, rollback.")
