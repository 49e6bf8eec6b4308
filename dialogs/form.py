"""The questions the requirements guide and the application form ask, one at a time.

Answers live in `state["data"]` (plain JSON). Which question comes next is worked out from the
answers every turn (the first field of the flow's sequence that has no answer yet), so going
back, editing from the summary and resuming after days of silence all fall out of one rule.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from dialogs.context import Ctx
from dialogs.formatting import mask_nik, number, rupiah
from dialogs.messages import Attachment, Button, OutboundKind
from dialogs.validators import (
    Checked,
    check_email,
    check_name,
    check_nik_text,
    check_phone,
    check_text,
    match_place,
    parse_area,
    parse_count,
    parse_money,
    wilayah,
)
from permit_rules import IN_FORCE_VERSION, RuleSet, version_label
from permit_rules.model import When

RUNNING = ("new", "since_2021", "before_2021")
OUTSIDE = "place:outside"
SKIP = "form:skip"
CANNOT = "form:cannot"
NONE_OF_THESE = "kbli:none"

# Fields whose answer is free text: a message there is an answer unless it is clearly a question.
FREE_TEXT = {"full_name", "business_name", "description", "address", "kbli"}

APPLICANT = ["full_name", "nik", "phone", "email"]
BUSINESS = ["business_name", "kbli", "description", "running", "capital", "annual_sales"]
BUSINESS += ["land_area", "workers"]
LOCATION = ["address", "kecamatan", "kelurahan"]
BASE_DOCUMENTS = ["doc:ktp", "doc:place"]
# Uploads a permit in the decision adds to the basic two (a photo of the product label).
DOCUMENTS_BY_PERMIT = {"SPP_IRT": "doc:label", "IZIN_EDAR_BPOM": "doc:label"}
SECTIONS = {"applicant": APPLICANT, "business": BUSINESS, "location": LOCATION}

# Answers that depend on another: editing the first clears the second so it is asked again.
DEPENDENTS = {
    "running": ["capital", "annual_sales"],
    "kecamatan": ["kelurahan"],
    "kbli": ["kbli_title", "kbli_version"],
}


def scale_field(data: dict[str, Any]) -> str:
    """The scale is decided by modal usaha, also for a business from before 2021 (PP 7/2021
    Pasal 35 ayat (2); the sales-based rule could not be sourced: permit_rules/scale.py)."""
    del data
    return "capital"


def rule_inputs(rule_set: RuleSet, kbli: str) -> list[str]:
    """permit_rules.required_inputs as form fields."""
    from permit_rules import required_inputs

    out: list[str] = []
    for name in required_inputs(rule_set, kbli):
        if name == "land_area_m2":
            out.append("land_area")
        elif name == "workers":
            out.append("workers")
        elif name.startswith("conditions."):
            out.append("cond:" + name.split(".", 1)[1])
    return out


def condition_values(rule_set: RuleSet, kbli: str, key: str) -> list[str]:
    """The values of a stated condition that some rule for this activity depends on."""
    activity = rule_set.activity_for(kbli)
    whens: list[When] = [r.when for r in rule_set.basic_requirements]
    if activity is not None:
        for group in activity.support:
            whens += [r.when for r in rule_set.support_groups.get(group, ())]
        whens += [r.when for r in activity.supporting_permits]
        whens += [r.when for r in activity.risk_rules]
    values: list[str] = []
    for when in whens:
        for value in when.conditions.get(key, ()):
            if value not in values:
                values.append(value)
    return values


def requirements_sequence(data: dict[str, Any], rule_set: RuleSet) -> list[str]:
    fields = ["kbli", "running", scale_field(data)]
    if data.get("kbli"):
        fields += [f for f in rule_inputs(rule_set, str(data["kbli"])) if f not in fields]
    return fields


def document_fields(decision: dict[str, Any] | None) -> list[str]:
    fields = list(BASE_DOCUMENTS)
    for permit in (decision or {}).get("permits", []):
        extra = DOCUMENTS_BY_PERMIT.get(str(permit.get("code")))
        if extra and extra not in fields:
            fields.append(extra)
    return fields


def application_sequence(
    data: dict[str, Any], rule_set: RuleSet, decision: dict[str, Any] | None
) -> list[str]:
    business = [f for f in BUSINESS if f not in ("capital", "annual_sales")]
    business.insert(business.index("running") + 1, scale_field(data))
    fields = [*APPLICANT, *business]
    if data.get("kbli"):
        for extra in rule_inputs(rule_set, str(data["kbli"])):
            if extra not in fields:
                fields.append(extra)
    return [*fields, *LOCATION, *document_fields(decision)]


def next_field(sequence: Iterable[str], data: dict[str, Any]) -> str | None:
    for name in sequence:
        if name not in data:
            return name
    return None


# ---------------------------------------------------------------------- asking


def field_label(ctx: Ctx, name: str) -> str:
    if name.startswith("cond:"):
        return ctx.t("label_condition")
    return ctx.t("label_" + name.replace(":", "_"))


def ask_field(ctx: Ctx, name: str, rule_set: RuleSet | None, *, intro: str = "") -> None:
    """Ask for one field; `intro` goes before the question (an error, a reminder...)."""
    ctx.state["step"] = name
    prefix = f"{intro}\n\n" if intro else ""
    buttons: list[Button] = []
    kind = OutboundKind.TEXT
    as_list = False
    if name == "kbli":
        question = ctx.t("ask_kbli")
    elif name == "running":
        question = ctx.t("ask_running")
        buttons = [Button(ctx.t("running_" + r), f"running:{r}") for r in RUNNING]
    elif name == "phone":
        question = ctx.t("ask_phone")
        kind = OutboundKind.REQUEST_CONTACT
    elif name == "email":
        question = ctx.t("ask_email")
        buttons = [Button(ctx.t("btn_skip"), SKIP)]
    elif name == "kecamatan":
        question = ctx.t("ask_kecamatan")
        buttons = [Button(k, f"kecamatan:{k}") for k in wilayah().kecamatan]
        buttons.append(Button(ctx.t("btn_outside"), OUTSIDE))
        as_list = True
    elif name == "kelurahan":
        kecamatan = str(ctx.data.get("kecamatan", ""))
        question = ctx.t("ask_kelurahan", kecamatan=kecamatan)
        w = wilayah()
        buttons = [
            Button(k, f"kelurahan:{k}")
            for k in w.kelurahan
            if w.kelurahan_kecamatan[k] == kecamatan
        ]
        as_list = True
    elif name.startswith("doc:"):
        question = ctx.t("ask_" + name.replace(":", "_"))
        question += "\n\n" + ctx.t("file_rules")
        buttons = [Button(ctx.t("btn_cannot_provide"), CANNOT)]
        kind = OutboundKind.REQUEST_FILE
    elif name.startswith("cond:"):
        key = name.split(":", 1)[1]
        values = condition_values(rule_set, str(ctx.data.get("kbli", "")), key) if rule_set else []
        question = ctx.t("ask_condition_" + key) if _has(ctx, "ask_condition_" + key) else ""
        question = question or ctx.t("ask_condition", name=key)
        buttons = [Button(_value_label(ctx, key, v), f"cond:{key}:{v}") for v in values]
        buttons.append(Button(ctx.t("cond_none"), f"cond:{key}:none"))
    else:
        question = ctx.t("ask_" + name)
    if int(ctx.state.get("misses", 0)) >= 2:
        question += "\n\n" + ctx.t("offer_help")
        buttons += ctx.help_buttons()
    ctx.ask(prefix + question, buttons, kind=kind, as_list=as_list)


def _has(ctx: Ctx, key: str) -> bool:
    from dialogs.texts import keys

    return key in keys(ctx.locale) or key in keys("id")


def _value_label(ctx: Ctx, key: str, value: str) -> str:
    text_key = f"cond_{key}_{value}"
    return ctx.t(text_key) if _has(ctx, text_key) else value.replace("_", " ")


# ---------------------------------------------------------------------- answering


def take_answer(ctx: Ctx, name: str, payload: str) -> Checked:
    """Validate the citizen's answer for `name`; on success it is stored in ctx.data."""
    inbound = ctx.inbound
    typed = inbound.text
    checked: Checked
    if name == "full_name":
        checked = check_name(typed)
    elif name == "nik":
        checked = check_nik_text(typed)
    elif name == "phone":
        source = inbound.contact.phone if inbound.contact is not None else typed
        checked = check_phone(source)
    elif name == "email":
        checked = Checked(value="") if payload == SKIP else check_email(typed)
    elif name == "business_name":
        checked = check_text(typed, min_len=2, max_len=120)
    elif name == "description":
        checked = check_text(typed, min_len=5, max_len=500)
    elif name == "address":
        checked = check_text(typed, min_len=5, max_len=250)
    elif name == "running":
        value = payload.removeprefix("running:") if payload.startswith("running:") else ""
        checked = Checked(value=value) if value in RUNNING else Checked(error="pick_option")
    elif name in ("capital", "annual_sales"):
        money = parse_money(typed)
        checked = Checked(value=money) if money is not None else Checked(error="money_invalid")
    elif name == "land_area":
        area = parse_area(typed)
        checked = Checked(value=area) if area is not None else Checked(error="area_invalid")
    elif name == "workers":
        count = parse_count(typed)
        checked = Checked(value=count) if count is not None else Checked(error="count_invalid")
    elif name == "kecamatan":
        checked = _take_kecamatan(ctx, typed, payload)
    elif name == "kelurahan":
        checked = _take_kelurahan(ctx, typed, payload)
    elif name.startswith("cond:"):
        key = name.split(":", 1)[1]
        prefix = f"cond:{key}:"
        value = payload.removeprefix(prefix) if payload.startswith(prefix) else ""
        checked = Checked(value=value) if value else Checked(error="pick_option")
    elif name.startswith("doc:"):
        checked = _take_document(inbound.attachments)
    else:
        checked = Checked(error="pick_option")
    if checked.ok:
        ctx.data[name] = checked.value
    return checked


