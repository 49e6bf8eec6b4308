"""WhatsApp Cloud API channel, with pywa as the Graph API client and webhook update reader.

Conversations are keyed by the phone number (`wa_id`) when WhatsApp gives one, else by the
business-scoped user id (BSUID, `US.…`); replies go to exactly that identifier, so a citizen whose
number WhatsApp hides (usernames) is still answered on the id they wrote from.

One concept per module:

- `updates`: a webhook body -> `Received`, through pywa's typed updates
- `rendering`: an `Outbound` as a plan of WhatsApp messages (buttons, lists, documents)
- `sending`: the 24-hour window, templates, resuming a long answer
- `errors`: Graph API errors -> `DeliveryError`
- `transport`: pywa's requests to another host (a proxy, the tests' emulator)
- `channel`: `WhatsAppChannel`, the adapter contract put together
"""

from bot.channels.text import shorten
from bot.channels.whatsapp.channel import WhatsAppChannel, build_whatsapp_channel
from bot.channels.whatsapp.rendering import split_text
from bot.channels.whatsapp.transport import PRODUCTION_GRAPH_URL, RewritingTransport
from bot.channels.whatsapp.updates import CHANNEL, MEDIA_REF_PREFIX

__all__ = [
    "CHANNEL",
    "MEDIA_REF_PREFIX",
    "PRODUCTION_GRAPH_URL",
    "RewritingTransport",
    "WhatsAppChannel",
    "build_whatsapp_channel",
    "shorten",
    "split_text",
]
