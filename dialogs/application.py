"""Application form: summary, edit one answer, confirm -> reference, due date, receipt."""

from __future__ import annotations

from typing import Any

from dialogs.context import Ctx
from dialogs.form import LOCATION, SECTIONS, document_fields, show_value
from dialogs.formatting import format_date
from dialogs.messages import Button, Outbound, OutboundKind
from dialogs.ports import DocumentIn, NewApplication
from dialogs.rules import decide
from permit_rules import add_working_days, decision_to_json, today_jakarta

P_CONFIRM = "app:confirm"
P_EDIT = "app:edit"
P_CANCEL = "cmd:cancel"


def summary_text(ctx: Ctx, decision_json: dict[str, Any] | None) -> str:
    data = ctx.data
    parts = [ctx.t("summary_head")]
    for section, fields in SECTIONS.items():
        lines = [f"*{ctx.t('section_' + section)}*"]
        for name in fields:
            if name in data:
                lines.append(f"• {ctx.t('label_' + name)}: {show_value(ctx, name, data[name])}")
        if section == "business":
            for name in [k for k in data if k.startswith("cond:")]:
                lines.append(f"• {ctx.t('label_condition')}: {show_value(ctx, name, data[name])}")
        parts.append("\n".join(lines))
    docs = [f"*{ctx.t('section_documents')}*"]
    for name in document_fields(decision_json):
        if name in data:
            label = ctx.t("label_" + name.replace(":", "_"))
            docs.append(f"• {label}: {ctx.t('doc_received')}")
    parts.append("\n".join(docs))
    return "\n\n".join(parts)


def show_summary(ctx: Ctx, decision_json: dict[str, Any] | None) -> None:
    ctx.state["step"] = "summary"
    ctx.state.pop("editing", None)
    ctx.ask(
        summary_text(ctx, decision_json) + "\n\n" + ctx.t("summary_question"),
        [
            Button(ctx.t("btn_confirm"), P_CONFIRM),
            Button(ctx.t("btn_edit"), P_EDIT),
            Button(ctx.t("btn_cancel"), P_CANCEL),
        ],
    )


def edit_sections(ctx: Ctx) -> None:
    ctx.state["step"] = "edit_section"
    buttons = [Button(ctx.t("section_" + s), f"edit:section:{s}") for s in SECTIONS]
    buttons.append(Button(ctx.t("section_documents"), "edit:section:documents"))
    ctx.ask(ctx.t("edit_which_section"), buttons)


def edit_fields(ctx: Ctx, section: str, decision_json: dict[str, Any] | None) -> None:
    ctx.state["step"] = "edit_field"
    if section == "documents":
        fields = document_fields(decision_json)
    elif section == "location":
        fields = [f for f in LOCATION if f != "kelurahan"]
    else:
        fields = [f for f in SECTIONS.get(section, []) if f in ctx.data]
        if section == "business":
            fields += [k for k in ctx.data if k.startswith("cond:")]
    buttons = [
        Button(
            ctx.t("label_condition")
            if f.startswith("cond:")
            else ctx.t("label_" + f.replace(":", "_")),
            f"edit:field:{f}",
        )
        for f in fields
    ]
    ctx.ask(ctx.t("edit_which_field"), buttons, as_list=True)


def due_date_for(ctx: Ctx, decision_json: dict[str, Any]) -> Any:
    days = [int(ctx.office.application_due_working_days)]
    for permit in decision_json.get("permits", []):
        if permit.get("due_working_days") is not None and permit.get("where") == "MPP counter":
            days.append(int(permit["due_working_days"]))
    return add_working_days(today_jakarta(), max(days))


async def confirm(ctx: Ctx) -> bool:
    """Create the application; False (with an apology) if storage is not available."""
    if ctx.repos is None:
        ctx.say(ctx.t("apply_unavailable"))
        return False
    _rule_set, decision = await decide(ctx)
    decision_json = decision_to_json(decision)
    data = ctx.data
    applicant = {k: data.get(k, "") for k in ("full_name", "nik", "phone", "email")}
    business: dict[str, Any] = {
        k: data.get(k)
        for k in (
            "business_name",
            "description",
            "running",
            "capital",
            "annual_sales",
            "land_area",
            "workers",
        )
    }
    business["conditions"] = {
        k.split(":", 1)[1]: v for k, v in data.items() if k.startswith("cond:")
    }
    location = {k: data.get(k, "") for k in ("address", "kecamatan", "kelurahan")}
    location["city"] = "Kota Probolinggo"
    documents = tuple(
        DocumentIn(
            kind=name.split(":", 1)[1],
            ref=str(doc.get("ref", "")),
            mime=str(doc.get("mime") or ""),
            size=doc.get("size"),
            file_name=str(doc.get("file_name") or ""),
        )
        for name, doc in data.items()
        if name.startswith("doc:") and isinstance(doc, dict)
    )
    due = due_date_for(ctx, decision_json)
    created = await ctx.repos.applications.create(
        NewApplication(
            owner=ctx.owner,
            locale=ctx.locale,
            applicant=applicant,
            business=business,
            location=location,
            kbli=str(data.get("kbli", "")),
            kbli_version=decision.kbli_version,
            kbli_title=str(data.get("kbli_title") or decision.kbli_title or ""),
            decision=decision_json,
            rule_set_version=decision.rule_set_version,
            due_date=due,
            documents=documents,
        )
    )
    receipt = await ctx.repos.receipts.write(created, ctx.locale)
    await ctx.repos.applications.attach_receipt(created.reference, receipt.ref)
    ctx.say(
        ctx.t(
            "apply_done",
            reference=created.reference,
            due=format_date(created.due_date, ctx.locale),
            version=created.rule_set_version,
        )
    )
    ctx.send(
        Outbound(
            ctx.t("receipt_caption", reference=created.reference),
            kind=OutboundKind.DOCUMENT,
            document_ref=receipt.ref,
            document_name=receipt.name,
            document_mime=receipt.mime,
        )
    )
    ctx.state.clear()
    ctx.state["last_reference"] = created.reference
    ctx.ask(
        ctx.t("apply_next"),
        [
            Button(ctx.t("menu_status"), f"status:view:{created.reference}"),
            Button(ctx.t("btn_menu"), "cmd:menu"),
        ],
    )
    return True