def _take_kecamatan(ctx: Ctx, typed: str, payload: str) -> Checked:
    if payload.startswith("kecamatan:"):
        name = payload.removeprefix("kecamatan:")
        if name in wilayah().kecamatan:
            return Checked(value=name)
    if typed:
        kecamatan, kelurahan = match_place(typed)
        if kecamatan is None and kelurahan is not None:
            # A kelurahan named at the kecamatan question answers both.
            ctx.data["kelurahan"] = kelurahan
            return Checked(value=wilayah().kelurahan_kecamatan[kelurahan])
        if kecamatan is not None:
            return Checked(value=kecamatan)
    return Checked(error="place_unknown")


def _take_kelurahan(ctx: Ctx, typed: str, payload: str) -> Checked:
    w = wilayah()
    kecamatan = str(ctx.data.get("kecamatan", ""))
    name: str | None = None
    if payload.startswith("kelurahan:"):
        name = payload.removeprefix("kelurahan:")
    elif typed:
        _, name = match_place(typed)
        if name is None:
            candidate, _ = match_place(typed)
            name = candidate if candidate in w.kelurahan else None
    if name is None or name not in w.kelurahan:
        return Checked(error="place_unknown")
    if w.kelurahan_kecamatan[name] != kecamatan:
        return Checked(error="kelurahan_other_kecamatan", detail=w.kelurahan_kecamatan[name])
    return Checked(value=name)


