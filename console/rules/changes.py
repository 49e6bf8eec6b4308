"""What changes for citizens between two rule sets, in words an admin checks before publishing
or rolling back (every citizen's next answer comes from the new version)."""

from __future__ import annotations

from typing import Any

from permit_rules import RuleSet

PERMIT_FIELDS = {
    "name": "nama",
    "due_working_days": "waktu layanan (hari kerja)",
    "fee": "biaya",
    "documents": "dokumen",
    "where": "tempat pengajuan",
    "issuer": "penerbit",
    "note": "catatan",
    "legal_basis": "dasar hukum",
}
ACTIVITY_PARTS = {
    "title": "nama kegiatan",
    "everyday_words": "kata sehari-hari",
    "support": "kelompok izin pendukung",
    "supporting_permits": "izin pendukung",
    "risk_rules": "aturan tingkat risiko",
    "note": "catatan",
}


def _shown(value: Any) -> str:
    if value is None or value == () or value == []:
        return "kosong"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(str(v) for v in value.values() if v)
    return str(value)


def _permits(old: RuleSet, new: RuleSet) -> list[str]:
    lines = []
    for code in sorted(set(old.permits) | set(new.permits)):
        before, after = old.permits.get(code), new.permits.get(code)
        if before is None and after is not None:
            lines.append(f"Izin baru {code}: {after.name}")
        elif after is None and before is not None:
            lines.append(f"Izin {code} dihapus ({before.name})")
        elif before is not None and after is not None:
            a, b = before.model_dump(mode="json"), after.model_dump(mode="json")
            for key, words in PERMIT_FIELDS.items():
                if a.get(key) != b.get(key):
                    was, now = _shown(a.get(key)), _shown(b.get(key))
                    lines.append(f"Izin {code}: {words} {was} → {now}")
    return lines


def _activities(old: RuleSet, new: RuleSet) -> list[str]:
    before = {a.key: a for a in old.activities}
    after = {a.key: a for a in new.activities}
    lines = [f"Kegiatan baru {k}: {after[k].title}" for k in after if k not in before]
    lines += [f"Kegiatan {k} dihapus ({before[k].title})" for k in before if k not in after]
    for key in after.keys() & before.keys():
        a, b = before[key].model_dump(mode="json"), after[key].model_dump(mode="json")
        changed = [words for part, words in ACTIVITY_PARTS.items() if a.get(part) != b.get(part)]
        if changed:
            lines.append(f"Kegiatan {key} {after[key].title}: {', '.join(changed)} berubah")
    return sorted(lines)


def citizen_changes(old: RuleSet, new: RuleSet) -> list[str]:
    """One line per change a citizen's answer can show (empty: the answers stay the same)."""
    lines = _permits(old, new) + _activities(old, new)
    for name, words in (("basic_requirements", "persyaratan dasar"), ("support_groups", "")):
        if getattr(old, name) != getattr(new, name):
            lines.append(f"{words or 'kelompok izin pendukung'} berubah".capitalize())
    return lines
