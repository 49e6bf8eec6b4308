"""Status: by reference number or the citizen's own list; a revision walk-through when the
officer asked for one. A citizen only ever sees applications of their own chat identity."""

from __future__ import annotations

from typing import Any

from dialogs.context import Ctx
from dialogs.form import ask_field, document_fields, take_answer
from dialogs.formatting import format_date
from dialogs.messages import Button, Outbound, OutboundKind
from dialogs.ports import ApplicationView, DocumentIn
from dialogs.texts import text
from dialogs.validators import Checked

REVISABLE = ["full_name", "phone", "email", "business_name", "description", "address"]
REVISABLE += ["capital", "annual_sales", "land_area", "workers"]
FIELD_SECTION = {
    "full_name": "applicant",
    "phone": "applicant",
    "email": "applicant",
    "business_name": "business",
    "description": "business",
    "capital": "business",
    "annual_sales": "business",
    "land_area": "business",
    "workers": "business",
    "address": "location",
}


def status_words(locale: str, status: str) -> str:
    return text(locale, "status_" + status)


def next_step_words(locale: str, status: str) -> str:
    return text(locale, "status_next_" + status)


def next_words(locale: str, app: ApplicationView) -> str:
    """The next step for this application; "the document is sent" only when there is one."""
    if app.status == "completed" and not app.result_document:
        return text(locale, "status_next_completed_without_document")
    return next_step_words(locale, app.status)


def status_message(locale: str, app: ApplicationView) -> Outbound:
    """One application's status with the next step and the due date (also used for
    notifications by the status service)."""
    body = text(
        locale,
        "status_view",
        reference=app.reference,
        business=app.business_name or "-",
        status=status_words(locale, app.status),
        due=format_date(app.due_date, locale),
        next=next_words(locale, app),
    )
    if app.status_note:
        body += "\n\n" + text(locale, "status_note", note=app.status_note)
    if app.permit_number:
        body += "\n\n" + text(locale, "status_permit_number", number=app.permit_number)
    buttons: list[Button] = []
    if app.status == "needs_revision":
        buttons.append(Button(text(locale, "btn_revise"), f"revise:{app.reference}"))
    buttons.append(Button(text(locale, "btn_menu"), "cmd:menu"))
    return Outbound(body, buttons=tuple(buttons))


def result_document(locale: str, app: ApplicationView) -> Outbound | None:
    if not app.result_document:
        return None
    return Outbound(
        text(locale, "result_document_caption", reference=app.reference),
        kind=OutboundKind.DOCUMENT,
        document_ref=app.result_document,
        document_name=f"izin-{app.reference}.pdf",
        document_mime="application/pdf",
    )


async def show_reference(ctx: Ctx, reference: str) -> None:
    app = await ctx.repos.applications.find(reference, ctx.owner) if ctx.repos else None
    if app is None:
        ctx.say(ctx.t("status_not_found", reference=reference))
        return
    message = status_message(ctx.locale, app)
    ctx.state["options"] = [b.payload for b in message.buttons]
    ctx.send(message)
    document = result_document(ctx.locale, app)
    if document is not None:
        ctx.send(document)


async def show_own(ctx: Ctx) -> None:
    apps = await ctx.repos.applications.list_for(ctx.owner) if ctx.repos else []
    if not apps:
        ctx.ask(
            ctx.t("status_none"),
            [Button(ctx.t("menu_apply"), "menu:apply"), Button(ctx.t("btn_menu"), "cmd:menu")],
        )
        return
    if len(apps) == 1:
        await show_reference(ctx, apps[0].reference)
        return
    lines = [ctx.t("status_list_intro")]
    lines += [
        f"• {a.reference} — {a.business_name or a.kbli_title}: {status_words(ctx.locale, a.status)}"
        for a in apps
    ]
    buttons = [Button(a.reference, f"status:view:{a.reference}") for a in apps]
    ctx.ask("\n".join(lines), buttons)


# ---------------------------------------------------------------------- revision


async def start_revision(ctx: Ctx, reference: str) -> None:
    app = await ctx.repos.applications.find(reference, ctx.owner) if ctx.repos else None
    if app is None:
        ctx.say(ctx.t("status_not_found", reference=reference))
        return
    if app.status != "needs_revision":
        ctx.say(ctx.t("revise_not_needed", status=status_words(ctx.locale, app.status)))
        return
    ctx.state.clear()
    ctx.state.update(
        {
            "flow": "revise",
            "reference": reference,
            "data": {"running": app.business.get("running", "new")},
            "changed": [],
            "decision_docs": document_fields(app.decision),
            "note": app.status_note,
        }
    )
    revise_menu(ctx, intro=ctx.t("revise_intro", reference=reference, note=app.status_note))


def revise_menu(ctx: Ctx, *, intro: str = "") -> None:
    ctx.state["step"] = "revise_pick"
    docs: list[str] = list(ctx.state.get("decision_docs") or [])
    fields = [*docs, *(f for f in REVISABLE if f != _other_scale(ctx.data))]
    buttons = [Button(ctx.t("label_" + f.replace(":", "_")), f"revise:field:{f}") for f in fields]
    body = (intro + "\n\n" if intro else "") + ctx.t("revise_pick")
    if ctx.state.get("changed"):
        buttons.insert(0, Button(ctx.t("btn_send_revision"), "revise:send"))
        body = (intro + "\n\n" if intro else "") + ctx.t("revise_more")
    ctx.ask(body, buttons[:10], as_list=True)


def _other_scale(data: dict[str, Any]) -> str:
    """Not revisable: the scale is decided by capital only (form.scale_field)."""
    del data
    return "annual_sales"


async def revise_step(ctx: Ctx, payload: str) -> Checked:
    """One revision answer; a Checked with `error` when it was not accepted."""
    step = str(ctx.state.get("step", ""))
    if step == "revise_pick":
        if payload == "revise:send":
            await send_revision(ctx)
            return Checked(value=True)
        if payload.startswith("revise:field:"):
            name = payload.removeprefix("revise:field:")
            ctx.data.pop(name, None)
            ask_field(ctx, name, None)
            return Checked(value=True)
        return Checked(error="pick_option")
    checked = take_answer(ctx, step, payload)
    if not checked.ok:
        return checked
    changed: list[str] = ctx.state.setdefault("changed", [])
    if step not in changed:
        changed.append(step)
    ctx.state["misses"] = 0
    revise_menu(ctx, intro=ctx.t("revise_saved"))
    return checked


async def send_revision(ctx: Ctx) -> None:
    reference = str(ctx.state.get("reference", ""))
    changes: dict[str, dict[str, Any]] = {}
    documents: list[DocumentIn] = []
    for name in ctx.state.get("changed") or []:
        value = ctx.data.get(name)
        if name.startswith("doc:") and isinstance(value, dict):
            documents.append(
                DocumentIn(
                    kind=name.split(":", 1)[1],
                    ref=str(value.get("ref", "")),
                    mime=str(value.get("mime") or ""),
                    size=value.get("size"),
                    file_name=str(value.get("file_name") or ""),
                )
            )
        elif name in FIELD_SECTION:
            changes.setdefault(FIELD_SECTION[name], {})[name] = value
    app = None
    if ctx.repos is not None:
        app = await ctx.repos.applications.resubmit(
            reference,
            ctx.owner,
            changes=changes,
            documents=tuple(documents),
            note="perbaikan dari pemohon lewat chat",
        )
    ctx.state.clear()
    if app is None:
        ctx.say(ctx.t("status_not_found", reference=reference))
        return
    ctx.say(ctx.t("revise_sent", reference=reference, due=format_date(app.due_date, ctx.locale)))
