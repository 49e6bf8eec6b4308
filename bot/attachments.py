"""Fetch a citizen's file from its platform and keep it in the file store, checked.

Every channel goes through here, so the size and type rules are the same everywhere. The result
is an `Attachment` whose `ref` points into the file store, or whose `error` names the refusal.
"""

from __future__ import annotations

import dataclasses
import logging

from bot.channels.base import Channel
from dialogs.messages import Attachment
from storage.files import FileRejected, FileStore

log = logging.getLogger(__name__)


async def ingest(channel: Channel, attachment: Attachment, files: FileStore) -> Attachment:
    if attachment.size is not None and attachment.size > files.max_bytes:
        return dataclasses.replace(attachment, error="too_large")
    try:
        data = await channel.fetch_attachment(attachment, files.max_bytes)
    except FileRejected as exc:
        return dataclasses.replace(attachment, error=exc.reason)
    except Exception:
        log.exception("could not download a %s attachment from %s", attachment.kind, channel.name)
        return dataclasses.replace(attachment, error="download_failed")
    try:
        stored = await files.store_bytes(data, attachment.file_name or attachment.kind)
    except FileRejected as exc:
        return dataclasses.replace(attachment, error=exc.reason, size=len(data))
    return dataclasses.replace(
        attachment,
        ref=f"sha256:{stored.sha256}",
        mime_type=stored.mime_type,
        size=stored.size,
        file_name=stored.file_name,
    )
