"""A platform's webhook as framework-free functions returning (body, status), like pywa's
`server.py`: the web layer only adapts HTTP to them (`bot/web/telegram.py`, `bot/web/whatsapp.py`).

Order matters: authenticity first (from the headers alone, before the body is read, where the
platform allows it), then the body within the adapter's size limit, then parsing. An authentic
request is acknowledged with 200 once handled, also when it cannot be understood, since a non-2xx
makes the platform deliver it again and again; only a failure of our own (database down) answers
500, and the redelivery is then harmless because the pipeline drops message ids it has seen.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping

from bot.channels.base import Channel, ChannelContext

log = logging.getLogger(__name__)

ReadBody = Callable[[int], Awaitable[bytes | None]]  # limit -> body, None when over the limit

FORBIDDEN = ("forbidden", 403)
OK = ("ok", 200)
RETRY_LATER = ("retry later", 500)


async def handle_update(
    channel: Channel, context: ChannelContext, headers: Mapping[str, str], read_body: ReadBody
) -> tuple[str, int]:
    """One webhook POST: verify, read, parse, receive."""
    if not channel.verifies_body and not channel.verify(headers, b""):
        log.warning("%s webhook with a missing or wrong secret refused", channel.name)
        return FORBIDDEN
    body = await read_body(channel.max_body)
    if body is None:
        if not channel.verifies_body:
            # Authentic but larger than any update: acknowledged, or it comes back forever.
            log.warning("%s webhook body over %d bytes ignored", channel.name, channel.max_body)
            return OK
        return ("too large", 413)
    if channel.verifies_body and not channel.verify(headers, body):
        log.warning("%s webhook with a missing or wrong signature refused", channel.name)
        return FORBIDDEN
    received = channel.parse(body)
    if not (await context.receive(channel, received)).ok:
        return RETRY_LATER
    return OK


def handle_challenge(channel: Channel, params: Mapping[str, str]) -> tuple[str, int]:
    """The platform's subscription check (WhatsApp's verification GET)."""
    answer = channel.challenge(params)
    if answer is None:
        log.warning("%s webhook verification refused (wrong mode or token)", channel.name)
        return FORBIDDEN
    return answer, 200
