"""Re-checking open applications when a rule version is published or rolled back (issue 13
part 4).

Every open application (not completed or rejected) is judged again by the version now in force.
Where the decision changed (risk level, permits and basic requirements, their documents), the
application is flagged for its officer with the old and the new decision side by side, and the
citizen is told on their channel what changed and what to do. An application whose decision is
the same is left alone. Applications keep the version they were judged by; the re-checks are
their history. The caller runs it in the transaction that published, so the new version, the
flags and the messages commit together, then calls `notify` once after the commit.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from dialogs.formatting import format_date
from dialogs.messages import ConversationKey, Outbound
from dialogs.status import status_words
from dialogs.texts import text
from office.notifications import Notifications
from permit_rules import (
    KbliCatalogs,
    KbliCode,
    RuleSet,
    decision_to_json,
    evaluate,
    lookup_code,
    today_jakarta,
)
from permit_rules.changes import DecisionChange, compare_decisions, profile_of_application
from storage import rechecks as repo
from storage.models import Application, Conversation
from storage.rule_sets import active_catalogs, active_version

log = logging.getLogger(__name__)

__all__ = ["RecheckOutcome", "RecheckService", "citizen_message"]


@dataclass(frozen=True)
class RecheckOutcome:
    version: int
    checked: int  # open applications judged again
    changed: tuple[str, ...]  # references of the applications whose decision changed
    conversations: tuple[int, ...]  # whose citizens were written to (notify after the commit)


class RecheckService:
    def __init__(self, notifications: Notifications) -> None:
        self._notifications = notifications

    async def after_publish(
        self, session: AsyncSession, *, today: date | None = None
    ) -> RecheckOutcome:
        """Judge every open application by the version now in force (in `session`'s
        transaction, right after a publish or a rollback)."""
        number, rules = await active_version(session)
        catalogs = await active_catalogs(session)
        return await self.recheck(session, number, rules, catalogs, today=today)

    async def recheck(
        self,
        session: AsyncSession,
        number: int,
        rules: RuleSet,
        catalogs: KbliCatalogs,
        *,
        today: date | None = None,
    ) -> RecheckOutcome:
        day = today or today_jakarta()
        open_apps = await repo.open_applications(session)
        changed: list[str] = []
        conversations: list[int] = []
        for judged in open_apps:
            if judged.version == number:
                continue  # already judged by this very version
            app = judged.application
            code, version, converted_from = _current_code(app, catalogs)
            profile = profile_of_application(
                code, version, dict(app.business or {}), converted_from
            )
            after = decision_to_json(evaluate(rules, profile, version=number, today=day))
            change = compare_decisions(judged.decision, after)
            if not change.changed:
                continue
            todo = "upload" if change.documents_added else "nothing"
            repo.add_recheck(
                session,
                app.id,
                previous_version=judged.version,
                rule_set_version=number,
                before=judged.decision,
                after=after,
                changes=change.to_json(),
                todo=todo,
            )
            conv = await session.get(Conversation, app.conversation_id)
            locale = conv.locale if conv is not None else app.locale
            await self._notifications.enqueue(
                session,
                app.conversation_id,
                ConversationKey(app.channel, app.chat_id),
                [citizen_message(app, change, todo, number, locale)],
                author_id="system",
            )
            changed.append(app.reference)
            conversations.append(app.conversation_id)
        log.info("rule version %s: %d open applications, %d changed", number, len(open_apps),
                 len(changed))  # fmt: skip
        return RecheckOutcome(number, len(open_apps), tuple(changed), tuple(conversations))

    def notify(self, outcome: RecheckOutcome) -> None:
        for conversation_id in dict.fromkeys(outcome.conversations):
            self._notifications.notify(conversation_id)


def _converted_from(app: Application) -> KbliCode | None:
    found = (app.decision or {}).get("converted_from")
    if isinstance(found, dict) and found.get("kbli") and found.get("kbli_version"):
        return KbliCode(str(found["kbli_version"]), str(found["kbli"]))
    return None


def _current_code(app: Application, catalogs: KbliCatalogs) -> tuple[str, str, KbliCode | None]:
    """The application's code in the catalog in force, and the code it was converted from: an
    application from before KBLI 2025 is converted when the table gives exactly one activity;
    otherwise it keeps its KBLI 2020 code, the new decision says it needs an officer, and the
    officer sees why."""
    if app.kbli_version == catalogs.in_force.version:
        return app.kbli, app.kbli_version, _converted_from(app)
    old = KbliCode(app.kbli_version, app.kbli)
    lookup = lookup_code(f"{old.version.removeprefix('KBLI')}:{old.code}", catalogs)
    if lookup.converted and lookup.single is not None:
        return lookup.single.code, catalogs.in_force.version, old
    return app.kbli, app.kbli_version, None


def _risk(locale: str, level: str | None) -> str:
    return text(locale, f"risk_{level}") if level else text(locale, "recheck_risk_unknown")


def citizen_message(
    app: Application, change: DecisionChange, todo: str, version: int, locale: str
) -> Outbound:
    lines = [text(locale, "recheck_intro", version=version, reference=app.reference)]
    if change.risk_before != change.risk_after:
        lines.append(
            text(
                locale,
                "recheck_risk",
                before=_risk(locale, change.risk_before),
                after=_risk(locale, change.risk_after),
            )
        )
    lines += [text(locale, "recheck_added", name=p.name) for p in change.added]
    lines += [text(locale, "recheck_removed", name=p.name) for p in change.removed]
    lines += [
        text(locale, "recheck_document_added", document=doc, permit=permit)
        for permit, doc in change.documents_added
    ]
    lines += [
        text(locale, "recheck_document_removed", document=doc, permit=permit)
        for permit, doc in change.documents_removed
    ]
    body = "\n".join(lines) + "\n\n" + text(locale, f"recheck_todo_{todo}")
    status = status_words(locale, app.status)
    due = format_date(app.due_date, locale)
    # Outside WhatsApp's 24-hour window only an approved template goes out: the status update
    # template names the application, and the citizen can then read the whole message.
    return Outbound(
        body,
        author="system",
        template="status_update",
        template_params=(app.reference, status, due),
    )
