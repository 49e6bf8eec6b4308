"""Downloading a citizen's file from Telegram: getFile, then the file URL, within both limits
(ours and the Bot API's 20 MB), never reading past them."""

from __future__ import annotations

import httpx
from telegram import Bot
from telegram.error import BadRequest

from bot.channels.telegram.api import GETFILE_LIMIT
from dialogs.messages import Attachment
from storage.files import FileRejected


class FileDownloader:
    def __init__(self, bot: Bot) -> None:
        self._bot = bot
        self._http: httpx.AsyncClient | None = None

    def open(self) -> None:
        self._http = httpx.AsyncClient(timeout=httpx.Timeout(30.0, connect=10.0))

    async def close(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    async def fetch(self, attachment: Attachment, max_bytes: int) -> bytes:
        limit = min(max_bytes, GETFILE_LIMIT)
        if attachment.size is not None and attachment.size > limit:
            raise FileRejected("too_large", f"{attachment.size} bytes announced")
        try:
            tg_file = await self._bot.get_file(attachment.ref.removeprefix("tg:"))
        except BadRequest as exc:
            if "too big" in str(exc).lower():
                raise FileRejected("too_large", "over the Bot API download limit") from exc
            raise
        if tg_file.file_size is not None and tg_file.file_size > limit:
            raise FileRejected("too_large", f"{tg_file.file_size} bytes")
        if not tg_file.file_path:
            raise RuntimeError("Telegram gave no file path")
        http = self._http or httpx.AsyncClient(timeout=30.0)
        try:
            return await _download(http, tg_file.file_path, max_bytes)
        except httpx.HTTPError as exc:
            # The URL holds the bot token: report the failure without it.
            raise RuntimeError(f"file download failed: {type(exc).__name__}") from None
        finally:
            if http is not self._http:
                await http.aclose()


async def _download(http: httpx.AsyncClient, url: str, max_bytes: int) -> bytes:
    chunks: list[bytes] = []
    total = 0
    async with http.stream("GET", url) as response:
        if response.status_code != 200:
            raise RuntimeError(f"file download answered HTTP {response.status_code}")
        async for chunk in response.aiter_bytes():
            total += len(chunk)
            if total > max_bytes:
                raise FileRejected("too_large", f"over {max_bytes} bytes")
            chunks.append(chunk)
    return b"".join(chunks)
