"""Official names of Kota Probolinggo's kecamatan and kelurahan (from probolinggo_wilayah.csv)."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

WILAYAH_FILE = Path(__file__).resolve().parent / "data" / "probolinggo_wilayah.csv"


@dataclass(frozen=True, slots=True)
class Wilayah:
    kecamatan: tuple[str, ...]
    kelurahan: tuple[str, ...]
    kelurahan_kecamatan: dict[str, str]
    # kecamatan name -> its Kemendagri code without dots (357401...): the NIK's digits 1-6
    kecamatan_codes: dict[str, str] = field(default_factory=dict)


@lru_cache(maxsize=4)
def load_wilayah(path: Path = WILAYAH_FILE) -> Wilayah:
    kecamatan: list[str] = []
    kelurahan: list[str] = []
    parent: dict[str, str] = {}
    codes: dict[str, str] = {}
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            level = (row.get("level") or "").strip()
            name = (row.get("nama") or "").strip()
            if level == "kecamatan":
                kecamatan.append(name)
                codes[name] = (row.get("kode_nodot") or "").strip()
            elif level == "kelurahan":
                kelurahan.append(name)
                parent[name] = (row.get("kecamatan") or "").strip()
    return Wilayah(tuple(kecamatan), tuple(kelurahan), parent, codes)
