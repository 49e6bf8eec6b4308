"""Requirements guide: the business in the citizen's words -> KBLI -> the few questions the rules
need -> scale, risk level, permits checklist, legal basis and rule-set version."""

from __future__ import annotations

from typing import Any

from dialogs.context import P_OFFICER, Ctx
from dialogs.formatting import format_date
from dialogs.messages import Button, Outbound
from dialogs.ports import RequirementCheck
from permit_rules import IN_FORCE_VERSION, Decision, PermitItem

P_APPLY_NOW = "req:apply"
P_MENU = "cmd:menu"
P_RETRY = "kbli:retry"
MAX_CANDIDATES = 4
MIN_SCORE = 0.0
STRONG_MATCH_SCORE = 0.5


def candidates_from(nlu: dict[str, Any] | Any) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for item in list(nlu.get("kbli") or [])[:MAX_CANDIDATES]:
        code = str(item.get("code", ""))
        if len(code) == 5 and code.isdigit() and float(item.get("score") or 0) > MIN_SCORE:
            version = str(item.get("version") or IN_FORCE_VERSION)
            out.append({"code": code, "title": str(item.get("title", "")), "version": version})
    return out


def strong_match(nlu: dict[str, Any] | Any) -> bool:
    """The best KBLI candidate matches clearly. Measured on the matcher: business descriptions
    ("toko bangunan", "kebun anggur", "permak celana") score 0.5 and up, chit-chat and other
    topics ("berita hari ini", "pinjam uang dong") 0.35 and below."""
    best = max((float(item.get("score") or 0) for item in list(nlu.get("kbli") or [])), default=0)
    return best >= STRONG_MATCH_SCORE


def offer_candidates(ctx: Ctx, candidates: list[dict[str, str]]) -> None:
    """KBLI candidates as buttons in plain words, with "none of these"."""
    ctx.state["step"] = "kbli_pick"
    ctx.state["kbli_candidates"] = candidates
    lines = [ctx.t("kbli_candidates_intro")]
    lines += [f"• {c['title']} (KBLI {c['code']})" for c in candidates]
    buttons = [Button(c["title"], f"kbli:{c['code']}") for c in candidates]
    buttons.append(Button(ctx.t("kbli_none"), "kbli:none"))
    ctx.ask("\n".join(lines), buttons)


def take_description(ctx: Ctx, nlu: Any) -> bool:
    """The citizen described the business: offer candidates (True) or ask to rephrase (False)."""
    candidates = candidates_from(nlu)
    if candidates:
        offer_candidates(ctx, candidates)
        return True
    return False


def pick(ctx: Ctx, payload: str) -> str:
    """A tap on a candidate: "picked", "none" (rephrase / officer) or "" (not a candidate tap)."""
    if payload == "kbli:none":
        return "none"
    if not payload.startswith("kbli:"):
        return ""
    code = payload.removeprefix("kbli:")
    for c in ctx.state.get("kbli_candidates") or []:
        if c.get("code") == code:
            ctx.data["kbli"] = code
            ctx.data["kbli_version"] = c.get("version") or IN_FORCE_VERSION
            ctx.data["kbli_title"] = c.get("title", "")
            ctx.state.pop("kbli_candidates", None)
            return "picked"
    return ""


def none_of_these(ctx: Ctx) -> bool:
    """First "none of these": rephrase (True). Second: offer an officer (False)."""
    tries = int(ctx.state.get("rephrase", 0)) + 1
    ctx.state["rephrase"] = tries
    ctx.state.pop("kbli_candidates", None)
    ctx.state["step"] = "kbli"
    if tries < 2:
        ctx.ask(ctx.t("kbli_rephrase"))
        return True
    ctx.ask(
        ctx.t("kbli_officer"),
        [
            Button(ctx.t("menu_officer"), P_OFFICER),
            Button(ctx.t("btn_try_again"), P_RETRY),
            Button(ctx.t("btn_menu"), P_MENU),
        ],
    )
    return False


# ---------------------------------------------------------------------- the answer


def risk_words(ctx: Ctx, decision: Decision) -> str:
    if decision.risk_level is None:
        return ctx.t("risk_unknown")
    return ctx.t("risk_" + decision.risk_level.value)


def scale_words(ctx: Ctx, decision: Decision) -> str:
    if decision.scale is None:
        return ctx.t("scale_unknown")
    return ctx.t("scale_" + decision.scale.value)


