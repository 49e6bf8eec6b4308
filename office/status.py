"""Status changes of applications, for the officer console (and anything else that moves them).

One call = one transaction: the application changes, a history row records who/when/why, and the
citizen's notification is written to the outbox of the conversation they applied from, so it goes
out on the channel they used (as a WhatsApp template outside the 24-hour window).
"""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from dialogs.formatting import format_date
from dialogs.messages import ConversationKey, Outbound, OutboundKind
from dialogs.ports import ApplicationView
from dialogs.status import next_words, status_message, status_words
from dialogs.survey import survey_invitation
from dialogs.texts import text
from office.notifications import Notifications
from storage.applications import (
    TRANSITIONS,
    TransitionError,
    get_by_reference,
    record_change,
    record_result,
    view,
)
from storage.models import Conversation

log = logging.getLogger(__name__)

__all__ = [
    "FINAL_STATUSES",
    "TRANSITIONS",
    "ApplicationNotFound",
    "CompletionNeedsResult",
    "NotCompleted",
    "StatusService",
    "TransitionError",
]

# Statuses that can never be left again: the console asks before moving an application there.
FINAL_STATUSES = frozenset(s for s, onward in TRANSITIONS.items() if not onward)


class ApplicationNotFound(LookupError):
    pass


class CompletionNeedsResult(ValueError):
    """Completing needs what was issued: the permit document or the permit/NIB number."""


class NotCompleted(ValueError):
    """A result document can be added afterwards only to a completed application."""


class StatusService:
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], notifications: Notifications
    ) -> None:
        self._sessions = sessions
        self._notifications = notifications

    async def change_status(
        self,
        reference: str,
        new_status: str,
        *,
        by: str,
        note: str = "",
        document_ref: str | None = None,
        permit_number: str = "",
    ) -> ApplicationView:
        """Move `reference` to `new_status` (allowed transitions only) and tell the citizen.

        `document_ref` ("sha256:<hex>" in the file store) is the issued permit when completing;
        `note` is the officer's note (what to fix for needs_revision, the reason for rejected).
        """
        if new_status in ("needs_revision", "rejected") and not note.strip():
            raise ValueError(f"{new_status} needs a note for the citizen")
        async with self._sessions() as session, session.begin():
            row = await get_by_reference(session, reference, lock=True)
            if row is None:
                raise ApplicationNotFound(reference)
            issued = document_ref or permit_number.strip() or row.result_document
            if new_status == "completed" and not (issued or row.permit_number):
                raise CompletionNeedsResult(reference)
            record_change(
                session, row, new_status, by=by, note=note, document_ref=document_ref or ""
            )
            if new_status == "completed":
                row.permit_number = permit_number or row.permit_number
                row.result_document = document_ref or row.result_document
            conv = await session.get(Conversation, row.conversation_id)
            locale = conv.locale if conv is not None else row.locale
            current = view(row)
            messages = _notification(current, locale)
            await self._notifications.enqueue(
                session,
                row.conversation_id,
                ConversationKey(row.channel, row.chat_id),
                messages,
                author_id=by,
            )
            conversation_id = row.conversation_id
        self._notifications.notify(conversation_id)
        log.info("application %s -> %s by %s", reference, new_status, by)
        return current

    async def add_result(
        self, reference: str, *, by: str, document_ref: str | None = None, permit_number: str = ""
    ) -> ApplicationView:
        """Give a completed application its permit document or number afterwards, and send it
        to the citizen (completing needed only one of the two)."""
        permit_number = permit_number.strip()
        if not document_ref and not permit_number:
            raise CompletionNeedsResult(reference)
        async with self._sessions() as session, session.begin():
            row = await get_by_reference(session, reference, lock=True)
            if row is None:
                raise ApplicationNotFound(reference)
            if row.status != "completed":
                raise NotCompleted(reference)
            row.result_document = document_ref or row.result_document
            row.permit_number = permit_number or row.permit_number
            record_result(session, row, by=by, document_ref=document_ref or "")
            conv = await session.get(Conversation, row.conversation_id)
            current = view(row)
            messages = _result_message(current, conv.locale if conv is not None else row.locale)
            await self._notifications.enqueue(
                session,
                row.conversation_id,
                ConversationKey(row.channel, row.chat_id),
                messages,
                author_id=by,
            )
            conversation_id = row.conversation_id
        self._notifications.notify(conversation_id)
        log.info("application %s: result added by %s", reference, by)
        return current


def _document(app: ApplicationView, locale: str) -> Outbound:
    return Outbound(
        text(locale, "result_document_caption", reference=app.reference),
        kind=OutboundKind.DOCUMENT,
        document_ref=app.result_document,
        document_name=f"izin-{app.reference}.pdf",
        document_mime="application/pdf",
        author="system",
    )


def _result_message(app: ApplicationView, locale: str) -> list[Outbound]:
    body = text(locale, "result_added", reference=app.reference)
    if app.permit_number:
        body += "\n\n" + text(locale, "status_permit_number", number=app.permit_number)
    messages = [Outbound(body, author="system")]
    if app.result_document:
        messages.append(_document(app, locale))
    return messages


def _notification(app: ApplicationView, locale: str) -> list[Outbound]:
    status = status_words(locale, app.status)
    due = format_date(app.due_date, locale)
    body = text(
        locale,
        "status_update",
        reference=app.reference,
        status=status,
        due=due,
        next=next_words(locale, app),
    )
    if app.status_note:
        body += "\n\n" + text(locale, "status_note", note=app.status_note)
    if app.permit_number:
        body += "\n\n" + text(locale, "status_permit_number", number=app.permit_number)
    buttons = status_message(locale, app).buttons
    messages = [
        Outbound(
            body,
            buttons=buttons,
            author="system",
            template="status_update",
            template_params=(app.reference, status, due),
        )
    ]
    if app.status == "completed":
        if app.result_document:
            messages.append(_document(app, locale))
        messages.append(survey_invitation(locale, "application", app.reference))
    return messages
