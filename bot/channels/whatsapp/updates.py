"""WhatsApp webhook bodies -> `Received`, read through pywa's typed updates.

pywa's update types (`Message`, `CallbackButton`, `CallbackSelection`, `MessageStatus`) each read
ONE message or status: the first of the first change of the first entry, with its sender in
`contacts[0]` carrying a `user_id`. A webhook body may batch many (entries, changes, messages,
statuses), and older payloads and identity-change events carry no `user_id`. So the envelope is
walked here (object, entry, changes, field, our phone number id), each message or status is cut
out as an update of its own with its sender's contact first (filled in from the message where
WhatsApp left fields out), and read by the pywa type pywa's own dispatcher would pick for it.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from pywa.types.base_update import RawUpdate
from pywa.types.callback import CallbackButton, CallbackSelection
from pywa.types.message import Message
from pywa.types.message_status import MessageStatus
from pywa.types.user import User
from pywa_async.client import WhatsApp

from bot.channels.base import DeliveryReceipt, Received
from dialogs.messages import Attachment, Contact, ConversationKey, Inbound, Location

log = logging.getLogger(__name__)

CHANNEL = "whatsapp"
MEDIA_REF_PREFIX = "wa-media:"
# Message kinds the dialogs cannot use; the citizen is told so politely.
UNSUPPORTED_KINDS = {"audio", "video", "sticker", "unsupported", "order", "unknown"}
# Kinds that need no answer: a reaction or a system notice is not a question.
IGNORED_KINDS = {"reaction", "system", "edit", "revoke", "request_welcome", "ephemeral"}
# What pywa cannot read in a message it was given: logged, and the message is not answered.
UNREADABLE = (KeyError, TypeError, ValueError, OverflowError, AttributeError, IndexError)


class UpdateReader:
    def __init__(self, client: WhatsApp, phone_number_id: str) -> None:
        self._client = client
        self._phone_number_id = phone_number_id

    def read(self, body: bytes) -> Received:
        """Every message and receipt in one webhook body; malformed parts are logged, skipped."""
        try:
            data = json.loads(body)
        except ValueError:
            log.warning("WhatsApp webhook body is not JSON (%d bytes); ignored", len(body))
            return Received()
        if not isinstance(data, dict) or data.get("object") != "whatsapp_business_account":
            log.info("WhatsApp webhook for object %r ignored", _get(data, "object"))
            return Received()
        inbounds: list[Inbound] = []
        receipts: list[DeliveryReceipt] = []
        for entry_id, value in self._values(data):
            for error in _list(value.get("errors")):
                log.warning("WhatsApp webhook error: %s", describe_error(error))
            for message in _list(value.get("messages")):
                inbound = self._inbound(entry_id, value, message)
                if inbound is not None:
                    inbounds.append(inbound)
            for status in _list(value.get("statuses")):
                receipt = self._receipt(entry_id, value, status)
                if receipt is not None:
                    receipts.append(receipt)
        return Received(tuple(inbounds), tuple(receipts))

    def _values(self, data: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
        """(entry id, value) of every `messages` change for our phone number."""
        for entry in _list(data.get("entry")):
            for change in _list(_get(entry, "changes")):
                if _get(change, "field") != "messages":
                    log.info("WhatsApp webhook field %r ignored", _get(change, "field"))
                    continue
                value = _get(change, "value")
                if not isinstance(value, dict):
                    continue
                phone_id = str(_get(_get(value, "metadata"), "phone_number_id") or "")
                if phone_id and phone_id != self._phone_number_id:
                    log.info("WhatsApp update for another phone number id ignored")
                    continue
                yield str(_get(entry, "id") or ""), value

    def _inbound(self, entry_id: str, value: dict[str, Any], message: Any) -> Inbound | None:
        if not isinstance(message, dict):
            return None
        message_id = str(message.get("id") or "")
        kind = str(message.get("type") or "unknown")
        for error in _list(message.get("errors")):
            log.warning(
                "WhatsApp message %s carries an error: %s", message_id, describe_error(error)
            )
        if "group_id" in message:
            log.info("WhatsApp group message %s ignored (one citizen per chat)", message_id)
            return None
        contact = _sender_contact(message, value)
        if not message_id or contact is None:
            log.warning("WhatsApp message without id or sender ignored (type %s)", kind)
            return None
        if kind in IGNORED_KINDS:
            log.info("WhatsApp %s message %s needs no answer; ignored", kind, message_id)
            return None
        update = _single(entry_id, value, contact, "messages", message)
        try:
            inbound = _READERS.get(kind, _other)(self._client, update)
        except UNREADABLE:
            log.exception("WhatsApp message %r could not be read; ignored", message_id)
            return None
        return _with_timestamp(inbound, message.get("timestamp"))

    def _receipt(self, entry_id: str, value: dict[str, Any], status: Any) -> DeliveryReceipt | None:
        if not isinstance(status, dict) or not status.get("id") or not status.get("status"):
            return None
        recipient = str(status.get("recipient_id") or status.get("recipient") or "")
        contact = {"wa_id": recipient, "user_id": recipient}
        update = _single(entry_id, value, contact, "statuses", status)
        try:
            read = MessageStatus.from_update(self._client, update)
        except UNREADABLE:
            log.exception("WhatsApp status for %r could not be read; ignored", status.get("id"))
            return None
        errors = [describe_error(e) for e in _list(status.get("errors"))]
        receipt = DeliveryReceipt(
            platform_message_id=read.id,
            status=str(status["status"]),  # as sent: pywa maps unknown ones to UNKNOWN
            error="; ".join(errors),
            recipient_id=recipient,
        )
        if errors:
            log.warning("WhatsApp message %s %s: %s", read.id, receipt.status, receipt.error)
        return receipt


# -- one update per message --------------------------------------------------------------------


def _sender_contact(message: dict[str, Any], value: dict[str, Any]) -> dict[str, Any] | None:
    """The sender's entry of `contacts`, with `wa_id` and `user_id` filled in where known.

    The conversation is keyed by the phone number (`wa_id`) when WhatsApp gives one, else by the
    business-scoped user id (BSUID, `US.…`), so a citizen whose number is hidden is still served.
    """
    wa_id = str(message.get("from") or "")
    bsuid = str(message.get("from_user_id") or "")
    found = _find_contact(
        [c for c in _list(value.get("contacts")) if isinstance(c, dict)], wa_id, bsuid
    )
    wa_id = wa_id or str(found.get("wa_id") or "")
    bsuid = bsuid or str(found.get("user_id") or "")
    if not (wa_id or bsuid):
        return None
    name = _get(found.get("profile"), "name")
    return {
        "wa_id": wa_id,
        "user_id": bsuid or wa_id,  # pywa requires one; the chat is keyed by wa_id first anyway
        "profile": {"name": name if isinstance(name, str) else ""},
    }


def _find_contact(contacts: list[dict[str, Any]], wa_id: str, bsuid: str) -> dict[str, Any]:
    for contact in contacts:
        if (wa_id and contact.get("wa_id") == wa_id) or (bsuid and contact.get("user_id") == bsuid):
            return contact
    return contacts[0] if len(contacts) == 1 else {}


def _single(
    entry_id: str, value: dict[str, Any], contact: dict[str, Any], field: str, item: dict[str, Any]
) -> RawUpdate:
    """A webhook body holding just `item` (a message or a status) and its contact."""
    stamp = item.get("timestamp")
    # The time is read by us (`_with_timestamp`), leniently; pywa only needs a valid one.
    item = {**item, "timestamp": stamp if _timestamp(stamp) is not None else "0"}
    single = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": entry_id,
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": value.get("metadata") or {},
                            "contacts": [contact],
                            field: [item],
                        },
                    }
                ],
            }
        ],
    }
    return RawUpdate(json.dumps(single).encode(), hmac_header=None, update_hash="")


# -- message kinds -----------------------------------------------------------------------------


def _base(user: User, message_id: str, **content: Any) -> Inbound:
    chat_id = user.wa_id or user.bsuid
    return Inbound(
        key=ConversationKey(CHANNEL, chat_id),
        message_id=message_id,
        sender_id=chat_id,
        sender_name=user.name or "",
        **content,
    )


def _text(client: WhatsApp, update: RawUpdate) -> Inbound:
    msg = Message.from_update(client, update)
    return _base(msg.from_user, msg.id, text=msg.text or "")


def _interactive(client: WhatsApp, update: RawUpdate) -> Inbound:
    reply = _get(_message_of(update).get("interactive"), "type")
    # Like the web chat: a tap carries the payload only, never text to interpret.
    if reply == "button_reply":
        button = CallbackButton.from_update(client, update)
        return _base(button.from_user, button.id, payload=button.data)
    if reply == "list_reply":
        row = CallbackSelection.from_update(client, update)
        return _base(row.from_user, row.id, payload=row.data)
    msg = Message.from_update(client, update)
    return _base(msg.from_user, msg.id, unsupported=f"interactive:{reply or 'unknown'}")


def _template_button(client: WhatsApp, update: RawUpdate) -> Inbound:
    """A quick-reply button of a template message: its payload, else its label as text."""
    button = CallbackButton.from_update(client, update)
    payload = button.data or ""
    return _base(button.from_user, button.id, payload=payload, text="" if payload else button.title)


def _media(client: WhatsApp, update: RawUpdate) -> Inbound:
    msg = Message.from_update(client, update)
    media = msg.image or msg.document
    if media is None or not media.id:
        return _base(msg.from_user, msg.id, unsupported=str(msg.type))
    attachment = Attachment(
        kind="photo" if msg.image is not None else "document",
        ref=MEDIA_REF_PREFIX + media.id,
        file_name=(msg.document.filename or "") if msg.document is not None else "",
        mime_type=(media.mime_type or "").split(";")[0].strip(),
    )
    return _base(msg.from_user, msg.id, attachments=(attachment,))


def _location(client: WhatsApp, update: RawUpdate) -> Inbound:
    msg = Message.from_update(client, update)
    place = msg.location
    if place is None:
        return _base(msg.from_user, msg.id, unsupported="location")
    location = Location(
        latitude=float(place.latitude),
        longitude=float(place.longitude),
        name=place.name or "",
        address=place.address or "",
    )
    return _base(msg.from_user, msg.id, location=location)


def _contacts(client: WhatsApp, update: RawUpdate) -> Inbound:
    msg = Message.from_update(client, update)
    for card in msg.contacts or ():
        for phone in card.phones:
            number = (phone.phone or phone.wa_id or "").strip()
            if number:
                name = card.name.formatted_name or card.name.first_name if card.name else ""
                return _base(msg.from_user, msg.id, contact=Contact(phone=number, name=name or ""))
    return _base(msg.from_user, msg.id, unsupported="contacts")


def _other(client: WhatsApp, update: RawUpdate) -> Inbound:
    msg = Message.from_update(client, update)
    kind = str(_message_of(update).get("type") or "unknown")
    return _base(
        msg.from_user, msg.id, unsupported=kind if kind in UNSUPPORTED_KINDS else "unknown"
    )


_READERS: dict[str, Callable[[WhatsApp, RawUpdate], Inbound]] = {
    "text": _text,
    "interactive": _interactive,
    "button": _template_button,
    "image": _media,
    "document": _media,
    "location": _location,
    "contacts": _contacts,
}


# -- helpers -----------------------------------------------------------------------------------


def _message_of(update: RawUpdate) -> dict[str, Any]:
    message: dict[str, Any] = update.value["messages"][0]
    return message


def _with_timestamp(inbound: Inbound, stamp: Any) -> Inbound:
    return dataclasses.replace(inbound, timestamp=_timestamp(stamp))


def _timestamp(value: Any) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(value), UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def _get(obj: Any, key: str) -> Any:
    return obj.get(key) if isinstance(obj, dict) else None


def _list(obj: Any) -> list[Any]:
    return obj if isinstance(obj, list) else []


def describe_error(error: Any) -> str:
    if not isinstance(error, dict):
        return str(error)[:200]
    details = _get(error.get("error_data"), "details") or ""
    title = error.get("title") or error.get("message") or ""
    return f"{error.get('code')}: {title}" + (f" ({details})" if details else "")
