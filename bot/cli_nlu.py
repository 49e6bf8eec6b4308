"""`siketan nlu ...` (parse, train, evaluate)."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Annotated

import typer

__all__ = ["nlu_app"]

nlu_app = typer.Typer(help="Language understanding: parse, train, evaluate.")

DEFAULT_MODEL = Path("var/nlu-model.joblib")
ModelOpt = Annotated[Path, typer.Option("--model", help="Model artifact (trained if absent).")]
OutOpt = Annotated[Path, typer.Option("--out", help="Where to write the model artifact.")]
IfMissingOpt = Annotated[bool, typer.Option("--if-missing", help="Do nothing if OUT exists.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the full report as JSON.")]


@nlu_app.command("parse")
def parse_cmd(
    model: ModelOpt = DEFAULT_MODEL,
) -> None:
    """Read UTF-8 lines on stdin; write one Rasa-shaped JSON object per line."""
    from nlu import build_default_engine

    engine = build_default_engine(model)
    stdin = sys.stdin.buffer if hasattr(sys.stdin, "buffer") else None
    lines = (
        (raw.decode("utf-8", errors="replace") for raw in stdin) if stdin is not None else sys.stdin
    )
    for line in lines:
        result = engine.parse(line.rstrip("\r\n"))
        sys.stdout.write(json.dumps(result.to_dict(), ensure_ascii=False) + "\n")
        sys.stdout.flush()


@nlu_app.command("train")
def train_cmd(
    out: OutOpt = DEFAULT_MODEL,
    if_missing: IfMissingOpt = False,
) -> None:
    """Train the embedded classifier and write the model artifact."""
    if if_missing and out.exists():
        typer.echo(f"{out} exists; nothing to do")
        return
    from nlu import NluEngine

    started = time.perf_counter()
    engine = NluEngine.train()
    engine.save(out)
    typer.echo(f"trained in {time.perf_counter() - started:.2f}s; wrote {out}")


@nlu_app.command("evaluate")
def evaluate_cmd(
    model: ModelOpt = DEFAULT_MODEL,
    as_json: JsonOpt = False,
) -> None:
    """Accuracy, macro-F1, confusion and KBLI top-1/top-3 on the held-out test set."""
    from nlu import build_default_engine
    from nlu.evaluate import evaluate

    engine = build_default_engine(model)
    report = evaluate(engine.parse, kbli_match=lambda t: [k.code for k in engine.kbli.match(t)])
    if as_json:
        typer.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
        return
    typer.echo(f"intent: n={report.n_intent} accuracy={report.accuracy:.4f} "
               f"macro_f1={report.macro_f1:.4f}")  # fmt: skip
    typer.echo(f"kbli:   n={report.n_kbli} top1={report.kbli_top1:.4f} top3={report.kbli_top3:.4f}")
    typer.echo("per-intent (precision recall f1 support) and confusions:")
    for label, m in report.per_intent.items():
        confused = {k: v for k, v in report.confusion.get(label, {}).items() if k != label}
        typer.echo(f"  {label:18s} {m['precision']:.3f} {m['recall']:.3f} {m['f1']:.3f} "
                   f"{int(m['support']):4d}  {confused or ''}")  # fmt: skip