def permit_lines(ctx: Ctx, item: PermitItem) -> str:
    lines = [f"✅ *{item.name}*"]
    lines.append(ctx.t("permit_issuer", issuer=item.issuer))
    lines.append(ctx.t("permit_where", where=ctx.t("where_" + item.where.replace(" ", "_"))))
    if item.documents:
        lines.append(ctx.t("permit_documents", documents="; ".join(item.documents)))
    lines.append(ctx.t("permit_fee", fee=item.fee or ctx.t("fee_unknown")))
    if item.due_working_days is not None and item.due_date is not None:
        days = item.due_working_days
        due = (
            ctx.t("due_same_day")
            if days == 0
            else ctx.t("due_days", days=days, date=format_date(item.due_date, ctx.locale))
        )
        lines.append(ctx.t("permit_due", due=due))
    else:
        lines.append(ctx.t("permit_due", due=ctx.t("due_unknown")))
    if item.condition:
        lines.append(ctx.t("permit_condition", condition=item.condition))
    return "\n".join(lines)


def render_decision(ctx: Ctx, decision: Decision, *, offer_apply: bool = True) -> None:
    title = decision.kbli_title or str(ctx.data.get("kbli_title") or "")
    ctx.say(
        ctx.t(
            "result_head",
            activity=title,
            kbli=decision.kbli,
            scale=scale_words(ctx, decision),
            risk=risk_words(ctx, decision),
        )
    )
    items = [*decision.permits, *decision.basic_requirements]
    body = ctx.t("result_permits") + "\n\n" + "\n\n".join(permit_lines(ctx, p) for p in items)
    if decision.conditional_permits:
        body += "\n\n" + ctx.t("result_conditional") + "\n"
        body += "\n".join(f"• {p.name} ({p.condition})" for p in decision.conditional_permits)
    ctx.say(body)
    basis = "\n".join(f"• {b.cite()}" for b in decision.legal_basis) or "-"
    tail = ctx.t(
        "result_basis",
        basis=basis,
        version=decision.rule_set_version,
        regulation=decision.regulation,
    )
    buttons: list[Button] = []
    if decision.unverified or decision.needs_officer:
        notes: list[str] = []
        if decision.needs_officer:
            notes.append(ctx.t("result_needs_officer"))
        if decision.unverified:
            notes.append(ctx.t("result_unverified"))
        tail += "\n\n" + "\n".join(notes)
    if offer_apply:
        tail += "\n\n" + ctx.t("result_offer_apply")
        buttons.append(Button(ctx.t("btn_apply_now"), P_APPLY_NOW))
    if decision.unverified or decision.needs_officer:
        buttons.append(Button(ctx.t("menu_officer"), P_OFFICER))
    buttons.append(Button(ctx.t("btn_menu"), P_MENU))
    ctx.ask(tail, buttons)


async def record_check(ctx: Ctx, decision: Decision) -> None:
    """Keep a record of the answer for the reports (requirement checks by activity)."""
    if ctx.repos is None or ctx.repos.checks is None:
        return
    await ctx.repos.checks.record(
        RequirementCheck(
            owner=ctx.owner,
            kbli=decision.kbli,
            kbli_version=decision.kbli_version,
            rule_set_version=decision.rule_set_version,
            scale=decision.scale.value if decision.scale else None,
            risk_level=decision.risk_level.value if decision.risk_level else None,
            needs_officer=decision.needs_officer,
        )
    )


def fee_answer(ctx: Ctx, decision: Decision | None) -> Outbound:
    if decision is None:
        return Outbound(ctx.t("answer_cost_general"))
    lines = [ctx.t("answer_cost_intro")]
    for p in (*decision.permits, *decision.basic_requirements):
        lines.append(f"• {p.name}: {p.fee or ctx.t('fee_unknown')}")
    return Outbound("\n".join(lines))


def duration_answer(ctx: Ctx, decision: Decision | None) -> Outbound:
    if decision is None:
        return Outbound(ctx.t("answer_duration_general"))
    lines = [ctx.t("answer_duration_intro")]
    for p in (*decision.permits, *decision.basic_requirements):
        if p.due_working_days == 0:
            due = ctx.t("due_same_day")
        elif p.due_working_days is not None and p.due_date is not None:
            due = ctx.t(
                "due_days", days=p.due_working_days, date=format_date(p.due_date, ctx.locale)
            )
        else:
            due = ctx.t("due_unknown")
        lines.append(f"• {p.name}: {due}")
    return Outbound("\n".join(lines))


def documents_answer(ctx: Ctx, decision: Decision | None) -> Outbound:
    if decision is None:
        bring = ctx.office.bring.get(ctx.locale) or ctx.office.bring["id"]
        return Outbound(ctx.t("answer_documents_general", bring="\n".join(f"• {b}" for b in bring)))
    lines = [ctx.t("answer_documents_intro")]
    for p in (*decision.permits, *decision.basic_requirements):
        if p.documents:
            lines.append(f"• {p.name}: {'; '.join(p.documents)}")
    return Outbound("\n".join(lines))