def _take_document(attachments: tuple[Attachment, ...]) -> Checked:
    if not attachments:
        return Checked(error="file_expected")
    first = attachments[0]
    if first.error:
        return Checked(error="file_" + first.error)
    if not first.sha256:
        return Checked(error="file_download_failed")
    return Checked(
        value={
            "ref": first.ref,
            "mime": first.mime_type,
            "size": first.size,
            "file_name": first.file_name,
        }
    )


def forget(data: dict[str, Any], name: str) -> None:
    """Remove an answer and those that depend on it, so they are asked again."""
    data.pop(name, None)
    for dependent in DEPENDENTS.get(name, ()):
        data.pop(dependent, None)
    if name == "kbli":
        for key in [k for k in data if k.startswith("cond:")]:
            data.pop(key)


# ---------------------------------------------------------------------- showing answers


def show_value(ctx: Ctx, name: str, value: Any) -> str:
    if value is None or value == "":
        return "-"
    if name == "nik":
        return mask_nik(str(value))
    if name in ("capital", "annual_sales"):
        return rupiah(int(value))
    if name == "land_area":
        return f"{number(float(value))} m²"
    if name == "workers":
        return ctx.t("workers_value", count=number(int(value)))
    if name == "running":
        return ctx.t("running_" + str(value))
    if name == "kbli":
        title = str(ctx.data.get("kbli_title") or "")
        code = f"{version_label(str(ctx.data.get('kbli_version') or IN_FORCE_VERSION))} {value}"
        return f"{title} ({code})" if title else code
    if name.startswith("cond:"):
        key = name.split(":", 1)[1]
        return ctx.t("cond_none") if value == "none" else _value_label(ctx, key, str(value))
    if name.startswith("doc:"):
        return ctx.t("doc_received")
    return str(value)
