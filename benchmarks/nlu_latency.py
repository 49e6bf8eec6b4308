"""NLU benchmark: training time, parse latency p50/p99 over the held-out set, evaluation numbers.

Run: .venv/bin/python benchmarks/nlu_latency.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nlu import NluEngine
from nlu.evaluate import TEST_INTENTS, evaluate, load_kbli_items
from nlu.rasa_yaml import load_rasa_file


def main() -> None:
    started = time.perf_counter()
    engine = NluEngine.train()
    train_s = time.perf_counter() - started
    texts = [e.text for e in load_rasa_file(TEST_INTENTS).examples]
    texts += [i.text for i in load_kbli_items()]
    for text in texts[:50]:  # warm-up
        engine.parse(text)
    timings: list[float] = []
    for _ in range(3):
        for text in texts:
            t0 = time.perf_counter()
            engine.parse(text)
            timings.append((time.perf_counter() - t0) * 1000)
    timings.sort()
    p50 = statistics.median(timings)
    p99 = timings[min(len(timings) - 1, int(len(timings) * 0.99))]
    report = evaluate(engine.parse, kbli_match=lambda t: [k.code for k in engine.kbli.match(t)])
    print(f"training time:   {train_s:.2f} s (classifier + KBLI index)")
    print(f"parse latency:   p50 {p50:.2f} ms, p99 {p99:.2f} ms over {len(timings)} parses")
    print(f"intent accuracy: {report.accuracy:.4f} (n={report.n_intent})")
    print(f"intent macro-F1: {report.macro_f1:.4f}")
    print(f"KBLI top-1:      {report.kbli_top1:.4f} (n={report.n_kbli})")
    print(f"KBLI top-3:      {report.kbli_top3:.4f}")


if __name__ == "__main__":
    main()
