"""KTP photo reading: how many NIKs and names come out exactly, and how long a photo takes.

Run: .venv/bin/python benchmarks/ktp_ocr.py [--count 120] [--seed 18] [--threads 1] [--show N]

The photos are synthetic (tests/ktp_synth.py: the KTP-el layout, random names, valid NIKs,
turned, skewed, unevenly lit, blurred, JPEG-compressed). A NIK "proposed wrong" is worse than
none (the citizen must notice it), so both are counted. Times are wall-clock on this machine,
one photo at a time, through the same decode + OCR + parse path the server uses.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dialogs.ktp_text import parse_ktp
from tests.ktp_synth import synthetic_set


def rss_mb() -> float:
    with open(f"/proc/{os.getpid()}/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=120)
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--show", type=int, default=5, help="print this many misreadings")
    args = parser.parse_args()

    made = time.perf_counter()
    cards = synthetic_set(args.count, seed=args.seed)
    print(f"synthetic set:   {len(cards)} photos in {time.perf_counter() - made:.1f} s")

    base_rss = rss_mb()
    t0 = time.perf_counter()
    from bot.ktp_reader import OcrEngine, bundled_models, decode_photo

    models = bundled_models()
    assert models is not None, "rapidocr is not installed"
    engine = OcrEngine(args.threads, models)
    engine.load()
    load_s = time.perf_counter() - t0
    loaded_rss = rss_mb()

    nik_ok = nik_wrong = name_ok = birth_ok = 0
    walls: list[float] = []
    cpus: list[float] = []
    shown = 0
    for card, jpeg, shot in cards:
        w0, c0 = time.perf_counter(), time.process_time()
        reading = parse_ktp(engine.read_boxes(decode_photo(jpeg, 40_000_000)))
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
        nik_ok += reading.nik == card.nik
        nik_wrong += bool(reading.nik) and reading.nik != card.nik
        name_ok += reading.name == card.name
        birth_ok += reading.birth_date == card.birth_date
        if (reading.nik != card.nik or reading.name != card.name) and shown < args.show:
            shown += 1
            print(
                f"  miss: nik {card.nik} -> {reading.nik or '-'}; "
                f"{card.name!r} -> {reading.name!r}; {shot}"
            )

    n = len(cards)
    walls.sort()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"engine load:     {load_s:.2f} s (import + models), RSS {base_rss:.0f} -> {loaded_rss:.0f} MB"
    )
    print(f"NIK exact:       {nik_ok}/{n} = {nik_ok / n:.1%}  (proposed but wrong: {nik_wrong})")
    print(f"name exact:      {name_ok}/{n} = {name_ok / n:.1%}")
    print(f"birth date:      {birth_ok}/{n} = {birth_ok / n:.1%}")
    print(
        f"time per image:  median {statistics.median(walls):.2f} s, "
        f"p90 {walls[int(0.9 * (n - 1))]:.2f} s, max {walls[-1]:.2f} s "
        f"(CPU {statistics.mean(cpus):.2f} s/image, {args.threads} onnxruntime thread(s))"
    )
    print(
        f"peak RSS:        {peak:.0f} MB; load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )


if __name__ == "__main__":
    main()
