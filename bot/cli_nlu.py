"""`siketan nlu ...` (parse, train, evaluate)."""

from __future__ import annotations

import typer

nlu_app = typer.Typer(help="Language understanding: parse, train, evaluate.")
