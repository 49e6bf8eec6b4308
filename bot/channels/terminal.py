"""Terminal channel: `siketan chat`. Buttons are shown as numbered options; typing the number
picks one (the dialogs understand a typed option number on every channel)."""

from __future__ import annotations

import asyncio
import getpass
import re
import shutil
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TextIO

from bot.channels.base import (
    Capabilities,
    Channel,
    ChannelContext,
    Delivered,
    Received,
    SendContext,
)
from bot.settings import Settings
from dialogs.messages import ConversationKey, Inbound, Outbound, numbered_text

CHANNEL = "terminal"
# The dialogs mark words *bold* (WhatsApp's way); a terminal shows plain text.
_BOLD = re.compile(r"\*([^*\n]+)\*")


class TerminalChannel(Channel):
    name = CHANNEL
    capabilities = Capabilities(max_buttons=0, documents=False, pull_delivery=True)

    def __init__(self, out: TextIO = sys.stdout, downloads: Path | None = None) -> None:
        self._out = out
        # Documents the bot sends are copied here under their own names, and the path printed.
        self._downloads = downloads
        self._context: ChannelContext | None = None

    async def start(self, context: ChannelContext) -> None:
        self._context = context

    async def send(
        self, key: ConversationKey, message: Outbound, context: SendContext | None = None
    ) -> Delivered:
        self.show(message)
        return Delivered()

    def show(self, message: Outbound) -> None:
        prefix = "Petugas" if message.author == "officer" else "SIKETAN"
        plain = _BOLD.sub(r"\1", numbered_text(message))
        self._out.write(f"\n{prefix}: {plain}\n")
        if message.document_ref:
            self._out.write(self._saved(message) + "\n")
        self._out.flush()

    def _saved(self, message: Outbound) -> str:
        """Copy the document out of the file store; say where it is, or that it is not there."""
        name = Path(message.document_name or "dokumen").name
        source = None
        if self._context is not None:
            try:
                source = self._context.files.path_for(message.document_ref.removeprefix("sha256:"))
            except ValueError:
                source = None
        if source is None or not source.is_file() or self._downloads is None:
            return f"(Dokumen {name} tidak tersedia di terminal ini.)"
        self._downloads.mkdir(parents=True, exist_ok=True)
        target = self._downloads / name
        shutil.copyfile(source, target)
        return f"Dokumen {name} disimpan di {target.resolve()}"


async def run_terminal_chat(
    settings: Settings, stdin: TextIO = sys.stdin, out: TextIO = sys.stdout, chat_id: str = ""
) -> None:
    from bot.app import build_app

    terminal = TerminalChannel(out, downloads=Path(settings.files.root).parent / "unduhan")
    app = build_app(settings, extra_channels={CHANNEL: terminal})
    await app.start(run_outbox=False)
    context = app.channel_context(CHANNEL)
    key = ConversationKey(CHANNEL, chat_id or f"local-{getpass.getuser()}")
    out.write("SIKETAN di terminal. Ketik pesan Anda; 'keluar' atau Ctrl-D untuk selesai.\n")
    try:
        async for line in _typed_lines(stdin, out):
            inbound = Inbound(key=key, message_id=f"term-{uuid.uuid4()}", text=line)
            outcome = await context.receive(terminal, Received((inbound,)))
            if not outcome.ok:
                raise RuntimeError("the message could not be handled (see the log)")
            for result in outcome.results:
                for reply in result.replies:
                    terminal.show(reply.message)
    finally:
        out.write("\nSampai jumpa.\n")
        await app.stop()


async def _typed_lines(stdin: TextIO, out: TextIO) -> AsyncIterator[str]:
    """What the citizen types, line by line, starting with a greeting on their behalf."""
    yield "halo"
    while True:
        out.write("\nAnda: ")
        out.flush()
        line = await asyncio.to_thread(stdin.readline)
        if not line:
            return
        line = line.rstrip("\n")
        if line.strip().lower() in ("keluar", "exit", "quit"):
            return
        if line.strip():
            yield line
