"""Questions about a permit by name: "apa itu NIB", "biaya NIB berapa", "syarat PIRT apa saja".

The answer comes from the permit's entry in the rule set in force (issuer, where, documents, fee,
processing time, note), so it changes when an admin edits the rules. Whether a given business
needs the permit is the requirements guide's question; the answer says so and offers it.
"""

from __future__ import annotations

import re

from dialogs.context import Ctx
from dialogs.messages import Button
from dialogs.requirements import permit_lines
from dialogs.rules import active_rules
from permit_rules import RuleSet, describe_permit, today_jakarta

# Everyday names that the rule set's own names do not contain (codes as in the rules file). A
# code missing from the rules in force is simply not matched.
EVERYDAY_NAMES: dict[str, str] = {
    "pirt": "SPP_IRT",
    "p irt": "SPP_IRT",
    "sppirt": "SPP_IRT",
    "halal": "SERTIFIKAT_HALAL",
    "imb": "PBG_SLF",
    "pbg": "PBG_SLF",
    "slf": "PBG_SLF",
    "bpom": "IZIN_EDAR_BPOM",
    "izin edar": "IZIN_EDAR_BPOM",
    "amdal": "PERSETUJUAN_LINGKUNGAN",
    "ukl upl": "PERSETUJUAN_LINGKUNGAN",
    "hsp": "LABEL_HSP",
    "laik higiene": "SLHS",
}
# A code or name that is an everyday word names no particular permit: "izin usaha apa saja"
# asks about permits in general, not about the rule set's high-risk "IZIN".
TOO_GENERAL = frozenset({"izin", "perizinan", "sertifikat", "surat"})
_ABBREVIATION = re.compile(r"\(([^)]+)\)")
_WORDS = re.compile(r"[a-z0-9]+")
MAX_PERMITS = 2


def _words(text: str) -> str:
    return " ".join(_WORDS.findall(text.lower()))


def names_for(rule_set: RuleSet) -> dict[str, str]:
    """Phrase (lower-case words) -> permit code: the code itself, the abbreviation in the
    permit's name ("Nomor Induk Berusaha (NIB)"), and the everyday names above."""
    names: dict[str, str] = {}
    for code, permit in rule_set.permits.items():
        names[_words(code.replace("_", " "))] = code
        for abbreviation in _ABBREVIATION.findall(permit.name):
            names[_words(abbreviation)] = code
    for phrase, code in EVERYDAY_NAMES.items():
        if code in rule_set.permits:
            names[phrase] = code
    for general in ("", *TOO_GENERAL):
        names.pop(general, None)
    return names


def mentioned(text: str, rule_set: RuleSet) -> list[str]:
    """Codes of the permits the text names, in the order it names them."""
    words = f" {_words(text)} "
    found: list[tuple[int, str]] = []
    for phrase, code in names_for(rule_set).items():
        at = words.find(f" {phrase} ")
        if at >= 0:
            found.append((at, code))
    codes: list[str] = []
    for _, code in sorted(found):
        if code not in codes:
            codes.append(code)
    return codes[:MAX_PERMITS]


async def answer(ctx: Ctx, text: str) -> bool:
    """Describe the permits `text` names; False when it names none."""
    version, rule_set = await active_rules(ctx)
    codes = mentioned(text, rule_set)
    if not codes:
        return False
    today = today_jakarta()
    parts: list[str] = []
    unverified = False
    for code in codes:
        item = describe_permit(rule_set, code, today)
        if item is None:
            continue
        block = permit_lines(ctx, item)
        if item.note:
            block += "\n" + ctx.t("permit_note", note=item.note)
        block += "\n" + ctx.t("permit_basis", basis=item.legal_basis.cite(), version=version)
        unverified = unverified or not item.verified
        parts.append(block)
    if unverified:
        parts.append(ctx.t("result_unverified"))
    parts.append(ctx.t("permit_info_depends"))
    ctx.ask(
        "\n\n".join(parts),
        [
            Button(ctx.t("menu_requirements"), "menu:requirements"),
            Button(ctx.t("menu_officer"), "menu:officer"),
            Button(ctx.t("btn_menu"), "cmd:menu"),
        ],
    )
    return True
