"""The KTP reader on real photos of synthetic cards: the real OCR engine, the real file store."""

from __future__ import annotations

import asyncio
import dataclasses
import io
import logging
import random
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from bot.ktp_reader import (
    ImageRejected,
    KtpPrefetch,
    OcrEngine,
    OcrKtpReader,
    bundled_models,
    decode_photo,
)
from dialogs.messages import Attachment, ConversationKey, Inbound
from storage.files import FileStore
from tests.ktp_synth import KtpCard, photograph, random_card, render_card


@pytest.fixture(scope="module")
def engine() -> Iterator[OcrEngine]:
    models = bundled_models()
    assert models is not None, "rapidocr must be installed from requirements.lock"
    yield OcrEngine(1, models)  # loaded once for the module: a load costs seconds


def photo_of(seed: int, *, upside_down: bool = False) -> tuple[KtpCard, bytes]:
    rng = random.Random(seed)
    card = random_card(rng)
    jpeg, _ = photograph(render_card(card, rng), rng, upside_down=upside_down)
    return card, jpeg


async def stored(files: FileStore, data: bytes, name: str = "ktp.jpg") -> str:
    kept = await files.store_bytes(data, name)
    return f"sha256:{kept.sha256}"


async def test_a_photo_of_a_ktp_is_read(
    tmp_path: Path, engine: OcrEngine, caplog: pytest.LogCaptureFixture
) -> None:
    files = FileStore(tmp_path, 10 * 1024 * 1024)
    card, jpeg = photo_of(3)
    reader = OcrKtpReader(files, engine=engine)
    assert reader.enabled
    with caplog.at_level(logging.DEBUG):
        reading = await reader.read(await stored(files, jpeg))
    assert reading is not None
    assert reading.nik == card.nik
    assert reading.name == card.name
    assert reading.birth_date == card.birth_date
    assert reading.female == card.female
    # The log says that a KTP was read, never whose.
    assert card.nik not in caplog.text and card.nik[:12] not in caplog.text
    assert card.name not in caplog.text


async def test_a_photo_taken_upside_down_is_turned_first(tmp_path: Path, engine: OcrEngine) -> None:
    files = FileStore(tmp_path, 10 * 1024 * 1024)
    card, jpeg = photo_of(7, upside_down=True)
    reading = await OcrKtpReader(files, engine=engine).read(await stored(files, jpeg))
    assert reading is not None
    assert reading.nik == card.nik
    assert reading.name == card.name


async def test_a_second_photo_while_one_is_read_is_left_to_typing(
    tmp_path: Path, engine: OcrEngine
) -> None:
    files = FileStore(tmp_path, 10 * 1024 * 1024)
    reader = OcrKtpReader(files, engine=engine, wait_seconds=0.01)
    card, jpeg = photo_of(11)
    ref = await stored(files, jpeg)
    first, second = await asyncio.gather(reader.read(ref), reader.read(ref))
    assert first is not None and first.nik == card.nik
    assert second is None


async def test_not_an_image_is_not_read(tmp_path: Path, engine: OcrEngine) -> None:
    files = FileStore(tmp_path, 10 * 1024 * 1024)
    reader = OcrKtpReader(files, engine=engine)
    pdf = await stored(files, b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "ktp.pdf")
    assert await reader.read(pdf) is None
    assert await reader.read("sha256:" + "0" * 64) is None  # not in the store
    assert await reader.read("../../etc/passwd") is None
    assert await reader.read("sha256:../../etc/passwd") is None


def png_claiming(width: int, height: int) -> bytes:
    """A few hundred bytes whose header announces a huge image (a decompression bomb)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00" * 64)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def test_an_image_too_large_is_refused_before_it_is_decoded() -> None:
    with pytest.raises(ImageRejected):
        decode_photo(png_claiming(60_000, 60_000), max_pixels=40_000_000)
    small = io.BytesIO()
    Image.new("RGB", (400, 300), "white").save(small, "PNG")
    with pytest.raises(ImageRejected):
        decode_photo(small.getvalue(), max_pixels=100_000)
    assert decode_photo(small.getvalue(), max_pixels=200_000).shape == (300, 400, 3)


def test_a_big_photo_is_scaled_down_and_exif_turned() -> None:
    tall = io.BytesIO()
    exif = Image.Exif()
    exif[0x0112] = 6  # the phone was held on its side: turn 90 degrees clockwise to view
    Image.new("RGB", (3200, 2000), "white").save(tall, "JPEG", exif=exif.tobytes())
    height, width, _ = decode_photo(tall.getvalue(), max_pixels=40_000_000).shape
    assert max(height, width) <= 1600
    assert height > width  # upright as the citizen saw it


async def test_without_its_models_the_reader_switches_itself_off(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    files = FileStore(tmp_path / "files", 10 * 1024 * 1024)
    _, jpeg = photo_of(3)
    with caplog.at_level(logging.WARNING, logger="bot.ktp_reader"):
        reader = OcrKtpReader(files, models=tmp_path / "no-models")
    assert not reader.enabled
    assert "KTP reading off" in caplog.text
    assert await reader.read(await stored(files, jpeg)) is None
    assert not OcrKtpReader(files, enabled=False).enabled


async def test_the_photo_is_read_before_the_turn_only_when_a_ktp_is_expected(
    tmp_path: Path, engine: OcrEngine
) -> None:
    files = FileStore(tmp_path, 10 * 1024 * 1024)
    card, jpeg = photo_of(3)
    ref = await stored(files, jpeg)
    states: dict[str, dict[str, object]] = {
        "at-ktp": {"v": 1, "flow": "apply", "step": "doc:ktp"},
        "at-menu": {"v": 1},
        "at-capital": {"v": 1, "flow": "apply", "step": "capital"},
    }
    peeked: list[str] = []

    async def peek(channel: str, chat_id: str) -> dict[str, object] | None:
        peeked.append(chat_id)
        return states.get(chat_id)

    prefetch = KtpPrefetch(OcrKtpReader(files, engine=engine), peek)

    def photo(chat: str, **extra: object) -> Inbound:
        attachment = Attachment("photo", ref, "ktp.jpg", "image/jpeg", len(jpeg))
        attachment = dataclasses.replace(attachment, **extra)  # type: ignore[arg-type]
        return Inbound(ConversationKey("telegram", chat), "m1", attachments=(attachment,))

    await prefetch.prefetch(photo("at-menu"))
    await prefetch.prefetch(photo("at-capital"))
    assert await prefetch.read(ref) is None
    await prefetch.prefetch(photo("at-ktp", mime_type="application/pdf"))
    await prefetch.prefetch(photo("at-ktp", error="too_large"))
    assert peeked == ["at-menu", "at-capital"]  # not even asked for a PDF or a refused file
    await prefetch.prefetch(photo("at-ktp"))
    reading = await prefetch.read(ref)
    assert reading is not None and reading.nik == card.nik
    assert await prefetch.read(ref) is None  # taken once, then gone
