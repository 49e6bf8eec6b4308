"""`siketan` command line: serve, chat, db, rules, nlu."""

from __future__ import annotations

import typer

from bot.cli_nlu import nlu_app
from bot.cli_rules import rules_app

app = typer.Typer(help="SIKETAN: virtual licensing counter of DPMPTSP Kota Probolinggo.")
app.add_typer(rules_app, name="rules")
app.add_typer(nlu_app, name="nlu")


def main() -> None:
    app()
