"""Rule validation messages in Indonesian for the editor (the rule engine reports in English,
as the CLI does)."""

from __future__ import annotations

import re

from permit_rules import RuleError

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), t)
    for p, t in (
        (r"^Input should be greater than or equal to (\S+)$", "harus {0} atau lebih"),
        (r"^Input should be less than or equal to (\S+)$", "paling banyak {0}"),
        (r"^Input should be greater than (\S+)$", "harus lebih dari {0}"),
        (r"^Input should be a valid integer.*$", "harus bilangan bulat"),
        (r"^Input should be a valid number.*$", "harus angka"),
        (r"^Input should be a valid string.*$", "harus teks"),
        (r"^Input should be a valid date.*$", "harus tanggal (TTTT-BB-HH)"),
        (r"^Input should be a valid (list|tuple).*$", "harus daftar"),
        (r"^Input should be (.+)$", "pilih salah satu: {0}"),
        (r"^Field required$", "wajib diisi"),
        (r"^Extra inputs are not permitted$", "kunci ini tidak dikenal"),
        (r"^String should have at least (\d+) characters?$", "paling sedikit {0} karakter"),
        (r"^String should match pattern .*$", "bentuknya tidak sesuai"),
        (r"^Value error, min is greater than max$", "batas bawah lebih besar dari batas atas"),
        (r"^Value error, give min, max or both$", "isi batas bawah, batas atas, atau keduanya"),
        (r"^unknown permit '([^']+)'.*$", "izin {0} tidak ada di katalog izin"),
        (r"^rule id '([^']+)' is used twice.*$", "kode aturan {0} sudah dipakai"),
        (r"^activity (\S+) is defined twice.*$", "kegiatan {0} sudah ada"),
        (r"^unknown support group '([^']+)'$", "kelompok izin pendukung {0} tidak ada"),
        (r"^key appears twice in the same mapping$", "kunci ini muncul dua kali"),
        (r"^YAML syntax: (.*)$", "YAML tidak dapat dibaca: {0}"),
    )
)


def indonesian(message: str) -> str:
    for pattern, words in _PATTERNS:
        found = pattern.match(message)
        if found:
            return words.format(*found.groups())
    return message


def translated(errors: list[RuleError]) -> list[RuleError]:
    return [RuleError(e.file, e.line, e.path, indonesian(e.message)) for e in errors]
