"""The dialog step: one citizen message in, the new state and the replies out.

State is plain JSON data (stored by the pipeline), never objects in memory, so any server process
can continue any conversation. Global commands (menu, back, cancel, help, officer, language) and
global buttons (status, survey, revision) are checked before the current flow sees the input;
the flows are keyed by `state["flow"]`: requirements, apply, revise, survey.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from dialogs import application, form, permit_info, requirements, status, survey
from dialogs.context import P_HELP, Ctx, NluResult, Understand
from dialogs.messages import Button, Inbound, Outbound
from dialogs.office import OfficeInfo, load_office_info
from dialogs.ports import DialogRepos
from dialogs.rules import active_rules, decide
from dialogs.texts import text
from dialogs.validators import find_reference, yes_no
from permit_rules import decision_to_json

__all__ = ["DialogEngine", "NluResult", "Turn", "TurnResult", "Understand"]

MENU = "menu"
P_REQUIREMENTS = "menu:requirements"
P_APPLY = "menu:apply"
P_STATUS = "menu:status"
P_OFFICER = "menu:officer"
P_OFFICE = "menu:office"
P_LANGUAGE = "menu:language"
P_MENU = "cmd:menu"
P_CANCEL = "cmd:cancel"
P_BACK = "cmd:back"
P_RESUME = "cmd:resume"
P_CANCEL_YES = "cancel:yes"
P_CANCEL_NO = "cancel:no"

# Exact words that work at every step, whatever the NLU thinks (normalized lower-case).
COMMANDS: dict[str, str] = {
    "menu": "menu",
    "/menu": "menu",
    "/start": "menu",
    "menu utama": "menu",
    "kembali": "back",
    "back": "back",
    "batal": "cancel",
    "/batal": "cancel",
    "cancel": "cancel",
    "bantuan": "help",
    "/help": "help",
    "help": "help",
    "tolong": "help",
    "petugas": "officer",
    "officer": "officer",
    "english": "language:en",
    "bahasa inggris": "language:en",
    "indonesia": "language:id",
    "bahasa indonesia": "language:id",
    "lanjut": "resume",
    "lanjutkan": "resume",
}
PAYLOAD_COMMANDS = {
    P_MENU: "menu",
    P_CANCEL: "cancel",
    P_BACK: "back",
    P_HELP: "help",
    P_RESUME: "resume",
}

INTENT_CONFIDENCE = 0.5
# Intents under which a permit named in the message is what the citizen asks about ("" is an
# intent too unsure to act on).
PERMIT_QUESTIONS = frozenset(
    {"", "out_of_scope", "ask_requirements", "ask_documents", "ask_cost", "ask_duration", "help"}
)
BUSINESS_INTENTS = frozenset(
    {"inform_business", "ask_requirements", "ask_documents", "ask_cost", "ask_duration",
     "apply_permit"}
)  # fmt: skip
# A message on a free-text question is an answer unless it is clearly a question.
FREE_TEXT_QUESTION_CONFIDENCE = 0.8
QUESTION_INTENTS = {
    "ask_cost",
    "ask_duration",
    "ask_documents",
    "ask_office_info",
    "ask_requirements",
    "check_status",
    "talk_to_human",
    "complaint",
    "help",
}
# After this much silence the next message is greeted with a reminder of the step.
LONG_SILENCE = timedelta(hours=12)
FORM_FLOWS = ("requirements", "apply")
NUMBER_STEPS = {"nik", "phone", "capital", "annual_sales", "land_area", "workers"}


@dataclass
class Turn:
    inbound: Inbound
    locale: str
    mode: str
    state: dict[str, Any]
    # Repositories bound to this turn's transaction (built by the composition root), so dialogs
    # reach stored data without importing the database layer (a dialogs.ports.DialogRepos).
    repos: Any = None


@dataclass
class TurnResult:
    state: dict[str, Any]
    replies: list[Outbound] = field(default_factory=list)
    locale: str = "id"
    mode: str = "bot"


def _normalize(s: str) -> str:
    return re.sub(r"\s+", " ", s.strip().lower())


class DialogEngine:
    def __init__(self, understand: Understand, office: OfficeInfo | None = None) -> None:
        self._understand = understand
        self._office = office or load_office_info()

    async def handle(self, turn: Turn) -> TurnResult:
        repos = turn.repos if isinstance(turn.repos, DialogRepos) else None
        ctx = Ctx(
            inbound=turn.inbound,
            locale=turn.locale,
            mode=turn.mode,
            state=dict(turn.state),
            repos=repos,
            understand=self._understand,
            office=self._office,
        )
        await self._step(ctx)
        return TurnResult(state=ctx.state, replies=ctx.replies, locale=ctx.locale, mode=ctx.mode)

    # -- routing ---------------------------------------------------------------------------

    async def _step(self, ctx: Ctx) -> None:
        inbound = ctx.inbound
        state = ctx.state
        payload = inbound.payload or self._picked_option(inbound.text, state)
        state["options"] = []
        welcome_back = self._long_silence(ctx)
        flow = str(state.get("flow") or "")

        if inbound.unsupported:
            ctx.say(ctx.t("unsupported"))
            if flow:
                await self._resume(ctx)
            return

        if state.pop("confirm_cancel", False):
            answer = yes_no(inbound.text) if not payload else None
            if payload == P_CANCEL_YES or answer is True:
                state.clear()
                ctx.send(self._menu(ctx, intro=ctx.t("cancelled")))
                return
            if payload == P_CANCEL_NO or answer is False:
                await self._resume(ctx, intro=ctx.t("cancel_kept"))
                return

        command = PAYLOAD_COMMANDS.get(payload)
        if payload == P_LANGUAGE:
            command = "language:" + ("en" if ctx.locale == "id" else "id")
        if command is None and not payload:
            command = COMMANDS.get(_normalize(inbound.text))
        if command is not None:
            await self._command(ctx, command)
            return
        if await self._global_payload(ctx, payload):
            return

        if flow:
            intro = ctx.t("welcome_back") if welcome_back else ""
            if await self._flow_step(ctx, flow, payload, intro):
                return
            return
        await self._menu_level(ctx, payload)

    def _long_silence(self, ctx: Ctx) -> bool:
        now = ctx.inbound.timestamp or datetime.now(UTC)
        if now.tzinfo is None:
            now = now.replace(tzinfo=UTC)
        last_text = ctx.state.get("last_at")
        ctx.state["last_at"] = now.isoformat()
        if not last_text or not ctx.state.get("flow"):
            return False
        try:
            last = datetime.fromisoformat(str(last_text))
        except ValueError:
            return False
        return now - last >= LONG_SILENCE

    async def _command(self, ctx: Ctx, command: str) -> None:
        state = ctx.state
        flow = str(state.get("flow") or "")
        if command.startswith("language:"):
            ctx.locale = command.split(":", 1)[1]
            ctx.say(ctx.t("language_switched"))
            if flow:
                await self._resume(ctx)
            else:
                ctx.send(self._menu(ctx))
        elif command == "menu":
            if flow in FORM_FLOWS and ctx.data:
                # The answers wait: choosing the same service again continues where it was.
                parked = {k: state[k] for k in ("flow", "step", "data", "history") if k in state}
                state.clear()
                state["parked"] = parked
                ctx.send(self._menu(ctx, intro=ctx.t("menu_parked")))
            else:
                kept = state.get("parked")
                state.clear()
                if kept:
                    state["parked"] = kept
                ctx.send(self._menu(ctx, greet=not kept))
        elif command == "resume":
            parked = state.pop("parked", None)
            if flow:
                await self._resume(ctx)
            elif parked:
                state.update(parked)
                await self._resume(ctx, intro=ctx.t("resumed"))
            else:
                ctx.send(self._menu(ctx))
        elif command == "back":
            await self._back(ctx)
        elif command == "cancel":
            if flow and (ctx.data or flow in ("revise", "survey")):
                state["confirm_cancel"] = True
                ctx.ask(
                    ctx.t("cancel_confirm"),
                    [
                        Button(ctx.t("btn_cancel_yes"), P_CANCEL_YES),
                        Button(ctx.t("btn_cancel_no"), P_CANCEL_NO),
                    ],
                )
            else:
                had = bool(flow or state.get("parked"))
                state.clear()
                ctx.send(self._menu(ctx, intro=ctx.t("cancelled" if had else "nothing_to_cancel")))
        elif command == "help":
            if flow:
                ctx.say(ctx.t("help_in_form"))
                await self._resume(ctx)
            else:
                ctx.send(self._menu(ctx, intro=ctx.t("help")))
        elif command == "officer":
            await self._officer(ctx)

    async def _global_payload(self, ctx: Ctx, payload: str) -> bool:
        if not payload:
            return False
        flow = str(ctx.state.get("flow") or "")
        if payload == survey.P_SKIP:
            if flow == "survey":
                parked = ctx.state.get("parked")
                ctx.state.clear()
                if parked:
                    ctx.state["parked"] = parked
            ctx.say(ctx.t("survey_skipped"))
            return True
        if payload.startswith("survey:start:"):
            survey.start(ctx, payload)
            return True
        if payload.startswith("status:view:"):
            await status.show_reference(ctx, payload.removeprefix("status:view:"))
            if flow:
                await self._resume(ctx, intro=ctx.t("back_to_form"))
            return True
        if payload.startswith("revise:SKT-"):
            await status.start_revision(ctx, payload.removeprefix("revise:"))
            return True
        if payload == P_OFFICER:
            await self._officer(ctx)
            return True
        if payload == P_OFFICE:
            ctx.say(self._office_text(ctx.locale))
            if flow:
                await self._resume(ctx)
            else:
                ctx.send(self._menu(ctx))
            return True
        if payload in (P_REQUIREMENTS, P_APPLY, P_STATUS):
            await self._start(ctx, payload)
            return True
        return False

    async def _menu_level(self, ctx: Ctx, payload: str) -> None:
        inbound = ctx.inbound
        if payload:
            self._not_understood(ctx)
            return
        if inbound.attachments and not inbound.text:
            ctx.say(ctx.t("file_not_expected"))
            ctx.send(self._menu(ctx))
            return
        if not inbound.text.strip():
            ctx.send(self._menu(ctx))
            return
        reference = find_reference(inbound.text)
        if reference:
            await status.show_reference(ctx, reference)
            return
        nlu = await ctx.nlu()
        await self._by_intent(ctx, nlu)

    async def _by_intent(self, ctx: Ctx, nlu: NluResult) -> None:
        intent = nlu.get("intent") or {}
        name = str(intent.get("name") or "")
        names_a_business = bool(requirements.candidates_from(nlu))
        if float(intent.get("confidence") or 0.0) < INTENT_CONFIDENCE:
            # Unsure what was asked, but the message names a business we know ("mau buka usaha
            # bengkel motor"): the requirements guide, which starts by confirming the business,
            # is a better answer than "not understood".
            name = "inform_business" if name in BUSINESS_INTENTS and names_a_business else ""
        # A question about a permit by name ("apa itu NIB", "biaya NIB berapa"): answered from
        # the rules rather than with "out of scope" or a guess at a business.
        if (
            name in PERMIT_QUESTIONS
            and not names_a_business
            and await permit_info.answer(ctx, ctx.inbound.text)
        ):
            ctx.state["misses"] = 0
            return
        if name == "greet":
            ctx.state["misses"] = 0
            ctx.send(self._menu(ctx, greet=True))
            return
        if name in ("thanks", "goodbye"):
            ctx.state["misses"] = 0
            ctx.say(ctx.t("thanks_reply" if name == "thanks" else "goodbye_reply"))
            return
        if name == "out_of_scope":
            if requirements.strong_match(nlu):
                # A bare description ("mau bikin roti", "toko bangunan") reads as off-topic to
                # the classifier, but it clearly names a business we know: check its permits.
                await self._start_requirements(ctx, nlu)
                return
            ctx.say(ctx.t("out_of_scope"))
            ctx.send(self._menu(ctx))
            return
        asks_about_business = name in ("ask_requirements", "ask_documents", "ask_cost")
        if name == "inform_business" or (asks_about_business and names_a_business):
            await self._start_requirements(ctx, nlu)
            return
        routed = {
            "ask_office_info": P_OFFICE,
            "ask_requirements": P_REQUIREMENTS,
            "ask_documents": P_REQUIREMENTS,
            "ask_cost": P_REQUIREMENTS,
            "ask_duration": P_REQUIREMENTS,
            "apply_permit": P_APPLY,
            "check_status": P_STATUS,
            "talk_to_human": P_OFFICER,
            "complaint": P_OFFICER,
        }
        if name in routed:
            if not await self._global_payload(ctx, routed[name]):
                self._not_understood(ctx)
            return
        if name in ("help", "cancel"):
            await self._command(ctx, name)
            return
        if name == "change_language":
            language = str(nlu.get("language") or "")
            target = "en" if language == "en" or ctx.locale == "id" else "id"
            await self._command(ctx, f"language:{target}")
            return
        self._not_understood(ctx)

    def _not_understood(self, ctx: Ctx) -> None:
        misses = ctx.miss()
        if misses >= 2:
            # A second miss in a row: a person takes over (the pipeline queues the chat).
            ctx.state["misses"] = 0
            ctx.state["handoff_reason"] = "not_understood"
            ctx.mode = "waiting"
            ctx.say(ctx.t("not_understood_handoff"))
            return
        ctx.send(self._menu(ctx, intro=ctx.t("not_understood")))

    # -- starting flows --------------------------------------------------------------------

    async def _start(self, ctx: Ctx, payload: str) -> None:
        if payload == P_STATUS:
            if ctx.state.get("flow"):
                await status.show_own(ctx)
                await self._resume(ctx, intro=ctx.t("back_to_form"))
                return
            await status.show_own(ctx)
            return
        parked = ctx.state.get("parked")
        if payload == P_REQUIREMENTS:
            if parked and parked.get("flow") == "requirements":
                ctx.state.clear()
                ctx.state.update(parked)
                await self._resume(ctx, intro=ctx.t("resumed"))
                return
            await self._start_requirements(ctx, None)
        elif payload == P_APPLY:
            await self._start_apply(ctx)

    async def _start_requirements(self, ctx: Ctx, nlu: NluResult | None) -> None:
        ctx.state.clear()
        ctx.state.update({"flow": "requirements", "data": {}, "history": []})
        ctx.state["last_at"] = datetime.now(UTC).isoformat()
        if nlu is not None and requirements.take_description(ctx, nlu):
            return
        _, rule_set = await active_rules(ctx)
        form.ask_field(ctx, "kbli", rule_set, intro=ctx.t("requirements_intro"))

    async def _start_apply(self, ctx: Ctx) -> None:
        state = ctx.state
        flow = state.get("flow")
        parked = state.get("parked") or {}
        if flow == "apply":
            await self._resume(ctx)
            return
        if parked.get("flow") == "apply":
            state.clear()
            state.update(parked)
            await self._resume(ctx, intro=ctx.t("resumed"))
            return
        carried: dict[str, Any] = {}
        source = ctx.data if flow == "requirements" else parked.get("data") or {}
        if flow == "requirements" or parked.get("flow") == "requirements":
            carried = dict(source)
        state.clear()
        state.update({"flow": "apply", "data": carried, "history": list(carried)})
        await self._advance(ctx, intro=ctx.t("apply_intro"))

    # -- the form flows --------------------------------------------------------------------

    async def _flow_step(self, ctx: Ctx, flow: str, payload: str, intro: str) -> bool:
        if flow == "survey":
            if await survey.step(ctx, payload):
                return True
            if await self._interruption(ctx, free_text=False):
                return True
            ctx.miss()
            survey.ask(ctx)
            return True
        if flow == "revise":
            step = str(ctx.state.get("step", ""))
            checked = await status.revise_step(ctx, payload)
            if checked.ok:
                return True
            if await self._interruption(ctx, free_text=step in form.FREE_TEXT):
                return True
            await self._wrong_answer(ctx, step, checked.error, intro, detail=checked.detail)
            return True
        if flow in FORM_FLOWS:
            await self._form_step(ctx, payload, intro)
            return True
        ctx.state.clear()
        ctx.send(self._menu(ctx))
        return True

    async def _form_step(self, ctx: Ctx, payload: str, intro: str) -> None:
        state = ctx.state
        step = str(state.get("step") or "")
        inbound = ctx.inbound
        if step == "summary":
            if payload == application.P_CONFIRM:
                await application.confirm(ctx)
                return
            if payload == application.P_EDIT:
                application.edit_sections(ctx)
                return
            if not await self._interruption(ctx, free_text=False):
                ctx.miss()
                await self._show_summary(ctx, intro=intro or ctx.t("pick_option"))
            return
        if step == "edit_section":
            if payload.startswith("edit:section:"):
                decision_json = await self._decision_json(ctx)
                application.edit_fields(ctx, payload.removeprefix("edit:section:"), decision_json)
                return
            await self._show_summary(ctx, intro=ctx.t("pick_option"))
            return
        if step == "edit_field":
            if payload.startswith("edit:field:"):
                name = payload.removeprefix("edit:field:")
                state["editing"] = True
                form.forget(ctx.data, name)
                _, rule_set = await active_rules(ctx)
                form.ask_field(ctx, name, rule_set)
                return
            await self._show_summary(ctx, intro=ctx.t("pick_option"))
            return
        if step == "result":
            if payload == requirements.P_APPLY_NOW:
                await self._start_apply(ctx)
                return
            # Anything else after the answer: a new question, handled from the menu level.
            state.clear()
            await self._menu_level(ctx, payload)
            return
        if step == "kbli_pick":
            picked = requirements.pick(ctx, payload)
            if picked == "picked":
                self._answered(ctx, "kbli")
                await self._advance(ctx)
                return
            if picked == "none":
                requirements.none_of_these(ctx)
                return
            if inbound.text and not payload:
                step = "kbli"  # typed a new description instead of tapping
            else:
                ctx.miss()
                requirements.offer_candidates(ctx, list(state.get("kbli_candidates") or []))
                return
        if step == "kbli":
            if payload == requirements.P_RETRY:
                state["rephrase"] = 0
                form.ask_field(ctx, "kbli", None)
                return
            if inbound.text.strip():
                nlu = await ctx.nlu()
                if requirements.take_description(ctx, nlu):
                    return
                if await self._interruption(ctx, free_text=True):
                    return
                if not requirements.none_of_these(ctx):
                    return
                return
            await self._wrong_answer(ctx, "kbli", "kbli_describe", intro)
            return
        if step.startswith("doc:") and (
            payload == form.CANNOT or (inbound.text and _cannot_provide(inbound.text))
        ):
            ctx.ask(
                ctx.t("cannot_provide"),
                [
                    Button(ctx.t("menu_officer"), P_OFFICER),
                    Button(ctx.t("btn_continue_later"), P_MENU),
                ],
            )
            state["step"] = step
            return
        if step == form.OUTSIDE or (step == "kecamatan" and payload == form.OUTSIDE):
            state["step"] = "kecamatan"
            ctx.ask(
                ctx.t("outside_city"),
                [
                    Button(ctx.t("btn_inside_after_all"), P_RESUME),
                    Button(ctx.t("btn_menu"), P_MENU),
                ],
            )
            return
        if not step:
            await self._advance(ctx)
            return
        checked = form.take_answer(ctx, step, payload)
        if checked.ok:
            self._answered(ctx, step)
            if intro:
                ctx.say(intro)
            await self._advance(ctx)
            return
        if await self._interruption(ctx, free_text=step in form.FREE_TEXT):
            return
        if step == "kecamatan" and inbound.text and checked.error == "place_unknown":
            await self._wrong_answer(ctx, step, "place_outside_or_unknown", intro)
            return
        await self._wrong_answer(ctx, step, checked.error, intro, detail=checked.detail)

    def _answered(self, ctx: Ctx, name: str) -> None:
        ctx.state["misses"] = 0
        history: list[str] = ctx.state.setdefault("history", [])
        if name not in history:
            history.append(name)

    async def _wrong_answer(
        self, ctx: Ctx, step: str, error: str, intro: str, *, detail: str = ""
    ) -> None:
        if intro:
            # After days of silence an unrelated message is not a mistake: remind, don't count.
            await self._resume(ctx, intro=intro + "\n" + ctx.t("reminder_step"))
            return
        ctx.miss()
        message = ctx.t("err_" + error, detail=detail, limit_mb=10)
        await self._resume(ctx, intro=message)

    async def _advance(self, ctx: Ctx, *, intro: str = "") -> None:
        flow = ctx.state.get("flow")
        _, rule_set = await active_rules(ctx)
        data = ctx.data
        if flow == "requirements":
            nxt = form.next_field(form.requirements_sequence(data, rule_set), data)
            if nxt is None:
                if intro:
                    ctx.say(intro)
                _, decision = await decide(ctx)
                ctx.state["step"] = "result"
                requirements.render_decision(ctx, decision)
                await requirements.record_check(ctx, decision)
                return
            form.ask_field(ctx, nxt, rule_set, intro=intro)
            return
        decision_json = await self._decision_json(ctx)
        nxt = form.next_field(form.application_sequence(data, rule_set, decision_json), data)
        if nxt is None:
            if intro:
                ctx.say(intro)
            await self._show_summary(ctx)
            return
        form.ask_field(ctx, nxt, rule_set, intro=intro)

    async def _decision_json(self, ctx: Ctx) -> dict[str, Any] | None:
        if not ctx.data.get("kbli"):
            return None
        _, decision = await decide(ctx)
        return decision_to_json(decision)

    async def _show_summary(self, ctx: Ctx, *, intro: str = "") -> None:
        if intro:
            ctx.say(intro)
        application.show_summary(ctx, await self._decision_json(ctx))

    async def _resume(self, ctx: Ctx, *, intro: str = "") -> None:
        """Ask the current step again (after an interruption, a mistake or a long silence)."""
        flow = str(ctx.state.get("flow") or "")
        step = str(ctx.state.get("step") or "")
        if flow == "survey":
            if intro:
                ctx.say(intro)
            survey.ask(ctx)
            return
        if flow == "revise":
            if step == "revise_pick" or not step:
                status.revise_menu(ctx, intro=intro)
            else:
                form.ask_field(ctx, step, None, intro=intro)
            return
        if flow not in FORM_FLOWS:
            ctx.send(self._menu(ctx, intro=intro))
            return
        if step in ("summary", "edit_section", "edit_field"):
            await self._show_summary(ctx, intro=intro)
        elif step == "kbli_pick":
            if intro:
                ctx.say(intro)
            requirements.offer_candidates(ctx, list(ctx.state.get("kbli_candidates") or []))
        elif step == "result":
            if intro:
                ctx.say(intro)
            _, decision = await decide(ctx)
            requirements.render_decision(ctx, decision)
        elif step:
            _, rule_set = await active_rules(ctx)
            form.ask_field(ctx, step, rule_set, intro=intro)
        else:
            await self._advance(ctx, intro=intro)

    async def _back(self, ctx: Ctx) -> None:
        state = ctx.state
        flow = str(state.get("flow") or "")
        if flow not in FORM_FLOWS:
            if flow:
                await self._resume(ctx)
                return
            ctx.send(self._menu(ctx, intro=ctx.t("back_at_menu")))
            return
        step = str(state.get("step") or "")
        if step in ("edit_section", "edit_field"):
            await self._show_summary(ctx)
            return
        history: list[str] = state.setdefault("history", [])
        if step == "kbli_pick":
            state["step"] = "kbli"
            await self._resume(ctx)
            return
        if not history:
            state.clear()
            ctx.send(self._menu(ctx, intro=ctx.t("back_at_menu")))
            return
        previous = history.pop()
        form.forget(ctx.data, previous)
        state["misses"] = 0
        _, rule_set = await active_rules(ctx)
        form.ask_field(ctx, previous, rule_set, intro=ctx.t("went_back"))

    async def _interruption(self, ctx: Ctx, *, free_text: bool) -> bool:
        """A question in the middle of a form: answer it, then ask the step again."""
        typed = ctx.inbound.text.strip()
        if not typed or ctx.inbound.payload:
            return False
        reference = find_reference(typed)
        if reference:
            await status.show_reference(ctx, reference)
            await self._resume(ctx, intro=ctx.t("back_to_form"))
            return True
        if free_text and "?" not in typed:
            name = await ctx.intent(FREE_TEXT_QUESTION_CONFIDENCE)
        else:
            name = await ctx.intent(INTENT_CONFIDENCE)
        if name not in QUESTION_INTENTS:
            return False
        decision = None
        if ctx.data.get("kbli"):
            _, decision = await decide(ctx)
        if name == "ask_cost":
            ctx.send(requirements.fee_answer(ctx, decision))
        elif name == "ask_duration":
            ctx.send(requirements.duration_answer(ctx, decision))
        elif name in ("ask_documents", "ask_requirements"):
            ctx.send(requirements.documents_answer(ctx, decision))
        elif name == "ask_office_info":
            ctx.say(self._office_text(ctx.locale))
        elif name == "check_status":
            await status.show_own(ctx)
        elif name in ("talk_to_human", "complaint"):
            await self._officer(ctx)
            return True
        elif name == "help":
            ctx.say(ctx.t("help_in_form"))
        await self._resume(ctx, intro=ctx.t("back_to_form"))
        return True

    async def _officer(self, ctx: Ctx) -> None:
        """Ask for an officer: the pipeline's handoff service queues the conversation (mode
        `waiting`) and tells the citizen their place; the form answers stay in the state."""
        step = str(ctx.state.get("step") or "")
        reason = "asked"
        if step in ("kbli", "kbli_pick"):
            reason = "kbli_not_found"
        elif step.startswith("doc:"):
            reason = "document_missing"
        elif step == "result":
            reason = "decision_check"
        if ctx.inbound.text and not ctx.inbound.payload and await ctx.intent() == "complaint":
            reason = "complaint"
        ctx.state["handoff_reason"] = reason
        ctx.mode = "waiting"
        ctx.say(ctx.t("officer_requested"))

    # -- rendering -------------------------------------------------------------------------

    def _menu(self, ctx: Ctx, *, greet: bool = False, intro: str = "") -> Outbound:
        locale = ctx.locale
        buttons = [
            Button(text(locale, "menu_requirements"), P_REQUIREMENTS),
            Button(text(locale, "menu_apply"), P_APPLY),
            Button(text(locale, "menu_status"), P_STATUS),
            Button(text(locale, "menu_officer"), P_OFFICER),
            Button(text(locale, "menu_office"), P_OFFICE),
            Button(text(locale, "menu_language"), P_LANGUAGE),
        ]
        if ctx.state.get("parked"):
            buttons.append(Button(text(locale, "btn_resume"), P_RESUME))
        ctx.state["options"] = [b.payload for b in buttons]
        head = text(locale, "greeting") if greet else intro
        body = f"{head}\n\n{text(locale, 'menu_prompt')}" if head else text(locale, "menu_prompt")
        return Outbound(body, buttons=tuple(buttons), as_list=True, list_title="Menu")

    def _hours(self, locale: str) -> str:
        office = self._office
        lang = locale if locale in office.hours else "id"
        return "\n".join(f"• {h}" for h in office.hours[lang])

    def _office_text(self, locale: str) -> str:
        office = self._office
        lang = locale if locale in office.bring else "id"
        return text(
            locale,
            "office_info",
            name=office.name,
            address=office.address,
            hours=self._hours(locale),
            bring="\n".join(f"• {b}" for b in office.bring[lang]),
            website=office.website,
        )

    @staticmethod
    def _picked_option(typed: str, state: Mapping[str, Any]) -> str:
        """A typed number picks the numbered option of the last question (terminal, SMS-like)."""
        if state.get("step") in NUMBER_STEPS:
            return ""  # "3" at "how many workers?" is an answer, not option 3
        options = state.get("options") or []
        stripped = typed.strip().rstrip(".")
        if stripped.isdigit() and 1 <= int(stripped) <= len(options):
            return str(options[int(stripped) - 1])
        return ""


_CANNOT = re.compile(
    r"\b(tidak|gak|ga|nggak|belum)\s+(punya|ada|bisa)\b|\bcan'?not\b|\bdon'?t have\b|\bcan't\b",
    re.IGNORECASE,
)


def _cannot_provide(typed: str) -> bool:
    return bool(_CANNOT.search(typed))
