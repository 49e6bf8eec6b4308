"""The rule set in force and the decision for the answers given so far."""

from __future__ import annotations

from typing import Any

from dialogs.context import Ctx
from permit_rules import (
    IN_FORCE_VERSION,
    BusinessProfile,
    Decision,
    RuleSet,
    evaluate,
    load_default_rule_set,
    today_jakarta,
)


async def active_rules(ctx: Ctx) -> tuple[int, RuleSet]:
    if ctx.repos is not None:
        return await ctx.repos.rules.active()
    # Without storage (a bare dialog engine) the repository's rules answer, as version 0.
    return 0, load_default_rule_set()


def profile(data: dict[str, Any]) -> BusinessProfile:
    conditions = {
        key.split(":", 1)[1]: str(value)
        for key, value in data.items()
        if key.startswith("cond:") and value not in (None, "", "none")
    }
    land = data.get("land_area")
    workers = data.get("workers")
    return BusinessProfile(
        kbli=str(data.get("kbli", "")),
        # Conversations from before KBLI 2025 hold a KBLI 2020 code, labelled by the migration.
        kbli_version=str(data.get("kbli_version") or IN_FORCE_VERSION),
        capital=int(data["capital"]) if data.get("capital") is not None else None,
        annual_sales=int(data["annual_sales"]) if data.get("annual_sales") is not None else None,
        existed_before_2021=data.get("running") == "before_2021",
        land_area_m2=float(land) if land is not None else None,
        workers=int(workers) if workers is not None else None,
        conditions=conditions,
    )


async def decide(ctx: Ctx) -> tuple[RuleSet, Decision]:
    version, rule_set = await active_rules(ctx)
    decision = evaluate(rule_set, profile(ctx.data), version=version, today=today_jakarta())
    return rule_set, decision
