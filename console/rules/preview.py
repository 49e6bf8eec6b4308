"""The preview form: a sample business (the same inputs as `siketan rules check`) and the
decision a rule set gives it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from dialogs.validators import parse_area, parse_money
from permit_rules import BusinessProfile, RuleSet, decision_to_json, evaluate

FIELD_NAMES = {
    "capital": "modal",
    "sales": "penjualan tahunan",
    "land": "luas lahan",
    "workers": "pekerja",
}


def _number(params: Mapping[str, Any], name: str) -> float | None:
    """The same reading of amounts as the bot's ("30 juta", "Rp30.000.000", "50 m2")."""
    raw = str(params.get(name) or "").strip()
    if not raw:
        return None
    parse = parse_money if name in ("capital", "sales") else parse_area
    value = parse(raw) if name != "workers" else (int(raw) if raw.isdigit() else None)
    if value is None:
        raise ValueError(f"{FIELD_NAMES[name]}: isi dengan angka, mis. 30 juta")
    return float(value)


def _conditions(raw: str) -> dict[str, str]:
    conditions: dict[str, str] = {}
    for line in raw.replace(",", "\n").splitlines():
        key, sep, value = line.partition("=")
        if line.strip() and not sep:
            raise ValueError("kondisi ditulis KUNCI=NILAI, mis. product=packaged_food")
        if key.strip():
            conditions[key.strip()] = value.strip()
    return conditions


def _day(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        raise ValueError("tanggal ditulis TTTT-BB-HH") from None


def profile_from(params: Mapping[str, Any]) -> tuple[BusinessProfile, date | None]:
    """A sample business from the preview form; ValueError names the field that is wrong."""
    conditions = _conditions(str(params.get("conditions") or ""))
    capital, sales = _number(params, "capital"), _number(params, "sales")
    existed = str(params.get("existed") or "")
    before = existed == "1" if existed else (sales is not None and capital is None)
    day = _day(str(params.get("date") or "").strip())
    land, workers = _number(params, "land"), _number(params, "workers")
    profile = BusinessProfile(
        kbli=str(params.get("kbli") or "").strip(),
        capital=int(capital) if capital is not None else None,
        annual_sales=int(sales) if sales is not None else None,
        existed_before_2021=before,
        land_area_m2=land,
        workers=int(workers) if workers is not None else None,
        conditions=conditions,
    )
    return profile, day


def decide(
    rule_set: RuleSet, version: int, profile: BusinessProfile, day: date | None
) -> dict[str, Any]:
    return decision_to_json(evaluate(rule_set, profile, version=version, today=day))
