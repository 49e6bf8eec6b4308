"""Satisfaction survey (in the style of the IKM, the public-service satisfaction index):
four 1-4 ratings and an optional comment, skippable with one tap."""

from __future__ import annotations

from dialogs.context import Ctx
from dialogs.messages import Button, Outbound
from dialogs.ports import SurveyAnswer
from dialogs.texts import text

ELEMENTS = ("requirements", "speed", "clarity", "manner")
P_SKIP = "survey:skip"


def survey_invitation(locale: str, service: str, reference: str = "") -> Outbound:
    """The message that starts a survey (after a completed application or a closed officer
    chat); the engine handles its buttons at any step."""
    return Outbound(
        text(locale, "survey_invite"),
        buttons=(
            Button(text(locale, "btn_survey_start"), f"survey:start:{service}:{reference}"),
            Button(text(locale, "btn_survey_skip"), P_SKIP),
        ),
    )


def start(ctx: Ctx, payload: str) -> None:
    _, _, rest = payload.partition("survey:start:")
    service, _, reference = rest.partition(":")
    flow = ctx.state.get("flow")
    parked = ctx.state.get("parked")
    if flow in ("requirements", "apply") and ctx.state.get("data"):
        # A form in progress waits behind the survey (menu -> "continue my form").
        parked = {k: ctx.state[k] for k in ("flow", "step", "data", "history") if k in ctx.state}
    ctx.state.clear()
    if parked:
        ctx.state["parked"] = parked
    ctx.state.update(
        {"flow": "survey", "service": service or "application", "reference": reference}
    )
    ctx.state["ratings"] = {}
    ask(ctx)


def ask(ctx: Ctx) -> None:
    ratings: dict[str, int] = ctx.state.setdefault("ratings", {})
    for element in ELEMENTS:
        if element not in ratings:
            ctx.state["step"] = element
            buttons = [Button(ctx.t(f"survey_scale_{n}"), f"survey:rate:{n}") for n in (4, 3, 2, 1)]
            buttons.append(Button(ctx.t("btn_survey_skip"), P_SKIP))
            ctx.ask(ctx.t("survey_q_" + element), buttons, as_list=True)
            return
    ctx.state["step"] = "comment"
    ctx.ask(ctx.t("survey_comment"), [Button(ctx.t("btn_skip"), "survey:nocomment")])


async def step(ctx: Ctx, payload: str) -> bool:
    current = str(ctx.state.get("step", ""))
    if current in ELEMENTS:
        rating = payload.removeprefix("survey:rate:") if payload.startswith("survey:rate:") else ""
        typed = ctx.inbound.text.strip()
        if not rating and typed in ("1", "2", "3", "4"):
            rating = typed
        if rating not in ("1", "2", "3", "4"):
            return False
        ctx.state["ratings"][current] = int(rating)
        ask(ctx)
        return True
    if current == "comment":
        comment = "" if payload == "survey:nocomment" else ctx.inbound.text.strip()[:1000]
        if ctx.repos is not None:
            await ctx.repos.applications.save_survey(
                ctx.owner,
                SurveyAnswer(
                    service=str(ctx.state.get("service", "application")),
                    reference=str(ctx.state.get("reference", "")),
                    ratings=dict(ctx.state.get("ratings") or {}),
                    comment=comment,
                ),
            )
        parked = ctx.state.get("parked")
        ctx.state.clear()
        if parked:
            ctx.state["parked"] = parked
        ctx.say(ctx.t("survey_thanks"))
        return True
    return False
