"""File store: uploaded documents kept by content hash, checked by content before keeping.

Only JPEG, PNG and PDF are accepted, judged by their bytes (a renamed .exe stays refused), and
nothing larger than the configured limit (10 MB by default) is read past that limit.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import filetype

ALLOWED = {"image/jpeg": ".jpg", "image/png": ".png", "application/pdf": ".pdf"}
CHUNK = 256 * 1024


class FileRejected(Exception):
    """`reason` is `too_large`, `wrong_type` or `empty`; the caller words it for the citizen."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int
    mime_type: str
    file_name: str


class AsyncReadable(Protocol):
    filename: str | None

    async def read(self, size: int = -1) -> bytes: ...


def sniff(data: bytes) -> str | None:
    kind = filetype.guess(data[:8192])
    return kind.mime if kind is not None and kind.mime in ALLOWED else None


def safe_name(name: str) -> str:
    base = os.path.basename(name.replace("\\", "/")).strip() or "dokumen"
    cleaned = "".join(c for c in base if c.isprintable() and c not in '<>:"/|?*')
    return cleaned[:120] or "dokumen"


class FileStore:
    def __init__(self, root: Path, max_bytes: int) -> None:
        self.root = Path(root)
        self.max_bytes = max_bytes

    def path_for(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError("not a sha256 hex digest")
        return self.root / sha256[:2] / sha256

    def check(self, data: bytes) -> str:
        if not data:
            raise FileRejected("empty")
        if len(data) > self.max_bytes:
            raise FileRejected("too_large", f"{len(data)} bytes")
        mime = sniff(data)
        if mime is None:
            raise FileRejected("wrong_type")
        return mime

    async def store_bytes(self, data: bytes, file_name: str) -> StoredFile:
        mime = self.check(data)
        digest = hashlib.sha256(data).hexdigest()
        await asyncio.to_thread(self._write, digest, data)
        return StoredFile(digest, len(data), mime, safe_name(file_name))

    async def store_upload(self, upload: AsyncReadable) -> StoredFile:
        chunks: list[bytes] = []
        total = 0
        while chunk := await upload.read(CHUNK):
            total += len(chunk)
            if total > self.max_bytes:
                raise FileRejected("too_large", f"over {self.max_bytes} bytes")
            chunks.append(chunk)
        return await self.store_bytes(b"".join(chunks), upload.filename or "dokumen")

    def read(self, sha256: str) -> bytes:
        return self.path_for(sha256).read_bytes()

    def _write(self, digest: str, data: bytes) -> None:
        path = self.path_for(digest)
        if path.exists():
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)
